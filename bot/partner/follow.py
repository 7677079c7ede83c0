"""Partner mode inside a guided session: the plan adapter, the safety gate, the remote.

``PartnerHooks`` is the session's ``SessionHooks``. It is built before the session service
(which calls it) and given to the partner service too, so nothing is wired afterwards.
The receiver's remote is one message, edited at most once a second with the newest state;
a receiver who blocked the bot is marked gone and the giver's session goes on untouched.
"""

from __future__ import annotations

import logging

from bot.catalog.entries import Catalog
from bot.messaging import ChatUnreachable, Reply, Sender, SendFailed
from bot.partner import replies
from bot.partner.pace import Paced
from bot.partner.prefs import adapt
from bot.partner.store import Link, PartnerStore
from bot.sessions.plan import Plan
from bot.sessions.state import ENDED, SessionState

log = logging.getLogger(__name__)


class PartnerHooks:
    """What a linked partner changes about the giver's session."""

    def __init__(
        self, store: PartnerStore, catalog: Catalog, sender: Sender, *, edit_interval: float = 1.0
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._sender = sender
        # Givers with a link: a session step of anyone else costs no database read.
        self._linked: set[int] = set()
        self._remote: Paced[SessionState] = Paced(self._show, interval=edit_interval)
        self._names = {entry.id: entry.title for entry in catalog.of_kind("technique")}

    async def load(self) -> None:
        self._linked = set(await self._store.givers())

    def linked(self, giver: int) -> None:
        self._linked.add(giver)

    def unlinked(self, giver: int) -> None:
        self._linked.discard(giver)

    # -- SessionHooks ------------------------------------------------------------------------

    async def adapt(self, chat_id: int, plan: Plan) -> Plan:
        if chat_id not in self._linked:
            return plan
        link = await self._store.link_of(chat_id)
        if link is None or link.giver_chat_id != chat_id:
            return plan
        return adapt(plan, link.prefs, self._catalog)

    async def start_blocked(self, chat_id: int) -> Reply | None:
        if chat_id not in self._linked:
            return None
        link = await self._store.link_of(chat_id)
        if link is None or link.giver_chat_id != chat_id or link.health != "flagged":
            return None
        return replies.start_blocked_reply(link.id)

    def changed(self, state: SessionState) -> None:
        if state.chat_id in self._linked:
            self._remote.submit(state.chat_id, state)

    async def drain(self) -> None:
        await self._remote.drain()

    # -- the remote --------------------------------------------------------------------------

    def remote_reply(self, link: Link, state: SessionState | None) -> Reply:
        return replies.remote_reply(link.id, state, self._names)

    async def _show(self, giver: int, states: list[SessionState]) -> None:
        """Bring the receiver's remote up to date with the newest of ``states``."""
        state = states[-1]
        link = await self._store.link_of(giver)
        if link is None or link.giver_chat_id != giver or link.receiver_gone:
            return
        try:
            await self.show(link, state)
            if state.status == "done":
                await self._sender.send(
                    link.receiver_chat_id, replies.rating_reply(link.id, state)
                )
        except ChatUnreachable:
            await self.receiver_gone(link)
        except SendFailed as error:  # held back (429): the next change shows the newest
            log.debug("remote of link %s not updated: %s", link.id, error)

    async def show(self, link: Link, state: SessionState | None) -> None:
        """Edit the remote; send a new one for a new session or when editing fails."""
        reply = self.remote_reply(link, state)
        session_id = state.id if state is not None else 0
        message_id = link.remote_message_id
        if message_id is not None and link.session_id in (None, 0, session_id):
            try:
                await self._sender.edit(link.receiver_chat_id, message_id, reply)
            except (ChatUnreachable, SendFailed):
                raise
            except Exception as error:  # too old to edit, or deleted: send it anew
                log.debug("remote of link %s: edit failed (%s), sending anew", link.id, error)
            else:
                if link.session_id != session_id:
                    await self._store.set_remote(link.id, message_id, session_id)
                return
        if state is not None and state.status in ENDED:
            return
        new_id = await self._sender.send(link.receiver_chat_id, reply)
        await self._store.set_remote(link.id, new_id, session_id)

    async def receiver_gone(self, link: Link) -> None:
        """The receiver blocked the bot: stop sending there, tell the giver once."""
        if link.receiver_gone:
            return
        await self._store.set_receiver_gone(link.id, True)
        log.info("link %s: the receiver's chat is unreachable; the session goes on", link.id)
        try:
            await self._sender.send(link.giver_chat_id, Reply(replies.RECEIVER_GONE, notify=False))
        except Exception as error:
            log.debug("link %s: could not tell the giver (%s)", link.id, error)
