"""Guided sessions over the database: start, control, history, and the timed step sends.

The database is the truth and the timetable. Each open session is one row; its pending event
(show a step, the halfway cue, the finish) falls due at ``due_at``. The scheduler claims the
due rows in one statement, sends each chat's message concurrently, and commits the next event
after the send. So a normal stop (which waits for sends in flight) never repeats a message,
and a kill in the middle of a send repeats at most that one message: the claimed row is
still due when the bot comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from bot import sessions as core
from bot.catalog.entries import Catalog
from bot.config import Settings
from bot.messaging import ChatUnreachable, Reply, Sender, SendFailed
from bot.scheduler import DueScheduler
from bot.sessions import Plan, SessionState
from bot.storage import Storage, StorageError
from bot.text import format_minutes, html_text
from bot.unreachable import end_chat

log = logging.getLogger(__name__)

Clock = Callable[[], float]
# (chat id, due time, time the send completed): lets the benchmark measure lateness.
SendObserver = Callable[[int, float, float], None]

MAX_FAILURES = 5
# Saving a sent step's progress while the database is locked or full: 0.5 s, doubling, 10 s.
SAVE_RETRY_FIRST = 0.5
SAVE_RETRY_MAX = 10.0
HISTORY_LIMIT = 5

_UPDATE = (
    "UPDATE sessions SET status = ?, step = ?, next_event = ?, step_started_at = ?, "
    "due_at = ?, paused_remaining = ?, claimed_at = NULL, failures = ?, message_ids = ?, "
    "ended_at = ?, steps_done = ?, seconds_done = ? WHERE id = ?"
)


def _params(state: SessionState) -> tuple[object, ...]:
    return (
        state.status,
        state.step,
        state.next_event,
        state.step_started_at,
        state.due_at,
        state.paused_remaining,
        state.failures,
        json.dumps(list(state.message_ids)),
        state.ended_at,
        state.steps_done,
        state.seconds_done,
        state.id,
    )


# Every column, in the order _state reads them (rows are plain tuples).
_COLUMNS = (
    "id, chat_id, kind, entry_id, title, plan, status, step, next_event, step_started_at, "
    "due_at, paused_remaining, failures, message_ids, created_at, ended_at, steps_done, "
    "seconds_done, rating, claimed_at"
)


def _state(row: sqlite3.Row) -> SessionState:
    return SessionState(
        id=row[0],
        chat_id=row[1],
        kind=row[2],
        entry_id=row[3],
        title=row[4],
        steps=core.plan_from_json(row[5]),
        status=row[6],
        step=row[7],
        next_event=row[8],
        step_started_at=row[9],
        due_at=row[10],
        paused_remaining=row[11],
        failures=row[12],
        message_ids=tuple(json.loads(row[13])),
        created_at=row[14],
        ended_at=row[15],
        steps_done=row[16],
        seconds_done=row[17],
        rating=row[18],
    )


class ChatLocks:
    """One lock per chat, held while a session is read, sent for and written back."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


class GroupCommit:
    """Writes many sessions' updates in one transaction: one commit for a burst of sends."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._pending: list[tuple[tuple[object, ...], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def save(self, state: SessionState) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((_params(state), future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="sessions:commit")
        await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self._storage.transaction() as db:
                    await db.executemany(_UPDATE, [params for params, _ in batch])
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(None)


class GroupRead:
    """Reads many claimed sessions in one query: one database round trip for a burst of steps.

    Each caller asks while holding its chat's lock, so the row it gets back is read after
    any change a person's action made before the lock was taken.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._pending: dict[int, list[asyncio.Future[sqlite3.Row | None]]] = {}
        self._task: asyncio.Task[None] | None = None

    async def load(self, session_id: int) -> sqlite3.Row | None:
        future: asyncio.Future[sqlite3.Row | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(session_id, []).append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="sessions:read")
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            ids = list(batch)
            rows: dict[int, sqlite3.Row] = {}
            try:
                # At most 500 ids a statement: well inside SQLite's bound-variable limit.
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ", ".join("?" * len(chunk))
                    for row in await self._storage.fetchall(
                        f"SELECT {_COLUMNS} FROM sessions WHERE id IN ({marks})", chunk
                    ):
                        rows[row[0]] = row
            except Exception as error:
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(error)
                continue
            for session_id, futures in batch.items():
                for future in futures:
                    if not future.done():
                        future.set_result(rows.get(session_id))


@dataclass(frozen=True)
class Outcome:
    """What a person's action led to: a message to show, and/or a short button answer."""

    reply: Reply | None = None
    toast: str = ""
    stale: bool = False


@dataclass(frozen=True)
class HistoryItem:
    title: str
    ended_at: float
    status: str
    steps_done: int
    total_steps: int
    seconds_done: int
    rating: int | None


class SessionService:
    """Guided sessions: the handlers' entry points and the scheduler's ``sessions`` source."""

    name = "sessions"

    def __init__(
        self,
        storage: Storage,
        catalog: Catalog,
        settings: Settings,
        scheduler: DueScheduler,
        *,
        clock: Clock = time.time,
        concurrency: int = 32,
        batch: int = 2000,
        quantum: float = 0.005,
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.scheduler = scheduler
        self.scale = settings.time_scale
        self.sender: Sender | None = None
        self.on_sent: SendObserver | None = None
        self._clock = clock
        self._batch = batch
        self._limit = asyncio.Semaphore(concurrency)
        self._locks = ChatLocks()
        self._commit = GroupCommit(storage)
        self._read = GroupRead(storage)
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
        return await self.storage.execute(
            "UPDATE sessions SET claimed_at = NULL WHERE claimed_at IS NOT NULL"
        )

    async def drain(self) -> None:
        """Wait for every send in flight and its commit (call after the scheduler stops)."""
        self._stopping = True
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    # -- reading -----------------------------------------------------------------------------

    async def open_session(self, chat_id: int) -> SessionState | None:
        row = await self.storage.fetchone(
            f"SELECT {_COLUMNS} FROM sessions WHERE chat_id = ? "
            "AND status IN ('ready', 'running', 'paused')",
            (chat_id,),
        )
        return _state(row) if row else None

    async def _save(self, state: SessionState) -> None:
        await self.storage.execute(_UPDATE, _params(state))

    # -- starting ----------------------------------------------------------------------------

    def menu(self) -> Reply:
        return core.menu_reply(self.catalog)

    def plan(self, kind: str, entry_id: str, minutes: int | None = None) -> Plan | None:
        """The plan for a routine (fitted to ``minutes``) or a technique drill; None if unknown."""
        entry = self.catalog.get(entry_id)
        if kind == "routine" and entry is not None and entry.kind == "routine":
            return core.plan_routine(entry, minutes)
        if kind == "practice" and entry is not None and entry.kind == "technique":
            return core.plan_practice(entry)
        return None

    async def offer(
        self, chat_id: int, plan: Plan, *, minutes: int | None = None, replacing: bool = False
    ) -> Reply:
        """Create a session waiting for Start (the checklist), or ask before replacing one."""
        async with self._locks.hold(chat_id):
            current = await self.open_session(chat_id)
            if current is not None and current.status != "ready" and not replacing:
                return core.replace_reply(current, plan, minutes)
            now = self._clock()
            async with self.storage.transaction() as db:
                if current is not None:
                    ended = core.stop(current, now, self.scale)
                    await db.execute(_UPDATE, _params(ended))
                cursor = await db.execute(
                    "INSERT INTO sessions (chat_id, kind, entry_id, title, plan, length_seconds,"
                    " status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ready', ?)",
                    (
                        chat_id,
                        plan.kind,
                        plan.entry_id,
                        plan.title,
                        core.plan_to_json(plan.steps),
                        plan.seconds,
                        now,
                    ),
                )
                session_id = cursor.lastrowid
            assert session_id is not None
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
        return core.checklist_reply(state, self.catalog, plan.notice)

    # -- controls ----------------------------------------------------------------------------

    async def control(
        self, chat_id: int, action: str, session_id: int | None = None, step: int | None = None
    ) -> Outcome | None:
        """Pause, resume, skip, stop or go (Start); None when the chat has no open session.

        With ``session_id`` and ``step`` (a button), a press that no longer applies is stale.
        """
        async with self._locks.hold(chat_id):
            state = await self.open_session(chat_id)
            if state is None:
                return Outcome(toast=core.STEP_OVER, stale=True) if session_id else None
            if session_id is not None and not self._current(state, action, session_id, step):
                return Outcome(toast=core.STEP_OVER, stale=True)
            outcome, changed = self._apply(state, action, self._clock())
            if changed is not None:
                await self._save(changed)
                if changed.due_at is not None:
                    self.scheduler.wake(self.name)
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
        scale = self.scale
        if action == "stop":
            ended = core.stop(state, now, scale)
            return Outcome(core.stopped_reply(ended), toast="Stopped"), ended
        if state.status == "ready":
            if action in ("go", "resume", "skip"):
                return Outcome(toast="Here we go"), core.begin(state, now)
            return Outcome(
                Reply("The session hasn't started yet: press ▶️ Start when you're ready.")
            ), None
        if action == "pause":
            if state.status == "paused" or state.showing is None:
                return Outcome(
                    core.paused_reply(state) if state.status == "paused" else None
                ), None
            paused = core.pause(state, now, scale)
            return Outcome(core.paused_reply(paused), toast="Paused"), paused
        if action in ("resume", "go"):
            if state.status != "paused":
                return Outcome(Reply("We're already going. Type <i>pause</i> to pause.")), None
            resumed = core.resume(state, now, scale)
            return Outcome(core.resumed_reply(resumed, now, scale), toast="Resumed"), resumed
        skipped = core.skip(state, now)
        return Outcome(toast="Next step"), skipped

    async def rate(self, chat_id: int, session_id: int, stars: int) -> bool:
        """Store a 1-5 rating of a finished session; False when there is nothing to rate."""
        changed = await self.storage.execute(
            "UPDATE sessions SET rating = ? WHERE id = ? AND chat_id = ? AND status = 'done'",
            (stars, session_id, chat_id),
        )
        return changed == 1

    # -- history -----------------------------------------------------------------------------

    async def history(self, chat_id: int) -> Reply:
        rows = await self.storage.fetchall(
            "SELECT title, ended_at, status, steps_done, plan, seconds_done, rating "
            "FROM sessions WHERE chat_id = ? AND ended_at IS NOT NULL AND steps_done > 0 "
            "ORDER BY ended_at DESC",
            (chat_id,),
        )
        items = [
            HistoryItem(
                title=title,
                ended_at=ended_at,
                status=status,
                steps_done=steps_done,
                total_steps=len(json.loads(plan)),
                seconds_done=seconds_done,
                rating=rating,
            )
            for title, ended_at, status, steps_done, plan, seconds_done, rating in rows
        ]
        return history_reply(items, today=datetime.fromtimestamp(self._clock(), UTC).date())

    # -- the timetable (DueSource) -----------------------------------------------------------

    async def next_due(self) -> float | None:
        self._looking = True
        try:
            row = await self.storage.fetchone(
                "SELECT MIN(due_at) FROM sessions WHERE due_at IS NOT NULL AND claimed_at IS NULL"
            )
        finally:
            self._looking = False
        due = float(row[0]) if row is not None and row[0] is not None else None
        if due is not None:
            due = max(due, self._last_run + self._quantum)
        self._planned = due
        return due

    def _rescheduled(self, due: float | None) -> None:
        """A fired session was written back with its next event at ``due``: wake the
        scheduler only if it would otherwise sleep past it (or is reading the timetable
        while the write landed, so may have missed it)."""
        if due is None:
            return
        if self._looking or self._planned is None or due < self._planned:
            self._planned = due if self._planned is None else min(due, self._planned)
            self.scheduler.wake(self.name)

    async def run_due(self, now: float) -> None:
        """Claim every due event and send them concurrently; returns without waiting."""
        if self.sender is None:
            return
        self._last_run = now
        claim = self._clock()
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                "UPDATE sessions SET claimed_at = ? WHERE id IN (SELECT id FROM sessions "
                "WHERE due_at IS NOT NULL AND claimed_at IS NULL AND due_at <= ? "
                "ORDER BY due_at LIMIT ?) RETURNING id, chat_id",
                (claim, now, self._batch),
            )
            claimed = list(await cursor.fetchall())
        for session_id, chat_id in claimed:
            task = asyncio.create_task(self._fire(session_id, chat_id, claim))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def _fire(self, session_id: int, chat_id: int, claim: float) -> None:
        try:
            async with self._limit, self._locks.hold(chat_id):
                due = await self._fire_locked(session_id, chat_id, claim)
        except Exception:
            log.exception("session %s: could not send its due step", session_id)
            self.scheduler.wake(self.name)
            return
        self._rescheduled(due)

    async def _fire_locked(self, session_id: int, chat_id: int, claim: float) -> float | None:
        """Send the claimed event; returns when the session's next event falls due."""
        row = await self._read.load(session_id)
        if row is None or row[19] != claim:
            return None  # changed by a person's action since it was claimed
        state = _state(row)
        if state.status != "running" or state.due_at is None:
            await self._persist(state)  # releases the claim
            return state.due_at
        due, now = state.due_at, self._clock()
        fired = core.fire(state, now, self.scale)
        sender = self.sender
        assert sender is not None
        try:
            message_id = await sender.send(chat_id, self._render(fired))
        except ChatUnreachable as error:
            # Ends the session and pauses the chat's reminders too, logged once.
            try:
                await end_chat(self.storage, chat_id, now, str(error))
            except StorageError:
                await self._persist(replace(state, status="gone", due_at=None, ended_at=now))
            return None
        except SendFailed as error:
            # Telegram held us back (429) or timed out: the same event, a little later.
            later = replace(state, due_at=self._clock() + max(0.1, error.retry_after))
            await self._persist(later)
            return later.due_at
        except Exception:
            log.exception("session %s: sending failed", session_id)
            failures = state.failures + 1
            if failures >= MAX_FAILURES:
                await self._persist(
                    replace(state, status="failed", due_at=None, ended_at=now, failures=failures)
                )
                return None
            retry = replace(state, failures=failures, due_at=self._clock() + 2.0 * failures)
            await self._persist(retry)
            return retry.due_at
        sent_at = self._clock()
        saved = replace(fired.state, failures=0, message_ids=(*state.message_ids, message_id))
        await self._persist(saved)
        if self.on_sent is not None:
            self.on_sent(chat_id, due, sent_at)
        return saved.due_at

    async def _persist(self, state: SessionState) -> None:
        """Write what a timed send led to. While the database is locked or full, keep trying
        with backoff (holding the claim, so the step is not sent again); once it works the
        session goes on. A stop gives up: the claim is released at the next start, which
        repeats at most that one message."""
        delay = SAVE_RETRY_FIRST
        while True:
            try:
                await self._commit.save(state)
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

    def _render(self, fired: core.Fired) -> Reply:
        state = fired.state
        if fired.kind == "step":
            return core.step_reply(state, fired.index, self.catalog, late=fired.late)
        if fired.kind == "halfway":
            return core.halfway_reply(state, fired.index, late=fired.late)
        return core.aftercare_reply(state, self.catalog)


def streak_days(days: set[date], today: date) -> int:
    """Consecutive days with a session, ending today (or yesterday, if none yet today)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def history_reply(items: list[HistoryItem], *, today: date) -> Reply:
    """Recent sessions, total minutes and the streak of days (UTC days)."""
    if not items:
        return Reply("No sessions yet. /session starts your first one 🧘")
    total = sum(item.seconds_done for item in items)
    days = {datetime.fromtimestamp(item.ended_at, UTC).date() for item in items}
    streak = streak_days(days, today)
    lines = [
        "📒 <b>Your sessions</b>",
        f"{len(items)} session{'s' if len(items) != 1 else ''}, "
        f"{round(total / 60)} min in all · 🔥 {streak}-day streak",
        "",
    ]
    for item in items[:HISTORY_LIMIT]:
        when = datetime.fromtimestamp(item.ended_at, UTC).strftime("%d %b")
        stars = f" · {'⭐' * item.rating}" if item.rating else ""
        how = (
            "complete"
            if item.status == "done"
            else f"stopped at {item.steps_done}/{item.total_steps}"
        )
        lines.append(
            f"• {when}: {html_text(item.title)}, "
            f"{format_minutes(item.seconds_done)} ({how}){stars}"
        )
    return Reply("\n".join(lines))
