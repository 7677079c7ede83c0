"""What another feature may add to a guided session, without the session knowing which.

Partner mode (``bot.partner``) implements this: it adapts a plan to the receiver's check-in,
holds back Start until the giver has read a safety card, and follows each step on the
receiver's phone. ``NoHooks`` is a session on its own.
"""

from __future__ import annotations

from typing import Protocol

from bot.messaging import Reply
from bot.sessions.plan import Plan
from bot.sessions.state import SessionState


class SessionHooks(Protocol):
    async def adapt(self, chat_id: int, plan: Plan) -> Plan:
        """The plan as this chat's session should run it."""

    async def start_blocked(self, chat_id: int) -> Reply | None:
        """Why the session may not start yet (None: it may)."""

    def changed(self, state: SessionState) -> None:
        """The session moved on (a step shown, paused, ended); must return at once."""


class NoHooks:
    """A session with nobody else involved."""

    async def adapt(self, chat_id: int, plan: Plan) -> Plan:
        return plan

    async def start_blocked(self, chat_id: int) -> Reply | None:
        return None

    def changed(self, state: SessionState) -> None:
        return None
