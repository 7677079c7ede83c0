"""/privacy says what is kept and why; /forget deletes all of it after a confirmation."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import ForgetConfirm, PrivacyKeep
from bot.messaging import Reply
from bot.privacy import PRIVACY
from handlers.context import BotContext
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


async def privacy_button(
    update: Update, context: BotContext, press: ForgetConfirm | PrivacyKeep
) -> None:
    """Delete everything about the chat on "Yes", or leave it on "Keep"."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    await query.answer()
    if isinstance(press, PrivacyKeep):
        await edit(update, Reply(KEPT))
        return
    await edit(update, await context.services.privacy.forget(chat.id, press.asked_at))
