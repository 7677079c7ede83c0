"""Inline mode: ``@bot shoulder`` in any chat lists matching entries as cards to share.

A technique whose picture Telegram already holds (its file id is known) is offered as that
photo with the card as caption, when the card fits a caption.
"""

from __future__ import annotations

from telegram import (
    InlineQueryResult,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode

from bot.catalog.cards import render_entry_card
from bot.catalog.entries import Catalog, Entry
from bot.pictures.service import PictureService, fits_caption
from handlers.context import BotContext

CACHE_SECONDS = 300


async def _result(entry: Entry, catalog: Catalog, pictures: PictureService) -> InlineQueryResult:
    card = render_entry_card(entry, catalog)
    picture = pictures.ref(entry.id)
    file_id = await pictures.file_id(picture) if picture is not None else None
    if file_id is not None and fits_caption(card):
        return InlineQueryResultCachedPhoto(
            id=entry.id[:64],
            photo_file_id=file_id,
            title=entry.title,
            description=entry.summary,
            caption=card,
            parse_mode=ParseMode.HTML,
        )
    return InlineQueryResultArticle(
        id=entry.id[:64],
        title=entry.title,
        description=entry.summary,
        input_message_content=InputTextMessageContent(card, parse_mode=ParseMode.HTML),
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """List the entries matching what was typed after the bot's name."""
    query = update.inline_query
    if query is None:
        return
    services = context.services
    results = [
        await _result(entry, services.catalog, services.pictures)
        for entry in services.asker.inline(query.query)
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
