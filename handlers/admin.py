"""/stats and /broadcast for the ids in ADMIN_IDS; to anyone else they do not exist."""

from __future__ import annotations

from telegram import MessageEntity, Update

from bot import admin
from bot.callbacks import BroadcastCancel, BroadcastSend
from handlers.context import BotContext
from handlers.fallback import stale_button, unknown_command
from handlers.render import answer, edit


def is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.services.settings.admin_ids


async def stats_command(update: Update, context: BotContext) -> None:
    """Show the usage figures to an admin."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    await answer(update, admin.stats_reply(await admin.stats(context.services.storage)))


async def broadcast_command(update: Update, context: BotContext) -> None:
    """Preview ``/broadcast text`` with Send and Cancel buttons."""
    chat, message = update.effective_chat, update.effective_message
    if not is_admin(update, context) or chat is None or message is None:
        await unknown_command(update, context)
        return
    text = message.text or ""
    commands = message.parse_entities([MessageEntity.BOT_COMMAND])
    first = min(commands, key=lambda entity: entity.offset, default=None)
    body = text[first.offset + first.length :] if first is not None else ""
    await answer(update, await context.services.broadcasts.draft(chat.id, body))


async def admin_button(
    update: Update, context: BotContext, press: BroadcastSend | BroadcastCancel
) -> None:
    """Send or cancel a previewed broadcast; anyone else's or a stale press changes nothing."""
    query = update.callback_query
    if query is None or not is_admin(update, context):
        await stale_button(update, context)
        return
    service = context.services.broadcasts
    if isinstance(press, BroadcastSend):
        message_id = query.message.message_id if query.message is not None else None
        outcome = await service.confirm(press.broadcast_id, message_id)
    else:
        outcome = await service.cancel(press.broadcast_id)
    await query.answer(outcome.toast or None)
    if outcome.reply is not None:
        await edit(update, outcome.reply)
