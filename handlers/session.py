"""/session, /history, the session buttons, and session requests in plain words."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot import intents
from bot.callbacks import (
    SessionControl,
    SessionKeep,
    SessionMenu,
    SessionPractice,
    SessionRate,
    SessionReplace,
    SessionStart,
)
from bot.intents import ControlSession, SessionRequest, ShowHistory, StartSession
from bot.sessions import replies
from bot.sessions.plan import Plan
from bot.sessions.service import SessionService
from handlers.context import BotContext
from handlers.render import answer, markup


async def _start(
    update: Update, service: SessionService, chat_id: int, request: StartSession
) -> None:
    plan = (
        service.plan("routine", request.routine_id, request.minutes)
        if request.routine_id
        else None
    )
    if plan is None:
        await answer(update, service.menu())
        return
    await answer(update, await service.offer(chat_id, plan, minutes=request.minutes))


async def session_command(update: Update, context: BotContext) -> None:
    """Offer the routines, or start ``/session upper 10`` directly."""
    chat = update.effective_chat
    if chat is None:
        return
    request = intents.session_command(list(context.args or []))
    await _start(update, context.services.sessions, chat.id, request)


async def history_command(update: Update, context: BotContext) -> None:
    """Show the chat's recent sessions, total minutes and streak."""
    chat = update.effective_chat
    if chat is not None:
        await answer(update, await context.services.sessions.history(chat.id))


async def take_request(update: Update, context: BotContext, request: SessionRequest) -> bool:
    """Act on "pause", "quit", "history", "10 minute lower back session"; False if not ours."""
    chat = update.effective_chat
    if chat is None:
        return False
    service = context.services.sessions
    match request:
        case ControlSession(action):
            outcome = await service.control(chat.id, action)
            if outcome is None:
                return False  # no session: the ask feature answers the word
            if outcome.reply is not None:  # otherwise the next step itself is the answer
                await answer(update, outcome.reply)
        case ShowHistory():
            await answer(update, await service.history(chat.id))
        case StartSession():
            await _start(update, service, chat.id, request)
    return True


SessionPress = (
    SessionMenu
    | SessionStart
    | SessionPractice
    | SessionReplace
    | SessionKeep
    | SessionRate
    | SessionControl
)


async def session_button(update: Update, context: BotContext, press: SessionPress) -> None:
    """Handle every session button: menu, start, practice, controls, replace and rating."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    service = context.services.sessions
    match press:
        case SessionMenu():
            await query.answer()
            await answer(update, service.menu())
        case SessionStart(entry_id) | SessionPractice(entry_id):
            plan = service.plan(
                "routine" if isinstance(press, SessionStart) else "practice", entry_id
            )
            await query.answer(None if plan else replies.UNKNOWN_ROUTINE)
            await answer(update, await service.offer(chat.id, plan) if plan else service.menu())
        case SessionKeep():
            await query.answer()
            await query.edit_message_text(replies.KEPT)
        case SessionReplace(kind, minutes, entry_id):
            plan = service.plan(kind, entry_id, minutes or None)
            await _replace(query, service, chat.id, plan, minutes or None)
        case SessionRate(session_id, stars):
            await _rate(update, query, service, session_id, stars)
        case SessionControl(action, session_id, step):
            outcome = await service.control(chat.id, action, session_id, step)
            await query.answer(outcome.toast if outcome else None)
            if outcome is not None and outcome.reply is not None:
                await answer(update, outcome.reply)


async def _replace(
    query: CallbackQuery,
    service: SessionService,
    chat_id: int,
    plan: Plan | None,
    minutes: int | None,
) -> None:
    if plan is None:
        await query.answer(replies.UNKNOWN_ROUTINE)
        return
    await query.answer()
    reply = await service.offer(chat_id, plan, minutes=minutes, replacing=True)
    await query.edit_message_text(reply.text, reply_markup=markup(reply))


async def _rate(
    update: Update, query: CallbackQuery, service: SessionService, session_id: int, stars: int
) -> None:
    chat_id = update.effective_chat.id if update.effective_chat else 0
    if not await service.rate(chat_id, session_id, stars):
        await query.answer(replies.NOTHING_TO_RATE)
        return
    await query.answer(replies.RATED)
    await query.edit_message_reply_markup(None)
    await answer(update, replies.thanks_reply(stars))
