"""Every handler, registered in order in one place."""

from __future__ import annotations

import logging
from typing import Any, get_args

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks as cb
from bot.storage import StorageError
from handlers import (
    admin,
    ask,
    browse,
    errors,
    fallback,
    guard,
    inline,
    membership,
    partner,
    privacy,
    reminders,
    session,
    start,
    words,
)
from handlers.buttons import on_press
from handlers.context import BotContext

log = logging.getLogger(__name__)

AnyApplication = Application[Any, BotContext, Any, Any, Any, Any]

# Group 0 holds commands, buttons and plain-word requests ("pause", "remind me at 9pm"); group 1
# the answer to a time-zone question we asked. Only one handler per group runs; one that took a
# message raises ApplicationHandlerStop, otherwise the message falls through to the questions
# group, where free text is answered.
ZONE_ANSWER_GROUP = 1
QUESTIONS_GROUP = 2


async def remember_chat(update: Update, context: BotContext) -> None:
    """Record that a private chat talked to us (first and last seen), before any handler."""
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        try:
            await context.services.storage.touch_chat(chat.id)
        except StorageError as error:
            # Only bookkeeping: the update is still handled (a question needs no writes), and
            # a feature that must write tells the user and logs it, once.
            log.debug("could not record chat %s as seen: %s", chat.id, error)
        # Writing again after /forget: timed messages may reach this chat again.
        context.services.privacy.guard.seen(chat.id)


def register(app: AnyApplication) -> None:
    """Add every handler; order matters within a group, first match wins."""
    # Flood control first: an ignored message must not reach storage or any feature.
    app.add_handler(TypeHandler(Update, guard.slow_down_floods), group=-2)
    app.add_handler(TypeHandler(Update, remember_chat), group=-1)
    _features(app)
    _last_resorts(app)
    app.add_error_handler(errors.on_error)


def _features(app: AnyApplication) -> None:
    """Commands, buttons and plain-word requests of every feature, in order."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.show_help))
    app.add_handler(on_press(start.main_menu_button, cb.MenuChoice))

    app.add_handler(CommandHandler("techniques", browse.techniques))
    app.add_handler(CommandHandler("tips", browse.tips))
    app.add_handler(CommandHandler("prepare", browse.prepare))
    app.add_handler(on_press(ask.open_entry, cb.OpenEntry))
    app.add_handler(on_press(browse.button, cb.BrowseHome, cb.BrowseSection, cb.BrowseEntry))
    app.add_handler(InlineQueryHandler(inline.inline_query))
    app.add_handler(CommandHandler("session", session.session_command))
    app.add_handler(CommandHandler("history", session.history_command))
    app.add_handler(on_press(session.session_button, *get_args(session.SessionPress)))
    app.add_handler(CommandHandler("partner", partner.partner_command, filters=private))
    app.add_handler(on_press(partner.partner_button, *get_args(partner.PartnerPress)))
    # "pause", "quit", "10 minute lower back session", "remind me at 9pm": raises
    # ApplicationHandlerStop when a feature took it, so only the rest reaches the questions.
    app.add_handler(MessageHandler(filters.TEXT & private & ~filters.COMMAND, words.plain_words))
    app.add_handler(CommandHandler("remind", reminders.remind, filters=private))
    app.add_handler(CommandHandler("reminders", reminders.list_reminders, filters=private))
    app.add_handler(CommandHandler("timezone", reminders.timezone, filters=private))
    app.add_handler(on_press(reminders.reminder_button, *get_args(reminders.ReminderPress)))
    app.add_handler(on_press(reminders.zone_button, cb.ZoneSet))
    # A group of its own, after the plain-word requests and before the questions group: the
    # time zone we asked for (or "cancel") stops here.
    app.add_handler(
        MessageHandler(filters.TEXT & private & ~filters.COMMAND, reminders.zone_answer),
        group=ZONE_ANSWER_GROUP,
    )

    app.add_handler(CommandHandler("privacy", privacy.privacy_command))
    app.add_handler(CommandHandler("forget", privacy.forget_command, filters=private))
    app.add_handler(on_press(privacy.privacy_button, cb.ForgetConfirm, cb.PrivacyKeep))
    # Admin commands answer like unknown ones to anyone not in ADMIN_IDS (checked inside).
    app.add_handler(CommandHandler("stats", admin.stats_command, filters=private))
    app.add_handler(CommandHandler("broadcast", admin.broadcast_command, filters=private))
    app.add_handler(on_press(admin.admin_button, cb.BroadcastSend, cb.BroadcastCancel))

    app.add_handler(
        ChatMemberHandler(membership.blocked_or_unblocked, ChatMemberHandler.MY_CHAT_MEMBER)
    )


def _last_resorts(app: AnyApplication) -> None:
    """After the features: free text as a question, then what nothing else took."""
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(filters.COMMAND & private, fallback.unknown_command))
    # Questions: every text in a private chat; in groups the handler itself keeps only
    # messages that mention the bot or reply to it.
    app.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & (private | filters.ChatType.GROUPS), ask.question
        ),
        group=QUESTIONS_GROUP,
    )
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, fallback.not_text)
    )
    app.add_handler(CallbackQueryHandler(fallback.stale_button))
