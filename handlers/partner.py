"""/partner, /partner off, the invite deep link (/start p_…) and every partner button."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import (
    PartnerCheckin,
    PartnerInvite,
    PartnerManage,
    PartnerRate,
    PartnerRemote,
    PartnerSafetyRead,
    PartnerSame,
)
from bot.messaging import Reply
from bot.partner.replies import PRIVATE_ONLY
from bot.partner.service import INVITE_PREFIX, Answer
from handlers.context import BotContext
from handlers.render import answer, edit

PartnerPress = (
    PartnerInvite
    | PartnerCheckin
    | PartnerRemote
    | PartnerSame
    | PartnerSafetyRead
    | PartnerRate
    | PartnerManage
)


def is_invite(args: list[str]) -> bool:
    return bool(args) and args[0].startswith(INVITE_PREFIX)


async def join(update: Update, context: BotContext) -> None:
    """``/start p_<token>``: the receiver opened the giver's invite link."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or not context.args:
        return
    if chat.type != "private":
        await answer(update, Reply(PRIVATE_ONLY))
        return
    name = user.first_name if user else None
    await _show(update, await context.services.partner.join(chat.id, context.args[0], name))


async def partner_command(update: Update, context: BotContext) -> None:
    """``/partner``: the link's state (or an invite button); ``/partner off`` ends the link."""
    chat = update.effective_chat
    if chat is None:
        return
    service = context.services.partner
    if [arg.lower() for arg in context.args or []][:1] == ["off"]:
        await answer(update, await service.unlink(chat.id))
    else:
        await answer(update, await service.status(chat.id))


async def partner_button(update: Update, context: BotContext, press: PartnerPress) -> None:
    """Every partner button: invite, check-in, remote, same-as-last-time, safety, rating."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    service, name = context.services.partner, user.first_name if user else None
    match press:
        case PartnerInvite():
            result = Answer(replies=[await service.invite(chat.id, context.bot.username)])
        case PartnerCheckin():
            result = await service.checkin(chat.id, press, name)
        case PartnerRemote():
            result = await service.remote(chat.id, press, name)
        case PartnerSame(link_id):
            result = await service.same_as_last_time(chat.id, link_id)
        case PartnerSafetyRead(link_id):
            result = await service.safety_read(chat.id, link_id)
        case PartnerRate():
            result = await service.rate(chat.id, press, name)
        case PartnerManage("off"):
            result = Answer(replies=[await service.unlink(chat.id)])
        case PartnerManage("change"):
            result = await service.change(chat.id)
        case PartnerManage():
            result = Answer(replies=[await service.delete_preferences(chat.id)])
    await _show(update, result)


async def _show(update: Update, result: Answer) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(result.toast or None)
    if result.edit is not None:
        await edit(update, result.edit)
    for reply in result.replies:
        await answer(update, reply)
