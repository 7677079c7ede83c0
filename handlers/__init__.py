"""Every handler, registered in order in one place."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import errors, fallback, reminders, start
from handlers.context import BotContext

AnyApplication = Application[Any, BotContext, Any, Any, Any, Any]

# Group 0 holds commands, buttons and feature text intents ("pause", "remind me at 9pm"); an
# intent handler that took a message raises ApplicationHandlerStop, otherwise the message
# falls through to group 1, where free text is answered as a question.
QUESTIONS_GROUP = 1


async def remember_chat(update: Update, context: BotContext) -> None:
    """Record that a private chat talked to us (first and last seen), before any handler."""
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        await context.services.storage.touch_chat(chat.id)


def register(app: AnyApplication) -> None:
    """Add every handler; order matters within a group, first match wins."""
    app.add_handler(TypeHandler(Update, remember_chat), group=-1)
    private = filters.ChatType.PRIVATE

    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.show_help))
    app.add_handler(CallbackQueryHandler(start.main_menu_button, pattern=r"^menu:"))

    app.add_handler(CommandHandler("remind", reminders.remind, filters=private))
    app.add_handler(CommandHandler("reminders", reminders.list_reminders, filters=private))
    app.add_handler(CommandHandler("timezone", reminders.timezone, filters=private))
    app.add_handler(CallbackQueryHandler(reminders.reminder_button, pattern=r"^rem:"))
    app.add_handler(CallbackQueryHandler(reminders.zone_button, pattern=r"^tz:"))
    # Before the questions group: "remind me at 9pm" and a time zone we asked for stop here.
    app.add_handler(
        MessageHandler(filters.TEXT & private & ~filters.COMMAND, reminders.text_intent)
    )

    # Fallbacks last: anything the features above did not take.
    app.add_handler(MessageHandler(filters.COMMAND & private, fallback.unknown_command))
    app.add_handler(
        MessageHandler(filters.TEXT & private & ~filters.COMMAND, fallback.text_placeholder),
        group=QUESTIONS_GROUP,
    )
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, fallback.not_text)
    )
    app.add_handler(CallbackQueryHandler(fallback.stale_button))

    app.add_error_handler(errors.on_error)
