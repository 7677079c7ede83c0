"""Per-chat flood control, before any other handler."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.flood import Verdict
from handlers.context import BotContext

SLOW_DOWN = (
    "🐢 That's a lot of messages at once. Please slow down; I'll listen again in a few seconds."
)


async def slow_down_floods(update: Update, context: BotContext) -> None:
    """Warn a chat once when it floods, and ignore the rest of its window."""
    chat = update.effective_chat
    counted = update.callback_query is not None or (
        chat is not None and chat.type == "private" and update.effective_message is not None
    )
    if chat is None or not counted:
        return
    verdict = context.services.flood.check(chat.id)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        await chat.send_message(SLOW_DOWN)
    raise ApplicationHandlerStop
