"""Plain words in a private chat: a warning sign mid-session, or a request ("pause", "quit",
"remind me at 9pm") recognised once and sent to its feature."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.intents import ControlSession, ShowHistory, StartSession, recognise
from handlers import reminders, session
from handlers.context import BotContext
from handlers.render import answer


async def plain_words(update: Update, context: BotContext) -> None:
    """Hand a recognised request to its feature; anything else goes on to the questions.

    A warning sign mentioned while a session runs ("her leg is going numb") pauses it and
    gets the safety card first.
    """
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    safety = await context.services.safety_pause.check(chat.id, message.text)
    for reply in safety:
        await answer(update, reply)
    if safety:
        raise ApplicationHandlerStop
    request = recognise(message.text)
    if request is None:
        return
    if isinstance(request, StartSession | ControlSession | ShowHistory):
        taken = await session.take_request(update, context, request)
    else:
        taken = await reminders.take_request(update, context, request)
    if taken:
        raise ApplicationHandlerStop
