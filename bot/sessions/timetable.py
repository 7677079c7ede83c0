"""The timed sends of guided sessions: the scheduler's ``sessions`` DueSource.

The database is the truth and the timetable. Each open session is one row; its pending event
(show a step, the halfway cue, the finish) falls due at ``due_at``. ``run_due`` claims the
due rows in one statement, sends each chat's message concurrently, and commits the next event
after the send. So a normal stop (which waits for sends in flight) never repeats a message,
and a kill in the middle of a send repeats at most that one message: the claimed row is
still due when the bot comes back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from bot.catalog.entries import Catalog
from bot.locks import ChatLocks
from bot.messaging import ChatUnreachable, Reply, Sender, SendFailed
from bot.scheduler import Waker
from bot.sessions import replies
from bot.sessions.state import Fired, SessionState, fire
from bot.sessions.store import SessionStore
from bot.storage import StorageError
from bot.unreachable import end_chat

log = logging.getLogger(__name__)

Clock = Callable[[], float]
# (chat id, due time, time the send completed): lets the benchmark measure lateness.
SendObserver = Callable[[int, float, float], None]

NAME = "sessions"
MAX_FAILURES = 5
# Saving a sent step's progress while the database is locked or full: 0.5 s, doubling, 10 s.
SAVE_RETRY_FIRST = 0.5
SAVE_RETRY_MAX = 10.0


class SessionTimetable:
    """Claims due session events, sends them, and writes back the next event."""

    name = NAME

    def __init__(
        self,
        store: SessionStore,
        catalog: Catalog,
        scheduler: Waker,
        sender: Sender,
        locks: ChatLocks,
        *,
        scale: float,
        clock: Clock = time.time,
        on_sent: SendObserver | None = None,
        concurrency: int = 32,
        batch: int = 2000,
        quantum: float = 0.005,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._scheduler = scheduler
        self._sender = sender
        self._locks = locks
        self._scale = scale
        self._clock = clock
        self._on_sent = on_sent
        self._batch = batch
        self._limit = asyncio.Semaphore(concurrency)
        self._inflight: set[asyncio.Task[None]] = set()
        # When the scheduler will look next (None: not before its longest sleep), and
        # whether it is looking right now: a finished step wakes it only when its next
        # event falls due before that, instead of after every step.
        self._planned: float | None = None
        self._looking = False
        # Steps fall due a millisecond apart at a thousand sessions; looking at most every
        # few milliseconds sends them in batches (one claim, one read, one commit each)
        # for at most that much extra lateness.
        self._quantum = quantum
        self._last_run = float("-inf")
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def recover(self) -> int:
        """Release claims a killed process left behind: those sends may not have happened."""
        return await self._store.release_claims()

    async def drain(self) -> None:
        """Wait for every send in flight and its commit (call after the scheduler stops)."""
        self._stopping = True
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    # -- DueSource ---------------------------------------------------------------------------

    async def next_due(self) -> float | None:
        self._looking = True
        try:
            due = await self._store.earliest_due()
        finally:
            self._looking = False
        if due is not None:
            due = max(due, self._last_run + self._quantum)
        self._planned = due
        return due

    async def run_due(self, now: float) -> None:
        """Claim every due event and send them concurrently; returns without waiting."""
        self._last_run = now
        claim = self._clock()
        for session_id, chat_id in await self._store.claim_due(claim, now, self._batch):
            task = asyncio.create_task(self._fire(session_id, chat_id, claim))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    def _rescheduled(self, due: float | None) -> None:
        """A fired session was written back with its next event at ``due``: wake the
        scheduler only if it would otherwise sleep past it (or is reading the timetable
        while the write landed, so may have missed it)."""
        if due is None:
            return
        if self._looking or self._planned is None or due < self._planned:
            self._planned = due if self._planned is None else min(due, self._planned)
            self._scheduler.wake(self.name)

    # -- one send ----------------------------------------------------------------------------

    async def _fire(self, session_id: int, chat_id: int, claim: float) -> None:
        try:
            async with self._limit, self._locks.hold(chat_id):
                due = await self._fire_locked(session_id, chat_id, claim)
        except Exception:
            log.exception("session %s: could not send its due step", session_id)
            self._scheduler.wake(self.name)
            return
        self._rescheduled(due)

    async def _fire_locked(self, session_id: int, chat_id: int, claim: float) -> float | None:
        """Send the claimed event; returns when the session's next event falls due."""
        state = await self._store.load_claimed(session_id, claim)
        if state is None:
            return None  # changed by a person's action since it was claimed
        if state.status != "running" or state.due_at is None:
            await self._persist(state)  # releases the claim
            return state.due_at
        due, now = state.due_at, self._clock()
        fired = fire(state, now, self._scale)
        try:
            message_id = await self._sender.send(chat_id, self._render(fired))
        except Exception as error:
            return await self._send_failed(state, now, error)
        sent_at = self._clock()
        saved = replace(fired.state, failures=0, message_ids=(*state.message_ids, message_id))
        await self._persist(saved)
        if self._on_sent is not None:
            self._on_sent(chat_id, due, sent_at)
        return saved.due_at

    async def _send_failed(
        self, state: SessionState, now: float, error: Exception
    ) -> float | None:
        """Record a send that did not go out; returns when to try again (None: never)."""
        if isinstance(error, ChatUnreachable):
            # Ends the session and pauses the chat's reminders too, logged once.
            try:
                await end_chat(self._store.storage, state.chat_id, now, str(error))
            except StorageError:
                await self._persist(replace(state, status="gone", due_at=None, ended_at=now))
            return None
        if isinstance(error, SendFailed):
            # Telegram held us back (429) or timed out: the same event, a little later.
            later = replace(state, due_at=self._clock() + max(0.1, error.retry_after))
            await self._persist(later)
            return later.due_at
        log.error("session %s: sending failed", state.id, exc_info=error)
        failures = state.failures + 1
        if failures >= MAX_FAILURES:
            await self._persist(
                replace(state, status="failed", due_at=None, ended_at=now, failures=failures)
            )
            return None
        retry = replace(state, failures=failures, due_at=self._clock() + 2.0 * failures)
        await self._persist(retry)
        return retry.due_at

    async def _persist(self, state: SessionState) -> None:
        """Write what a timed send led to. While the database is locked or full, keep trying
        with backoff (holding the claim, so the step is not sent again); once it works the
        session goes on. A stop gives up: the claim is released at the next start, which
        repeats at most that one message."""
        delay = SAVE_RETRY_FIRST
        while True:
            try:
                await self._store.save_grouped(state)
            except StorageError as error:
                if self._stopping:
                    raise
                if delay == SAVE_RETRY_FIRST:
                    log.warning(
                        "session %s: could not save its progress (%s); trying again",
                        state.id,
                        error,
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, SAVE_RETRY_MAX)
            else:
                if delay > SAVE_RETRY_FIRST:
                    log.info("session %s: progress saved after all", state.id)
                return

    def _render(self, fired: Fired) -> Reply:
        state = fired.state
        if fired.kind == "step":
            return replies.step_reply(state, fired.index, self._catalog, late=fired.late)
        if fired.kind == "halfway":
            return replies.halfway_reply(state, fired.index, late=fired.late)
        return replies.aftercare_reply(state, self._catalog)
