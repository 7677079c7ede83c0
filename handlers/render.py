"""Turn the core's Reply into Telegram markup, and send it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.messaging import Reply
from bot.pictures.service import PictureService


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


async def answer(
    update: Update, reply: Reply, pictures: PictureService | None = None
) -> Message | None:
    """Send a reply into the chat an update came from, with its picture given ``pictures``."""
    chat = update.effective_chat
    if chat is None:
        return None
    if pictures is not None and reply.picture:
        from handlers.pictures import send_reply  # imports this module: import it late

        return await send_reply(update.get_bot(), chat.id, reply, pictures)
    return await chat.send_message(
        reply.text, reply_markup=markup(reply), disable_notification=not reply.notify
    )


async def edit(update: Update, reply: Reply) -> None:
    """Replace the text and buttons of the message a button was pressed on.

    When that message can no longer be edited (too old, deleted), the reply is sent anew.
    """
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(reply.text, reply_markup=markup(reply))
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return
        await answer(update, reply)
