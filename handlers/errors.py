"""The one error handler: log the failure with its update, then tell the user plainly."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.storage import StorageError
from handlers.context import BotContext

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "😕 Sorry, something went wrong on my side. Please try again in a moment."
STORAGE_BUSY = "😕 I couldn't save that just now. Please try again in a moment."


def describe(update: object) -> str:
    """A short, token-free description of an update for the log."""
    if not isinstance(update, Update):
        return repr(type(update).__name__)
    chat = update.effective_chat
    kind = next(
        (
            name
            for name in (
                "message",
                "edited_message",
                "callback_query",
                "inline_query",
                "channel_post",
                "my_chat_member",
            )
            if getattr(update, name, None)
        ),
        "other",
    )
    return f"update {update.update_id} ({kind}) in chat {chat.id if chat else '-'}"


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception and apologise to the user once; no later handler group runs."""
    error = context.error
    if isinstance(error, StorageError) and isinstance(error.__cause__, sqlite3.OperationalError):
        # Locked, full, unreadable: the cause is outside the code, so one line, no traceback.
        log.error("could not save while handling %s: %s", describe(update), error)
    else:
        log.error("error while handling %s", describe(update), exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        raise ApplicationHandlerStop
    text = STORAGE_BUSY if isinstance(error, StorageError) else SOMETHING_WENT_WRONG
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat.type == "private" or update.effective_message is not None:
            await update.effective_chat.send_message(text)
    except TelegramError:
        log.warning("could not tell chat %s about the error", update.effective_chat.id)
    # The user has their answer: a later handler group (the questions) must not answer the
    # same message again, e.g. "I don't know that one" for a zone that could not be saved.
    raise ApplicationHandlerStop
