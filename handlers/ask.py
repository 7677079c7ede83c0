"""Free text as a question: the answer card, "did you mean" buttons, or "I don't know"."""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, Update

from bot import admin
from bot.callbacks import OpenEntry
from bot.catalog import browse
from bot.storage import StorageError
from handlers.context import BotContext
from handlers.fallback import stale_button
from handlers.render import answer

log = logging.getLogger(__name__)


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question in a message, or None when a group message is not meant for the bot."""
    text = message.text or ""
    if message.chat.type == "private":
        return text
    mention = f"@{bot_username}".lower()
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and (replied.from_user.id == bot_id)
    )
    if not to_bot and mention not in (m.lower() for m in mentions):
        return None
    return text.replace(f"@{bot_username}", " ").replace(mention, " ")


async def question(update: Update, context: BotContext) -> None:
    """Answer a text message as a question; in groups only when it mentions or replies to us."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = addressed_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    result = context.services.asker.ask(text)
    for reply in result.replies:
        await answer(update, reply, context.services.pictures)
    kind = admin.answer_kind(result)
    if kind is not None:
        await count(context, kind)


async def count(context: BotContext, kind: str) -> None:
    """Add the answer to the /stats totals; a failure here must not cost the person anything."""
    try:
        await admin.bump(context.services.storage, kind)
    except StorageError as error:
        log.warning("could not count a %s: %s", kind, error)


async def open_entry(update: Update, context: BotContext, press: OpenEntry) -> None:
    """Send the card of the entry a button names (did-you-mean, related entries)."""
    query = update.callback_query
    reply = browse.open_entry(context.services.catalog, press.entry_id)
    if query is None or reply is None:
        await stale_button(update, context)
        return
    await query.answer()
    await answer(update, reply, context.services.pictures)
