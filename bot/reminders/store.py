"""Every SQL statement on the reminder tables (``reminders``, ``reminder_pending``) and on
a chat's time zone. Other features call the functions at the bottom instead of writing SQL.

Methods taking ``db`` run inside a transaction the caller opened with ``transaction()``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiosqlite

from bot.reminders.records import Pending, Reminder
from bot.reminders.schedule import Schedule
from bot.storage import Storage

_COLUMNS = (
    "id, chat_id, hour, minute, weekdays, time_zone, next_fire_at, snooze_at, paused, sent_count"
)

# An outcome of a send, as the parameters of the guarded UPDATE in ``mark_sent``:
# (next_fire_at, snooze_at, due_at, sent (0/1), sent_at or None, id, read next_fire_at,
# read snooze_at).
SentMark = tuple[object, ...]


def _reminder(row: sqlite3.Row | Sequence[Any]) -> Reminder:
    return Reminder(
        id=int(row[0]),
        chat_id=int(row[1]),
        schedule=Schedule(int(row[2]), int(row[3]), int(row[4])),
        zone=str(row[5]),
        next_fire_at=float(row[6]),
        snooze_at=None if row[7] is None else float(row[7]),
        paused=bool(row[8]),
        sent_count=int(row[9]),
    )


def _encode(schedules: Sequence[Schedule]) -> str | None:
    return ",".join(f"{s.clock}/{s.weekdays}" for s in schedules) or None


def _decode(text: object) -> tuple[Schedule, ...]:
    if not isinstance(text, str) or not text:
        return ()
    schedules = []
    for item in text.split(","):
        clock, _, mask = item.partition("/")
        hour, _, minute = clock.partition(":")
        schedules.append(Schedule(int(hour), int(minute), int(mask)))
    return tuple(schedules)


class ReminderStore:
    """The reminder tables of one database."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        return self.storage.transaction()

    # -- reads ----------------------------------------------------------------------------------

    async def chat_zone(self, chat_id: int) -> str | None:
        row = await self.storage.fetchone(
            "SELECT time_zone FROM chats WHERE chat_id = ?", (chat_id,)
        )
        return None if row is None or row[0] is None else str(row[0])

    async def for_chat(self, chat_id: int) -> list[Reminder]:
        rows = await self.storage.fetchall(
            f"SELECT {_COLUMNS} FROM reminders WHERE chat_id = ? ORDER BY hour, minute, id",
            (chat_id,),
        )
        return [_reminder(row) for row in rows]

    async def pending(self, chat_id: int, since: float) -> Pending | None:
        row = await self.storage.fetchone(
            "SELECT hour, minute, weekdays, more_times FROM reminder_pending "
            "WHERE chat_id = ? AND asked_at > ?",
            (chat_id, since),
        )
        if row is None:
            return None
        if row[0] is None:
            return Pending(None)
        first = Schedule(int(row[0]), int(row[1]), int(row[2]))
        return Pending(first, _decode(row[3]))

    async def next_due(self) -> float | None:
        row = await self.storage.fetchone(
            "SELECT MIN(due_at) FROM reminders WHERE due_at IS NOT NULL"
        )
        return None if row is None or row[0] is None else float(row[0])

    async def due(self, now: float, limit: int) -> list[Reminder]:
        rows = await self.storage.fetchall(
            f"SELECT {_COLUMNS} FROM reminders WHERE due_at <= ? ORDER BY due_at LIMIT ?",
            (now, limit),
        )
        return [_reminder(row) for row in rows]

    # -- single writes --------------------------------------------------------------------------

    async def cancel_pending(self, chat_id: int) -> bool:
        deleted = await self.storage.execute(
            "DELETE FROM reminder_pending WHERE chat_id = ?", (chat_id,)
        )
        return deleted > 0

    async def delete(self, chat_id: int, reminder_id: int) -> Reminder | None:
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                f"DELETE FROM reminders WHERE id = ? AND chat_id = ? RETURNING {_COLUMNS}",
                (reminder_id, chat_id),
            )
            row = await cursor.fetchone()
        return None if row is None else _reminder(row)

    async def delete_all(self, chat_id: int) -> int:
        async with self.storage.transaction() as db:
            await db.execute("DELETE FROM reminder_pending WHERE chat_id = ?", (chat_id,))
            cursor = await db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount

    async def snooze(self, chat_id: int, reminder_id: int, at: float) -> bool:
        count = await self.storage.execute(
            "UPDATE reminders SET snooze_at = ?, due_at = MIN(next_fire_at, ?), paused = 0 "
            "WHERE id = ? AND chat_id = ?",
            (at, at, reminder_id, chat_id),
        )
        return count > 0

    # -- inside a transaction -------------------------------------------------------------------

    @staticmethod
    async def ensure_chat(db: aiosqlite.Connection, chat_id: int, now: float) -> None:
        # Reminders reference chats; a chat normally exists already (remember_chat).
        await db.execute(
            "INSERT INTO chats (chat_id, first_seen_at, last_seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, now, now),
        )

    @staticmethod
    async def zone_in(db: aiosqlite.Connection, chat_id: int) -> str | None:
        cursor = await db.execute("SELECT time_zone FROM chats WHERE chat_id = ?", (chat_id,))
        row = await cursor.fetchone()
        return None if row is None or row[0] is None else str(row[0])

    @staticmethod
    async def save_zone(db: aiosqlite.Connection, chat_id: int, zone: str) -> None:
        await db.execute("UPDATE chats SET time_zone = ? WHERE chat_id = ?", (zone, chat_id))

    @staticmethod
    async def park(
        db: aiosqlite.Connection, chat_id: int, schedules: Sequence[Schedule], now: float
    ) -> None:
        """Remember the zone question (and the reminders waiting for its answer, if any)."""
        if not schedules:
            await db.execute(
                "INSERT INTO reminder_pending (chat_id, asked_at) VALUES (?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET asked_at = excluded.asked_at",
                (chat_id, now),
            )
            return
        first, more = schedules[0], _encode(schedules[1:])
        await db.execute(
            "INSERT INTO reminder_pending (chat_id, hour, minute, weekdays, more_times, "
            "asked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
            "hour = excluded.hour, minute = excluded.minute, weekdays = excluded.weekdays, "
            "more_times = excluded.more_times, asked_at = excluded.asked_at",
            (chat_id, first.hour, first.minute, first.weekdays, more, now),
        )

    @staticmethod
    async def take_pending(db: aiosqlite.Connection, chat_id: int, since: float) -> list[Schedule]:
        """Delete the chat's zone question; the reminders that waited for it, if any."""
        cursor = await db.execute(
            "DELETE FROM reminder_pending WHERE chat_id = ? AND asked_at > ? "
            "RETURNING hour, minute, weekdays, more_times",
            (chat_id, since),
        )
        row = await cursor.fetchone()
        if row is None or row[0] is None:
            return []
        return [Schedule(int(row[0]), int(row[1]), int(row[2])), *_decode(row[3])]

    @staticmethod
    async def for_chat_in(
        db: aiosqlite.Connection, chat_id: int, *, paused_only: bool = False
    ) -> list[Reminder]:
        sql = f"SELECT {_COLUMNS} FROM reminders WHERE chat_id = ?"
        rows = await db.execute_fetchall(
            sql + (" AND paused = 1" if paused_only else ""), (chat_id,)
        )
        return [_reminder(row) for row in rows]

    @staticmethod
    async def move(db: aiosqlite.Connection, zone: str, fires: list[tuple[int, float]]) -> None:
        """Put reminders (id, next fire) in a new zone; paused ones stay paused."""
        await db.executemany(
            "UPDATE reminders SET time_zone = ?, next_fire_at = ?, "
            "due_at = CASE WHEN paused THEN NULL ELSE MIN(?, COALESCE(snooze_at, ?)) END "
            "WHERE id = ?",
            [(zone, fire, fire, fire, reminder_id) for reminder_id, fire in fires],
        )

    @staticmethod
    async def unpause(db: aiosqlite.Connection, fires: list[tuple[int, float]]) -> None:
        """Switch reminders (id, next fire) back on."""
        await db.executemany(
            "UPDATE reminders SET paused = 0, snooze_at = NULL, next_fire_at = ?, due_at = ? "
            "WHERE id = ?",
            [(fire, fire, reminder_id) for reminder_id, fire in fires],
        )

    @staticmethod
    async def insert(
        db: aiosqlite.Connection,
        chat_id: int,
        schedule: Schedule,
        zone: str,
        fire: float,
        now: float,
    ) -> Reminder:
        cursor = await db.execute(
            "INSERT INTO reminders (chat_id, hour, minute, weekdays, time_zone, next_fire_at, "
            "due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (chat_id, schedule.hour, schedule.minute, schedule.weekdays, zone, fire, fire, now),
        )
        assert cursor.lastrowid is not None
        return Reminder(cursor.lastrowid, chat_id, schedule, zone, fire)

    @staticmethod
    async def mark_sent(db: aiosqlite.Connection, marks: list[SentMark]) -> None:
        # Guarded by what was read, so an edit made during the fan-out is not overwritten.
        await db.executemany(
            "UPDATE reminders SET next_fire_at = ?, snooze_at = ?, due_at = ?, "
            "sent_count = sent_count + ?, last_sent_at = COALESCE(?, last_sent_at) "
            "WHERE id = ? AND next_fire_at = ? AND snooze_at IS ? AND paused = 0",
            marks,
        )

    @staticmethod
    async def retry_at(db: aiosqlite.Connection, retries: list[tuple[object, ...]]) -> None:
        """Look at reminders (due_at, id) again later."""
        await db.executemany(
            "UPDATE reminders SET due_at = ? WHERE id = ? AND paused = 0", retries
        )


# -- for other features -----------------------------------------------------------------------

# A SQL condition on an outer ``chats c``: the chat has a reminder paused as unreachable.
PAUSED_IN_CHAT = "EXISTS (SELECT 1 FROM reminders r WHERE r.chat_id = c.chat_id AND r.paused = 1)"


async def pause_chat_in(db: aiosqlite.Connection, chat_id: int) -> int:
    """Inside a transaction: pause a chat's reminders (it cannot be reached); how many."""
    cursor = await db.execute(
        "UPDATE reminders SET paused = 1, due_at = NULL, snooze_at = NULL "
        "WHERE chat_id = ? AND paused = 0",
        (chat_id,),
    )
    return cursor.rowcount


async def counts(storage: Storage) -> tuple[int, int, int]:
    """(reminders, paused reminders, chats with reminders), for /stats."""
    row = await storage.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(paused), 0), COUNT(DISTINCT chat_id) FROM reminders"
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])
