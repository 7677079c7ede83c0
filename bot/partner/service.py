"""Partner mode's use cases: invite, join, check-in, remote presses, ratings, ending the link.

The invite token comes from ``secrets`` and only its SHA-256 is stored; it is single-use,
bound to the giver's chat and lasts 24 hours or until the session open at invite time ends.
Messages for the *other* chat go out through the core Sender (the /forget guard); a chat
that cannot be reached never breaks the one that can.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot import callbacks as cb
from bot.catalog.entries import Catalog
from bot.messaging import ChatUnreachable, Reply, Sender
from bot.partner import replies
from bot.partner.follow import PartnerHooks
from bot.partner.pace import Paced
from bot.partner.prefs import (
    AREAS,
    AVOIDABLE,
    EXTEND_SECONDS,
    MAX_STEP_SECONDS,
    PRESSURES,
    Preferences,
    gentler,
)
from bot.partner.store import Link, PartnerStore
from bot.sessions import state as transitions
from bot.sessions.replies import paused_reply
from bot.sessions.service import SessionService
from bot.sessions.state import SessionState

log = logging.getLogger(__name__)

Clock = Callable[[], float]

INVITE_PREFIX = "p_"
INVITE_TTL = 24 * 3600.0
# Telegram's start parameter: at most 64 of A-Z a-z 0-9 _ -.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,62}")


# What each check-in question accepts (forged data gets the old-button answer).
_CHOICES: dict[str, frozenset[str]] = {
    "focus": frozenset((*AREAS, "done")),
    "avoid": frozenset((*AVOIDABLE, "done")),
    "pressure": frozenset(PRESSURES),
    "health": frozenset(("yes", "no")),
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """32 URL-safe characters (192 random bits); with the prefix, 34 of the 64 allowed."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Answer:
    """What a press or command leads to in the chat it came from."""

    toast: str = ""
    edit: Reply | None = None
    replies: list[Reply] = field(default_factory=list)


@dataclass(frozen=True)
class Relayed:
    name: str | None
    action: str
    note: str = ""


class PartnerService:
    def __init__(
        self,
        store: PartnerStore,
        hooks: PartnerHooks,
        sessions: SessionService,
        catalog: Catalog,
        sender: Sender,
        *,
        clock: Clock = time.time,
        relay_interval: float = 1.0,
    ) -> None:
        self.store = store
        self.hooks = hooks
        self._sessions = sessions
        self._catalog = catalog
        self._sender = sender
        self._clock = clock
        self._relay: Paced[Relayed] = Paced(self._send_relay, interval=relay_interval)

    async def start(self) -> None:
        await self.store.drop_expired_invites(self._clock())
        await self.hooks.load()

    async def drain(self) -> None:
        await self._relay.drain()
        await self.hooks.drain()

    async def _tell(self, chat_id: int, reply: Reply) -> bool:
        """Send to the other chat of a link; False when it could not be reached."""
        try:
            await self._sender.send(chat_id, reply)
        except ChatUnreachable:
            return False
        except Exception as error:
            log.warning("partner message to %s not sent: %s", chat_id, error)
            return False
        return True

    # -- invite and join -------------------------------------------------------------------

    async def invite(self, giver: int, bot_username: str | None) -> Reply:
        if await self.store.link_of(giver) is not None:
            return Reply(replies.ALREADY_LINKED)
        if not bot_username:
            return Reply(replies.NO_USERNAME)
        token, now = new_token(), self._clock()
        session = await self._sessions.open_session(giver)
        await self.store.add_invite(
            token_hash(token), giver, session.id if session else None, now, now + INVITE_TTL
        )
        link = f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"
        return replies.invite_reply(link, during_session=session is not None)

    async def join(self, receiver: int, parameter: str, name: str | None) -> Answer:
        """Link the receiver's chat to the giver's invite, or say kindly why not."""
        token = parameter.removeprefix(INVITE_PREFIX)
        if not _TOKEN.fullmatch(token):
            return Answer(replies=[Reply(replies.FORGED)])
        hashed, now = token_hash(token), self._clock()
        invite = await self.store.invite(hashed)
        if invite is None:
            return Answer(replies=[Reply(replies.FORGED)])
        if invite.giver_chat_id == receiver:
            return Answer(replies=[Reply(replies.OWN)])
        if invite.used_at is not None:
            mine = await self.store.link_of(receiver)
            if mine is not None and mine.giver_chat_id == invite.giver_chat_id:
                return Answer(replies=[Reply(replies.ALREADY_LINKED)])  # tapped it twice
            return Answer(replies=[Reply(replies.USED)])
        if now > invite.expires_at or not await self._session_still_on(
            invite.giver_chat_id, invite.session_id
        ):
            return Answer(replies=[Reply(replies.EXPIRED)])
        if await self.store.link_of(receiver) is not None:
            return Answer(replies=[Reply(replies.RECEIVER_BUSY)])
        if await self.store.link_of(invite.giver_chat_id) is not None:
            return Answer(replies=[Reply(replies.GIVER_BUSY)])
        link = await self.store.use_invite(hashed, invite.giver_chat_id, receiver, now)
        if link is None:  # used or linked by someone else a moment ago
            return Answer(replies=[Reply(replies.USED)])
        self.hooks.linked(link.giver_chat_id)
        last = await self.store.remembered(link.giver_chat_id, receiver)
        await self._tell(link.giver_chat_id, replies.linked_giver_reply(name, link.id, last))
        first = replies.checkin_reply(link.id, "focus", Preferences(), self._catalog)
        return Answer(replies=[replies.linked_receiver_reply(), first])

    async def _session_still_on(self, giver: int, session_id: int | None) -> bool:
        if session_id is None:
            return True
        session = await self._sessions.open_session(giver)
        return session is not None and session.id == session_id

    # -- check-in --------------------------------------------------------------------------

    async def _receivers_link(self, receiver: int, link_id: int) -> Link | None:
        link = await self.store.link(link_id)
        return link if link is not None and link.receiver_chat_id == receiver else None

    async def checkin(self, receiver: int, press: cb.PartnerCheckin, name: str | None) -> Answer:
        link = await self._receivers_link(receiver, press.link_id)
        if link is None:
            return Answer(toast=replies.STALE)
        prefs, step, choice = link.prefs, press.step, press.choice
        if choice not in _CHOICES[step]:
            return Answer(toast=replies.STALE)
        if step in ("focus", "avoid") and choice != "done":
            prefs = prefs.toggled(step, choice)
            await self.store.save_checkin(link.id, prefs, step)
            return Answer(edit=replies.checkin_reply(link.id, step, prefs, self._catalog))
        if step == "focus":
            await self.store.save_checkin(link.id, prefs, "avoid")
            return Answer(edit=replies.checkin_reply(link.id, "avoid", prefs, self._catalog))
        if step == "avoid":
            await self.store.save_checkin(link.id, prefs, "pressure")
            return Answer(edit=replies.checkin_reply(link.id, "pressure", prefs, self._catalog))
        if step == "pressure":
            prefs = replace(prefs, pressure=choice)
            await self.store.save_checkin(link.id, prefs, "health")
            return Answer(edit=replies.checkin_reply(link.id, "health", prefs, self._catalog))
        return await self._checked_in(link, prefs, "flagged" if choice == "yes" else "clear", name)

    async def _checked_in(
        self, link: Link, prefs: Preferences, health: str, name: str | None
    ) -> Answer:
        now = self._clock()
        await self.store.save_checkin(link.id, prefs, "done", health)
        await self.store.remember(link.giver_chat_id, link.receiver_chat_id, prefs, now)
        giver = link.giver_chat_id
        await self._tell(
            giver, replies.giver_summary_reply(name, prefs, health, adapted=not prefs.empty)
        )
        if health == "flagged":
            for card in replies.safety_cards(self._catalog, replies.HEALTH_ENTRIES):
                await self._tell(link.receiver_chat_id, Reply(card))
                await self._tell(giver, Reply(card))
            await self._tell(giver, replies.health_flagged_giver(link.id, name))
            await self._hold(giver)
        await self._show_remote(link.id)
        return Answer(edit=replies.checkin_done_reply(prefs, health))

    async def _hold(self, giver: int) -> None:
        """Pause the giver's running session (a second ouch, or a health condition said
        mid-session: then resuming waits until the giver has read the card)."""
        scale = self._sessions.scale

        def pause(state: SessionState, now: float) -> SessionState | None:
            if state.status != "running" or state.showing is None:
                return None
            return transitions.pause(state, now, scale)

        paused = await self._sessions.adjust(giver, pause)
        if paused is not None:
            await self._tell(giver, paused_reply(paused))

    async def _show_remote(self, link_id: int) -> None:
        """Put the remote on the receiver's phone, showing the session as it is now."""
        link = await self.store.link(link_id)
        if link is None:
            return
        session = await self._sessions.open_session(link.giver_chat_id)
        try:
            await self.hooks.show(link, session if session and session.status != "ready" else None)
        except ChatUnreachable:
            await self.hooks.receiver_gone(link)
        except Exception as error:
            log.warning("link %s: remote not shown: %s", link.id, error)

    async def same_as_last_time(self, giver: int, link_id: int) -> Answer:
        link = await self.store.link(link_id)
        if link is None or link.giver_chat_id != giver:
            return Answer(toast=replies.STALE)
        prefs = await self.store.remembered(giver, link.receiver_chat_id)
        if prefs is None:
            return Answer(toast=replies.NOTHING_SAVED)
        await self.store.save_checkin(link.id, prefs, "health")
        await self._tell(
            link.receiver_chat_id,
            replies.checkin_reply(link.id, "health", prefs, self._catalog),
        )
        return Answer(replies=[replies.same_as_last_time_reply(prefs)])

    async def safety_read(self, giver: int, link_id: int) -> Answer:
        link = await self.store.link(link_id)
        if link is None or link.giver_chat_id != giver:
            return Answer(toast=replies.STALE)
        if link.health == "flagged":
            await self.store.set_health(link.id, "read")
            await self._tell(
                link.receiver_chat_id, Reply(replies.SAFETY_READ_RECEIVER, notify=False)
            )
        return Answer(toast="Thanks", replies=[Reply(replies.SAFETY_READ)])

    # -- the remote ------------------------------------------------------------------------

    async def remote(self, receiver: int, press: cb.PartnerRemote, name: str | None) -> Answer:
        link = await self._receivers_link(receiver, press.link_id)
        if link is None:
            return Answer(toast=replies.STALE)
        if link.receiver_gone:  # they unblocked us: the remote works again
            await self.store.set_receiver_gone(link.id, False)
        giver = link.giver_chat_id
        session = await self._sessions.open_session(giver)
        if session is None or session.status == "ready" or session.showing is None:
            return Answer(toast=replies.NO_SESSION_RUNNING)
        note, pause_card = await self._act(link, session, press.action)
        self._relay.submit(giver, Relayed(name, press.action, note))
        if pause_card:
            await self._warn_both(link)
        return Answer(toast=replies.SENT)

    async def _act(self, link: Link, session: SessionState, action: str) -> tuple[str, bool]:
        """Apply a press to the giver's session; (a note for the giver, show the card)."""
        giver, scale = link.giver_chat_id, self._sessions.scale
        if action == "more":

            def longer(state: SessionState, now: float) -> SessionState | None:
                index = state.showing
                if index is None or state.steps[index].seconds >= MAX_STEP_SECONDS:
                    return None
                return transitions.extend(state, EXTEND_SECONDS, now, scale)

            await self._sessions.adjust(giver, longer)
        elif action == "next":
            await self._sessions.adjust(
                giver, lambda s, now: transitions.skip(s, now) if s.status == "running" else None
            )
        elif action == "ouch":
            return await self._ouch(link, session)
        return "", False

    async def _ouch(self, link: Link, session: SessionState) -> tuple[str, bool]:
        giver, scale = link.giver_chat_id, self._sessions.scale
        if await self.store.add_ouch(link.id, session.id) >= 2:
            await self._hold(giver)
            return replies.OUCH_PAUSED, True
        prefs, replaced = link.prefs, [False]

        def ease(state: SessionState, now: float) -> SessionState | None:
            index = state.showing
            if index is None or state.status not in ("running", "paused"):
                return None
            left = max(1, round(transitions.remaining(state, now, scale) / scale))
            softer = gentler(state.steps[index], self._catalog, prefs, left)
            if softer is None:
                return transitions.skip(state, now)
            replaced[0] = True
            return transitions.redo_with(state, softer, now)

        await self._sessions.adjust(giver, ease)
        change = replies.OUCH_REPLACED if replaced[0] else replies.OUCH_SKIPPED
        return replies.OUCH_GIVER.format(change=change), False

    async def _warn_both(self, link: Link) -> None:
        entry = self._catalog.get(replies.WARNING_ENTRY)
        cards = replies.safety_cards(self._catalog, (replies.WARNING_ENTRY,)) if entry else []
        text = cards[0] if cards else replies.WARNING_FALLBACK
        await self._tell(link.giver_chat_id, Reply(text))
        await self._tell(
            link.receiver_chat_id, Reply(replies.OUCH_PAUSED_RECEIVER + "\n\n" + text)
        )

    async def _send_relay(self, giver: int, items: list[Relayed]) -> None:
        name = items[-1].name
        notes = [item.note for item in items if item.note]
        reply = replies.relay_reply(name, [item.action for item in items], notes)
        await self._tell(giver, reply)

    # -- after -----------------------------------------------------------------------------

    async def rate(self, receiver: int, press: cb.PartnerRate, name: str | None) -> Answer:
        link = await self._receivers_link(receiver, press.link_id)
        if link is None or link.session_id != press.session_id:
            return Answer(toast=replies.STALE)
        await self.store.rate(
            press.session_id, link.giver_chat_id, receiver, press.stars, self._clock()
        )
        await self._tell(link.giver_chat_id, replies.rated_giver_reply(name, press.stars))
        return Answer(toast="Thanks!", edit=Reply(replies.RATED))

    # -- managing the link -----------------------------------------------------------------

    async def status(self, chat_id: int) -> Reply:
        link = await self.store.link_of(chat_id)
        if link is None:
            return replies.not_linked_reply()
        is_giver = link.giver_chat_id == chat_id
        saved = await self.store.remembered(link.giver_chat_id, link.receiver_chat_id)
        return replies.status_reply(is_giver, link.prefs, saved is not None)

    async def unlink(self, chat_id: int) -> Reply:
        link = await self.store.unlink(chat_id)
        if link is None:
            return Reply(replies.NOT_LINKED)
        self.hooks.unlinked(link.giver_chat_id)
        await self._tell(link.other(chat_id), replies.unlinked_reply(by_you=False))
        return replies.unlinked_reply(by_you=True)

    async def change(self, receiver: int) -> Answer:
        link = await self.store.link_of(receiver)
        if link is None or link.receiver_chat_id != receiver:
            return Answer(toast=replies.STALE, replies=[Reply(replies.NOT_LINKED)])
        await self.store.save_checkin(link.id, link.prefs, "focus", "")
        return Answer(replies=[replies.checkin_reply(link.id, "focus", link.prefs, self._catalog)])

    async def delete_preferences(self, receiver: int) -> Reply:
        deleted = await self.store.forget_preferences(receiver)
        return Reply(replies.PREFERENCES_DELETED if deleted else replies.NOTHING_SAVED)
