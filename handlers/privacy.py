"""/privacy says what is kept and why; /forget deletes all of it after a confirmation."""

from __future__ import annotations

from telegram import Update

from bot.messaging import Reply
from bot.privacy import PRIVACY, parse_press
from handlers.context import BotContext
from handlers.fallback import stale_button
from handlers.render import answer, edit

KEPT = "OK, I keep everything as it is."


async def privacy_command(update: Update, context: BotContext) -> None:
    """Say exactly what is stored about a chat, and why."""
    await answer(update, Reply(PRIVACY))


async def forget_command(update: Update, context: BotContext) -> None:
    """List what /forget would delete and ask for confirmation."""
    chat = update.effective_chat
    if chat is not None:
        await answer(update, await context.services.privacy.ask(chat.id))


async def privacy_button(update: Update, context: BotContext) -> None:
    """Delete everything about the chat on "Yes", or leave it on "Keep"."""
    query, chat = update.callback_query, update.effective_chat
    press = parse_press(query.data or "") if query is not None else None
    if query is None or chat is None or press is None:
        await stale_button(update, context)
        return
    action, asked_at = press
    await query.answer()
    if action == "keep":
        await edit(update, Reply(KEPT))
        return
    await edit(update, await context.services.privacy.forget(chat.id, asked_at))
