"""Inline mode: ``@bot shoulder`` in any chat lists matching entries as cards to share."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.catalog.cards import render_entry_card
from handlers.context import BotContext

CACHE_SECONDS = 300


async def inline_query(update: Update, context: BotContext) -> None:
    """List the entries matching what was typed after the bot's name."""
    query = update.inline_query
    if query is None:
        return
    catalog = context.services.catalog
    results = [
        InlineQueryResultArticle(
            id=entry.id[:64],
            title=entry.title,
            description=entry.summary,
            input_message_content=InputTextMessageContent(
                render_entry_card(entry, catalog), parse_mode=ParseMode.HTML
            ),
        )
        for entry in context.services.asker.inline(query.query)
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
