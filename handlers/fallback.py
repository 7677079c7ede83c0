"""Friendly answers for what no feature handles: unknown commands, stickers, photos."""

from __future__ import annotations

from telegram import Update

from bot.messaging import Reply
from handlers.context import BotContext
from handlers.render import answer

UNKNOWN_COMMAND = "🤔 I don't know that command. /help lists everything I understand."
NOT_TEXT = (
    "I can only read text for now 🙂 Send me your question as a message, "
    "e.g. <i>how do I ease shoulder tension</i>."
)
STALE_BUTTON = "This menu has expired. Send /start for a fresh one."


async def unknown_command(update: Update, context: BotContext) -> None:
    """Point to /help when a command is not one of ours."""
    await answer(update, Reply(UNKNOWN_COMMAND))


async def not_text(update: Update, context: BotContext) -> None:
    """Ask for text when someone sends a sticker, photo, voice note or the like."""
    await answer(update, Reply(NOT_TEXT))


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button press that no handler recognises (old or forged data)."""
    query = update.callback_query
    if query is not None:
        await query.answer(STALE_BUTTON, show_alert=False)
