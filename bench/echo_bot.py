"""The framework's floor for bench/throughput.py: a minimal python-telegram-bot echo bot.

Same transport settings as Massage Coach (HTML default, same update concurrency, no rate
limiter when RATE_LIMIT_OVERALL=0), but no storage, no search, no handlers beyond one echo.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["BOT_API_URL"])
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .concurrent_updates(64)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
