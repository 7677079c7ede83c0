"""/techniques, /tips and /prepare: browse menus that edit one message, with a back button."""

from __future__ import annotations

from telegram import Update

from bot import browse
from bot.messaging import Reply
from handlers.context import BotContext
from handlers.fallback import STALE_BUTTON
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


async def button(update: Update, context: BotContext) -> None:
    """Move within the browse menu by editing its message; stale or forged data expires."""
    query = update.callback_query
    if query is None:
        return
    catalog = context.services.catalog
    action = browse.parse(query.data or "", catalog)
    reply: Reply | None = None
    if isinstance(action, browse.BrowseHome):
        reply = browse.home()
    elif isinstance(action, browse.BrowseSection):
        reply = browse.section(catalog, action.section)
    elif isinstance(action, browse.BrowseEntry):
        reply = browse.browse_entry(catalog, action.section, action.entry_id)
    if reply is None:
        await query.answer(STALE_BUTTON)
        return
    await query.answer()
    if reply.picture and context.services.pictures.has_picture(reply.picture):
        # A text message cannot become a photo: the card with its picture comes anew.
        await answer(update, reply, context.services.pictures)
        return
    await edit(update, reply)
