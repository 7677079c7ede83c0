"""Every SQL statement of the ``sessions`` table; other modules call these instead of their own.

Rows are mapped to ``SessionState`` here. Timed sends of many sessions read and write in
groups (one query, one commit for a burst of steps) through ``GroupRead`` and ``GroupCommit``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

import aiosqlite

from bot.sessions.plan import Plan, plan_from_json, plan_to_json
from bot.sessions.state import HistoryItem, SessionState
from bot.storage import Storage

_UPDATE = (
    "UPDATE sessions SET status = ?, step = ?, next_event = ?, step_started_at = ?, "
    "due_at = ?, paused_remaining = ?, claimed_at = NULL, failures = ?, message_ids = ?, "
    "ended_at = ?, steps_done = ?, seconds_done = ? WHERE id = ?"
)

# Every column, in the order _state reads them (rows are plain tuples).
_COLUMNS = (
    "id, chat_id, kind, entry_id, title, plan, status, step, next_event, step_started_at, "
    "due_at, paused_remaining, failures, message_ids, created_at, ended_at, steps_done, "
    "seconds_done, rating, claimed_at"
)
_CLAIMED_AT = 19

# For queries over chats (alias ``c``): the chat's session ended as unreachable since the
# chat last wrote to us.
GONE_SINCE_LAST_SEEN = (
    "EXISTS (SELECT 1 FROM sessions s WHERE s.chat_id = c.chat_id "
    "AND s.status = 'gone' AND s.ended_at >= c.last_seen_at)"
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


def _state(row: sqlite3.Row) -> SessionState:
    return SessionState(
        id=row[0],
        chat_id=row[1],
        kind=row[2],
        entry_id=row[3],
        title=row[4],
        steps=plan_from_json(row[5]),
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


async def end_open_in(db: aiosqlite.Connection, chat_id: int, now: float) -> int:
    """Inside a transaction: end the chat's open session as ``gone``; returns the count."""
    cursor = await db.execute(
        "UPDATE sessions SET status = 'gone', due_at = NULL, claimed_at = NULL, ended_at = ? "
        "WHERE chat_id = ? AND status IN ('ready', 'running', 'paused')",
        (now, chat_id),
    )
    return cursor.rowcount


async def open_counts(storage: Storage) -> tuple[int, int]:
    """How many sessions are open, and how many of those are running."""
    row = await storage.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(status = 'running'), 0) FROM sessions "
        "WHERE status IN ('ready', 'running', 'paused')"
    )
    assert row is not None
    return int(row[0]), int(row[1])


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
            try:
                rows = await self._rows(list(batch))
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

    async def _rows(self, ids: list[int]) -> dict[int, sqlite3.Row]:
        rows: dict[int, sqlite3.Row] = {}
        # At most 500 ids a statement: well inside SQLite's bound-variable limit.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in await self._storage.fetchall(
                f"SELECT {_COLUMNS} FROM sessions WHERE id IN ({marks})", chunk
            ):
                rows[row[0]] = row
        return rows


class SessionStore:
    """The sessions table of one database."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._commit = GroupCommit(storage)
        self._read = GroupRead(storage)

    async def open_session(self, chat_id: int) -> SessionState | None:
        row = await self.storage.fetchone(
            f"SELECT {_COLUMNS} FROM sessions WHERE chat_id = ? "
            "AND status IN ('ready', 'running', 'paused')",
            (chat_id,),
        )
        return _state(row) if row else None

    async def save(self, state: SessionState) -> None:
        await self.storage.execute(_UPDATE, _params(state))

    async def save_grouped(self, state: SessionState) -> None:
        """Save a timed send's outcome in the same commit as others of its burst."""
        await self._commit.save(state)

    async def load_claimed(self, session_id: int, claim: float) -> SessionState | None:
        """The session claimed at ``claim``; None when gone or changed since the claim."""
        row = await self._read.load(session_id)
        if row is None or row[_CLAIMED_AT] != claim:
            return None
        return _state(row)

    async def create(
        self, chat_id: int, plan: Plan, now: float, ending: SessionState | None = None
    ) -> int:
        """Insert a session waiting for Start, writing ``ending`` (the one it replaces) in the
        same transaction; returns the new session's id."""
        async with self.storage.transaction() as db:
            if ending is not None:
                await db.execute(_UPDATE, _params(ending))
            cursor = await db.execute(
                "INSERT INTO sessions (chat_id, kind, entry_id, title, plan, length_seconds,"
                " status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ready', ?)",
                (
                    chat_id,
                    plan.kind,
                    plan.entry_id,
                    plan.title,
                    plan_to_json(plan.steps),
                    plan.seconds,
                    now,
                ),
            )
            session_id = cursor.lastrowid
        assert session_id is not None
        return session_id

    async def rate(self, chat_id: int, session_id: int, stars: int) -> bool:
        changed = await self.storage.execute(
            "UPDATE sessions SET rating = ? WHERE id = ? AND chat_id = ? AND status = 'done'",
            (stars, session_id, chat_id),
        )
        return changed == 1

    async def history(self, chat_id: int) -> list[HistoryItem]:
        """The chat's ended sessions with at least one step done, newest first."""
        rows = await self.storage.fetchall(
            "SELECT title, ended_at, status, steps_done, plan, seconds_done, rating "
            "FROM sessions WHERE chat_id = ? AND ended_at IS NOT NULL AND steps_done > 0 "
            "ORDER BY ended_at DESC",
            (chat_id,),
        )
        return [
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

    async def release_claims(self) -> int:
        return await self.storage.execute(
            "UPDATE sessions SET claimed_at = NULL WHERE claimed_at IS NOT NULL"
        )

    async def earliest_due(self) -> float | None:
        row = await self.storage.fetchone(
            "SELECT MIN(due_at) FROM sessions WHERE due_at IS NOT NULL AND claimed_at IS NULL"
        )
        return float(row[0]) if row is not None and row[0] is not None else None

    async def claim_due(self, claim: float, now: float, limit: int) -> list[tuple[int, int]]:
        """Mark up to ``limit`` due sessions claimed at ``claim``; their (id, chat id)."""
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                "UPDATE sessions SET claimed_at = ? WHERE id IN (SELECT id FROM sessions "
                "WHERE due_at IS NOT NULL AND claimed_at IS NULL AND due_at <= ? "
                "ORDER BY due_at LIMIT ?) RETURNING id, chat_id",
                (claim, now, limit),
            )
            return [(int(row[0]), int(row[1])) for row in await cursor.fetchall()]
