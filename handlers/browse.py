"""/techniques, /tips and /prepare: browse menus that edit one message, with a back button."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import BrowseEntry, BrowseHome, BrowseSection
from bot.catalog import browse
from bot.messaging import Reply
from handlers.context import BotContext
from handlers.fallback import stale_button
from handlers.render import answer, edit


async def techniques(update: Update, context: BotContext) -> None:
    """Open the browse menu: by part of the back, and by kind."""
    await answer(update, browse.home())


async def tips(update: Update, context: BotContext) -> None:
    """List the tips."""
    await _section(update, context, "tips")


async def prepare(update: Update, context: BotContext) -> None:
    """List how to get ready."""
    await _section(update, context, "prep")


async def _section(update: Update, context: BotContext, name: str) -> None:
    reply = browse.section(context.services.catalog, name)
    await answer(update, reply or browse.home())


async def button(
    update: Update, context: BotContext, press: BrowseHome | BrowseSection | BrowseEntry
) -> None:
    """Move within the browse menu by editing its message; what is gone expires."""
    query = update.callback_query
    catalog = context.services.catalog
    match press:
        case BrowseHome():
            reply: Reply | None = browse.home()
        case BrowseSection(section):
            reply = browse.section(catalog, section)
        case BrowseEntry(section, entry_id):
            reply = browse.browse_entry(catalog, section, entry_id)
    if query is None or reply is None:
        await stale_button(update, context)
        return
    await query.answer()
    if reply.picture and context.services.pictures.has_picture(reply.picture):
        # A text message cannot become a photo: the card with its picture comes anew.
        await answer(update, reply, context.services.pictures)
        return
    await edit(update, reply)
