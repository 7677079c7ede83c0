"""Plain-word requests ("pause", "quit", "remind me at 9pm"): recognised once, sent on."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.intents import ControlSession, ShowHistory, StartSession, recognise
from handlers import reminders, session
from handlers.context import BotContext


async def plain_words(update: Update, context: BotContext) -> None:
    """Hand a recognised request to its feature; anything else goes on to the questions."""
    message = update.effective_message
    request = recognise(message.text) if message is not None and message.text else None
    if request is None:
        return
    if isinstance(request, StartSession | ControlSession | ShowHistory):
        taken = await session.take_request(update, context, request)
    else:
        taken = await reminders.take_request(update, context, request)
    if taken:
        raise ApplicationHandlerStop
