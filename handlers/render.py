"""Turn the core's Reply into Telegram markup, and send it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.messaging import Reply


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """Build the inline keyboard of a reply, or None when it has no buttons."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(button.text, url=button.url)
                if button.url
                else InlineKeyboardButton(button.text, callback_data=button.data)
                for button in row
            ]
            for row in reply.buttons
        ]
    )


async def answer(update: Update, reply: Reply) -> Message | None:
    """Send a reply into the chat an update came from."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(
        reply.text, reply_markup=markup(reply), disable_notification=not reply.notify
    )
