"""The core's Sender, implemented with PTB's Bot (used by timed sends, not by handlers)."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.messaging import ChatUnreachable, Reply, SendFailed
from bot.pictures.service import PictureService
from handlers.pictures import send_reply
from handlers.render import markup

log = logging.getLogger(__name__)

_GONE = ("chat not found", "user is deactivated", "bot was kicked", "not enough rights")


def _translate(error: Exception) -> Exception:
    if isinstance(error, Forbidden):
        return ChatUnreachable(str(error))
    if isinstance(error, BadRequest) and any(part in str(error).lower() for part in _GONE):
        return ChatUnreachable(str(error))
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        seconds = retry if isinstance(retry, int | float) else retry.total_seconds()
        return SendFailed(str(error), retry_after=float(seconds))
    if isinstance(error, TimedOut | NetworkError):
        return SendFailed(str(error), retry_after=2.0)
    return error


class TelegramSender:
    """Sends the core's replies; maps Telegram errors onto the core's own."""

    def __init__(self, bot: Bot, pictures: PictureService | None = None) -> None:
        self._bot = bot
        self._pictures = pictures

    async def send(self, chat_id: int, reply: Reply) -> int:
        try:
            message = await send_reply(self._bot, chat_id, reply, self._pictures, timed=True)
        except (Forbidden, BadRequest, RetryAfter, NetworkError) as error:
            raise _translate(error) from error
        return message.message_id

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        try:
            await self._bot.edit_message_text(
                reply.text, chat_id=chat_id, message_id=message_id, reply_markup=markup(reply)
            )
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            raise _translate(error) from error
        except (Forbidden, RetryAfter, NetworkError) as error:
            raise _translate(error) from error

    async def delete(self, chat_id: int, message_id: int) -> None:
        try:
            await self._bot.delete_message(chat_id, message_id)
        except BadRequest as error:
            if "not found" in str(error).lower() or "can't be deleted" in str(error).lower():
                return
            raise _translate(error) from error
        except (Forbidden, RetryAfter, NetworkError) as error:
            raise _translate(error) from error
