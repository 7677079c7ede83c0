"""Hand a button press to its handler as typed data (`bot.callbacks`), never as a string."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import callbacks
from handlers.context import BotContext
from handlers.fallback import stale_button

P = TypeVar("P", bound=callbacks.Press)


def on_press(
    callback: Callable[[Update, BotContext, P], Awaitable[None]], *kinds: type[callbacks.Press]
) -> CallbackQueryHandler[BotContext, None]:
    """A handler for presses of ``kinds``; anything else goes on to later handlers.

    ``kinds`` must be the kinds ``callback`` takes (its ``press`` parameter's type).
    """

    async def handle(update: Update, context: BotContext) -> None:
        query = update.callback_query
        press = callbacks.parse(query.data or "") if query is not None else None
        if isinstance(press, kinds):
            await callback(update, context, cast(P, press))
        else:  # PTB lets a press with no data past every pattern
            await stale_button(update, context)

    pattern = cast(Any, callbacks.matches(*kinds))
    return CallbackQueryHandler(handle, pattern=pattern)
