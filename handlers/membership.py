"""Telegram tells us when a person blocks the bot: stop their timed messages at once."""

from __future__ import annotations

import time

from telegram import ChatMember, Update

from bot.unreachable import end_chat
from handlers.context import BotContext


async def blocked_or_unblocked(update: Update, context: BotContext) -> None:
    """End the session and pause reminders of a private chat that blocked the bot."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        await end_chat(context.services.storage, change.chat.id, time.time(), "blocked the bot")
        context.services.scheduler.wake()
