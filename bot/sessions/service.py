"""Guided sessions' use cases: offer a plan, start, pause, resume, skip, stop, rate, history.

Each use case holds the chat's lock while it reads the session, applies a pure transition
(``state.py``) and writes it back, so it never interleaves with a timed send of that chat
(``timetable.py`` holds the same lock).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.catalog.entries import Catalog
from bot.locks import ChatLocks
from bot.messaging import Reply, Sender
from bot.scheduler import Waker
from bot.sessions import replies
from bot.sessions import state as transitions
from bot.sessions.plan import Plan, PlanKind, default_minutes, plan_practice, plan_routine
from bot.sessions.state import SessionState
from bot.sessions.store import SessionStore
from bot.sessions.timetable import Clock, SendObserver, SessionTimetable
from bot.storage import Storage


@dataclass(frozen=True)
class Outcome:
    """What a person's action led to: a message to show, and/or a short button answer."""

    reply: Reply | None = None
    toast: str = ""
    stale: bool = False


class SessionService:
    """Guided sessions: the handlers' entry points; ``timetable`` is the scheduler's source."""

    def __init__(
        self,
        storage: Storage,
        catalog: Catalog,
        scheduler: Waker,
        sender: Sender,
        *,
        scale: float = 1.0,
        clock: Clock = time.time,
        on_sent: SendObserver | None = None,
        concurrency: int = 32,
        batch: int = 2000,
        quantum: float = 0.005,
    ) -> None:
        self.catalog = catalog
        self.store = SessionStore(storage)
        self._scheduler = scheduler
        self._scale = scale
        self._clock = clock
        self._locks = ChatLocks()
        self.timetable = SessionTimetable(
            self.store,
            catalog,
            scheduler,
            sender,
            self._locks,
            scale=scale,
            clock=clock,
            on_sent=on_sent,
            concurrency=concurrency,
            batch=batch,
            quantum=quantum,
        )

    async def open_session(self, chat_id: int) -> SessionState | None:
        return await self.store.open_session(chat_id)

    # -- starting ----------------------------------------------------------------------------

    def menu(self) -> Reply:
        routines = self.catalog.of_kind("routine")
        return replies.menu_reply([(routine, default_minutes(routine)) for routine in routines])

    def plan(self, kind: PlanKind, entry_id: str, minutes: int | None = None) -> Plan | None:
        """The plan for a routine (fitted to ``minutes``) or a technique drill; None if unknown."""
        entry = self.catalog.get(entry_id)
        if kind == "routine" and entry is not None and entry.kind == "routine":
            return plan_routine(entry, minutes)
        if kind == "practice" and entry is not None and entry.kind == "technique":
            return plan_practice(entry)
        return None

    async def offer(
        self, chat_id: int, plan: Plan, *, minutes: int | None = None, replacing: bool = False
    ) -> Reply:
        """Create a session waiting for Start (the checklist), or ask before replacing one."""
        async with self._locks.hold(chat_id):
            current = await self.store.open_session(chat_id)
            if current is not None and current.status != "ready" and not replacing:
                return replies.replace_reply(current, plan, minutes)
            now = self._clock()
            ending = None if current is None else transitions.stop(current, now, self._scale)
            session_id = await self.store.create(chat_id, plan, now, ending)
        state = SessionState(
            id=session_id,
            chat_id=chat_id,
            kind=plan.kind,
            entry_id=plan.entry_id,
            title=plan.title,
            steps=plan.steps,
            status="ready",
            created_at=now,
        )
        return replies.checklist_reply(state, self.catalog, plan.notice)

    # -- controls ----------------------------------------------------------------------------

    async def control(
        self, chat_id: int, action: str, session_id: int | None = None, step: int | None = None
    ) -> Outcome | None:
        """Pause, resume, skip, stop or go (Start); None when the chat has no open session.

        With ``session_id`` and ``step`` (a button), a press that no longer applies is stale.
        """
        async with self._locks.hold(chat_id):
            state = await self.store.open_session(chat_id)
            if state is None:
                return Outcome(toast=replies.STEP_OVER, stale=True) if session_id else None
            if session_id is not None and not self._current(state, action, session_id, step):
                return Outcome(toast=replies.STEP_OVER, stale=True)
            outcome, changed = self._apply(state, action, self._clock())
            if changed is not None:
                await self.store.save(changed)
                if changed.due_at is not None:
                    self._scheduler.wake(self.timetable.name)
            return outcome

    @staticmethod
    def _current(state: SessionState, action: str, session_id: int, step: int | None) -> bool:
        if state.id != session_id:
            return False
        if action == "go":
            return state.status == "ready"
        shown = state.showing
        return (shown if shown is not None else 0) == step

    def _apply(
        self, state: SessionState, action: str, now: float
    ) -> tuple[Outcome, SessionState | None]:
        scale = self._scale
        if action == "stop":
            ended = transitions.stop(state, now, scale)
            return Outcome(replies.stopped_reply(ended), toast=replies.TOAST_STOPPED), ended
        if state.status == "ready":
            if action in ("go", "resume", "skip"):
                return Outcome(toast=replies.TOAST_GO), transitions.begin(state, now)
            return Outcome(Reply(replies.NOT_STARTED)), None
        if action == "pause":
            if state.status == "paused" or state.showing is None:
                shown = replies.paused_reply(state) if state.status == "paused" else None
                return Outcome(shown), None
            paused = transitions.pause(state, now, scale)
            return Outcome(replies.paused_reply(paused), toast=replies.TOAST_PAUSED), paused
        if action in ("resume", "go"):
            if state.status != "paused":
                return Outcome(Reply(replies.ALREADY_GOING)), None
            resumed = transitions.resume(state, now, scale)
            reply = replies.resumed_reply(resumed, now, scale)
            return Outcome(reply, toast=replies.TOAST_RESUMED), resumed
        return Outcome(toast=replies.TOAST_NEXT), transitions.skip(state, now)

    async def rate(self, chat_id: int, session_id: int, stars: int) -> bool:
        """Store a 1-5 rating of a finished session; False when there is nothing to rate."""
        return await self.store.rate(chat_id, session_id, stars)

    # -- history -----------------------------------------------------------------------------

    async def history(self, chat_id: int) -> Reply:
        items = await self.store.history(chat_id)
        return replies.history_reply(
            items, today=datetime.fromtimestamp(self._clock(), UTC).date()
        )
