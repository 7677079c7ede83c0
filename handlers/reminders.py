"""/remind, /reminders, /timezone, their buttons, and reminder requests in plain words."""

from __future__ import annotations

import time

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import ReminderAct, ReminderMenu, ReminderNew, RemindersOff, ZoneSet
from bot.intents import (
    AboutReminders,
    ListReminders,
    ReminderRequest,
    SetReminder,
    StopReminders,
)
from bot.messaging import Reply
from bot.reminders import replies
from bot.reminders.parse import NeedTime, parse_schedules
from bot.reminders.schedule import ReminderError, Schedule
from bot.reminders.service import ReminderService
from bot.reminders.zones import ZoneChoice, ZoneError
from handlers.context import BotContext
from handlers.fallback import stale_button
from handlers.render import answer, markup

# -- commands ---------------------------------------------------------------------------------


async def _add(update: Update, service: ReminderService, text: str | Schedule) -> None:
    """Parse the schedules and save them, answering with what was understood or why not."""
    chat = update.effective_chat
    if chat is None:
        return
    try:
        schedules = [text] if isinstance(text, Schedule) else parse_schedules(text)
        outcome = await service.add_all(chat.id, schedules)
    except NeedTime as question:
        await answer(update, replies.time_choices(question.part, question.weekdays))
        return
    except ReminderError as error:
        await answer(update, replies.warning(str(error)))
        return
    await answer(update, replies.added_reply(outcome))


async def _off(update: Update, service: ReminderService) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await answer(update, replies.deleted_all_reply(await service.delete_all(chat.id)))


async def remind(update: Update, context: BotContext) -> None:
    """Set a reminder from '/remind 21:30 weekdays'; '/remind off' deletes them all."""
    text = " ".join(context.args or [])
    service = context.services.reminders
    if not text:
        await answer(update, replies.menu_reply())
    elif text.lower() in ("off", "stop", "none", "cancel"):
        await _off(update, service)
    else:
        await _add(update, service, text)


async def list_reminders(update: Update, context: BotContext) -> None:
    """List the chat's reminders with a delete button each."""
    chat = update.effective_chat
    if chat is None:
        return
    service = context.services.reminders
    await service.resume(chat.id)  # they are talking to us, so they can be reached again
    zone = await service.chat_zone(chat.id)
    await answer(update, replies.list_reply(await service.reminders(chat.id), zone, _now()))


async def timezone(update: Update, context: BotContext) -> None:
    """Show the chat's zone and ask for a new one; '/timezone Berlin' sets it at once."""
    chat = update.effective_chat
    if chat is None:
        return
    service = context.services.reminders
    if context.args:
        await _set_zone_from_text(update, service, " ".join(context.args))
        return
    zone = await service.chat_zone(chat.id)
    await service.ask_zone(chat.id)
    await answer(update, replies.current_zone(zone, _now()))


async def _set_zone_from_text(update: Update, service: ReminderService, text: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        found = service.zones.read(text)
        if isinstance(found, ZoneChoice):
            await answer(update, replies.zone_choice(found.typed, found.options))
            return
        outcome = await service.set_zone(chat.id, found.zone)
    except (ZoneError, ReminderError) as error:
        await answer(update, replies.warning(str(error)))
        return
    await answer(update, replies.zone_set_reply(outcome, _now(), found.note))


def _now() -> float:
    return time.time()


# -- plain words ------------------------------------------------------------------------------


async def take_request(update: Update, context: BotContext, request: ReminderRequest) -> bool:
    """Act on "remind me weekdays at 7:30", "stop reminding me", "my reminders"."""
    service = context.services.reminders
    match request:
        case SetReminder(when):
            await _add(update, service, when)
        case StopReminders():
            await _off(update, service)
        case ListReminders():
            await list_reminders(update, context)
        case AboutReminders():
            return False  # no time given: the ask feature points to /remind
    return True


async def zone_answer(update: Update, context: BotContext) -> None:
    """Take the time zone we asked for (or "cancel"); any other text goes on to questions."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    service = context.services.reminders
    pending = await service.pending(chat.id)
    if pending is None or _looks_like_a_question(message.text):
        return  # not ours: the ask feature answers it
    if message.text.strip().lower() in ("cancel", "stop", "never mind", "no"):
        await service.cancel_pending(chat.id)
        await answer(update, Reply(replies.NOT_SET))
    else:
        await _set_zone_from_text(update, service, message.text)
    raise ApplicationHandlerStop


def _looks_like_a_question(text: str) -> bool:
    return "?" in text or len(text.split()) > 4


# -- buttons ----------------------------------------------------------------------------------


ReminderPress = ReminderMenu | ReminderNew | ReminderAct | RemindersOff


async def reminder_button(update: Update, context: BotContext, press: ReminderPress) -> None:
    """Handle the reminder buttons: set-up menu, quick choices, snooze, stop, delete."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    service = context.services.reminders
    match press:
        case ReminderMenu():
            await query.answer()
            await answer(update, replies.menu_reply())
        case ReminderNew(hour, minute, days):
            await query.answer()
            await _add(update, service, Schedule(hour, minute, days))
        case ReminderAct("snooze", reminder_id):
            at = await service.snooze(chat.id, reminder_id)
            await query.answer(replies.SNOOZED if at else replies.GONE)
        case ReminderAct("stop", reminder_id):
            gone = await service.delete(chat.id, reminder_id)
            await query.answer()
            await answer(update, replies.stopped_reply(gone))
        case ReminderAct("delete", reminder_id):
            await _edit_list(query, service, chat.id, reminder_id)
        case RemindersOff():
            await _edit_list(query, service, chat.id, None)


async def _edit_list(
    query: CallbackQuery, service: ReminderService, chat_id: int, reminder_id: int | None
) -> None:
    """Delete one (or, with None, all) from the /reminders list and show the list as it is now."""
    if reminder_id is None:
        await service.delete_all(chat_id)
        await query.answer(replies.ALL_DELETED)
    else:
        gone = await service.delete(chat_id, reminder_id)
        await query.answer(replies.DELETED if gone else replies.GONE)
    zone = await service.chat_zone(chat_id)
    reply = replies.list_reply(await service.reminders(chat_id), zone, _now())
    try:
        await query.edit_message_text(reply.text, reply_markup=markup(reply))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def zone_button(update: Update, context: BotContext, press: ZoneSet) -> None:
    """Save the zone pressed in the 'which time zone?' question."""
    query, chat = update.callback_query, update.effective_chat
    service = context.services.reminders
    if query is None or chat is None or press.zone not in service.zones:
        await stale_button(update, context)
        return
    await query.answer()
    try:
        outcome = await service.set_zone(chat.id, press.zone)
    except ReminderError as error:
        await answer(update, replies.warning(str(error)))
        return
    await answer(update, replies.zone_set_reply(outcome, _now()))
