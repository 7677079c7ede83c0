"""Send a reply that carries a technique's picture; the text always gets through.

* The card fits a caption (1,024 characters): one photo message with the card as caption and
  the buttons. Otherwise the photo (captioned with the title), then the card with the buttons,
  so the buttons stay on the last message.
* A picture goes by its Telegram ``file_id`` once it has been uploaded; a ``file_id`` Telegram
  refuses is dropped and the picture uploaded again.
* An upload that fails (timeout, 5xx, 429 after PTB's retries, a refused photo) costs only the
  picture: the card goes out without it, and the next send tries the upload again.
* A timed step never waits for an upload: without a known ``file_id`` the step's text goes out
  at once and the picture follows it in the background (which also learns the ``file_id``).
"""

from __future__ import annotations

import html
import logging

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.messaging import Reply
from bot.pictures.book import PictureRef
from bot.pictures.service import PictureService, fits_caption
from handlers.render import markup

log = logging.getLogger(__name__)

# Telegram's answers to a file id it will not send (another bot's, expired, malformed).
_REFUSED = (
    "wrong file identifier",
    "wrong remote file identifier",
    "file_id",
    "file reference",
    "wrong type of the web page content",
    "failed to get http url content",
)
# Errors that are about the chat, not the picture: the text would fail the same way.
_CHAT_GONE = ("chat not found", "user is deactivated", "bot was kicked", "not enough rights")


def _refused(error: BadRequest) -> bool:
    text = str(error).lower()
    return any(part in text for part in _REFUSED)


def _about_the_chat(error: Exception) -> bool:
    return isinstance(error, BadRequest) and any(part in str(error).lower() for part in _CHAT_GONE)


async def send_text(bot: Bot, chat_id: int, reply: Reply) -> Message:
    return await bot.send_message(
        chat_id, reply.text, reply_markup=markup(reply), disable_notification=not reply.notify
    )


async def _send_photo(
    bot: Bot,
    chat_id: int,
    picture: PictureRef,
    pictures: PictureService,
    *,
    file_id: str | None,
    caption: str,
    reply: Reply | None,
    notify: bool,
    may_upload: bool = True,
) -> Message:
    """The picture by file id, else uploaded (and its new file id kept)."""
    markup_ = markup(reply) if reply else None
    for attempt in (1, 2):
        if file_id is None:
            async with pictures.uploading(picture):
                # Sends to other chats wait here rather than upload the same picture too;
                # once one upload is done they all go by its file id.
                file_id = await pictures.file_id(picture)
                if file_id is None:
                    return await _upload(bot, chat_id, picture, pictures, caption, markup_, notify)
        try:
            return await bot.send_photo(
                chat_id,
                file_id,
                caption=caption,
                reply_markup=markup_,
                disable_notification=not notify,
            )
        except BadRequest as error:
            if not _refused(error) or attempt == 2:
                raise
            await pictures.forget(picture, file_id)
            if not may_upload:
                raise
            file_id = None
    raise AssertionError("unreachable")


async def _upload(
    bot: Bot,
    chat_id: int,
    picture: PictureRef,
    pictures: PictureService,
    caption: str,
    reply_markup: InlineKeyboardMarkup | None,
    notify: bool,
) -> Message:
    drawn = await pictures.picture(picture.entry_id)
    if drawn is None:
        raise LookupError(f"{picture.entry_id} has no picture any more")
    message = await bot.send_photo(
        chat_id,
        InputFile(drawn.png, filename=f"{picture.title}.png"),
        caption=caption,
        reply_markup=reply_markup,
        disable_notification=not notify,
    )
    if message.photo:
        await pictures.remember(picture, message.photo[-1].file_id)
    return message


def _title_caption(picture: PictureRef) -> str:
    return f"<b>{html.escape(picture.title, quote=False)}</b>"


async def _picture_after(
    bot: Bot, chat_id: int, picture: PictureRef, pictures: PictureService
) -> None:
    """The picture of a step already sent as text: uploaded now, its file id kept for next time."""
    try:
        await _send_photo(
            bot,
            chat_id,
            picture,
            pictures,
            file_id=None,
            caption=_title_caption(picture),
            reply=None,
            notify=False,
        )
    except Exception as error:  # a picture is never worth more than a log line
        log.warning("pictures: %s not sent after its step: %s", picture.entry_id, error)


async def send_reply(
    bot: Bot,
    chat_id: int,
    reply: Reply,
    pictures: PictureService | None,
    *,
    timed: bool = False,
) -> Message:
    """Send ``reply`` with its picture when it has one; returns the message with the buttons."""
    picture = pictures.ref(reply.picture) if pictures is not None and reply.picture else None
    if picture is None or pictures is None:
        return await send_text(bot, chat_id, reply)
    file_id = await pictures.file_id(picture)
    if timed and file_id is None:
        message = await send_text(bot, chat_id, reply)
        pictures.in_background(_picture_after(bot, chat_id, picture, pictures))
        return message
    together = fits_caption(reply.text)
    try:
        photo = await _send_photo(
            bot,
            chat_id,
            picture,
            pictures,
            file_id=file_id,
            caption=reply.text if together else _title_caption(picture),
            reply=reply if together else None,
            notify=reply.notify,
            may_upload=not timed,
        )
    except (NetworkError, RetryAfter, LookupError, OSError) as error:
        # BadRequest and TimedOut are NetworkErrors; LookupError and OSError: not drawable.
        if _about_the_chat(error):
            raise
        log.warning("pictures: %s not sent (%s); sending the text alone", picture.entry_id, error)
        if timed and isinstance(error, BadRequest) and _refused(error):
            pictures.in_background(_picture_after(bot, chat_id, picture, pictures))
        return await send_text(bot, chat_id, reply)
    return photo if together else await send_text(bot, chat_id, reply)
