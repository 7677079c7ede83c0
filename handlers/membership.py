"""Telegram tells us when a person blocks the bot: stop their timed messages at once."""

from __future__ import annotations

from telegram import ChatMember, Update

from handlers.context import BotContext


async def blocked_or_unblocked(update: Update, context: BotContext) -> None:
    """End the session and pause reminders of a private chat that blocked the bot."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        await context.services.membership.blocked(change.chat.id)
