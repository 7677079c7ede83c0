"""Reminders in SQLite, and the due-time source that sends them through the Sender.

The database is the truth: each reminder row carries its next regular slot, an optional
snooze, and ``due_at``, the moment the scheduler should look at it again. A fan-out sends
what is due concurrently (bounded; PTB's rate limiter spreads the sends) and writes the
"sent" marks in batches, each computing the next slot in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from bot.catalog.files import CONTENT_DIR, ContentError, read_yaml
from bot.messaging import Button, ChatUnreachable, Reply, Sender, SendFailed
from bot.reminders import (
    CATCH_UP_SECONDS,
    MAX_REMINDERS,
    SNOOZE_SECONDS,
    ReminderError,
    Schedule,
    ZoneIndex,
    next_fire,
    session_data,
    snooze_data,
    stop_data,
    zone_for,
)
from bot.storage import Storage, StorageError
from bot.text import html_text
from bot.unreachable import end_chat_in, log_ended

log = logging.getLogger(__name__)

LINES_PATH = CONTENT_DIR / "reminders" / "lines.yaml"
MAX_LINE = 200
# A failure that is neither Telegram's back-pressure nor a blocked chat: look again later.
UNEXPECTED_RETRY = 60.0
PENDING_TTL = 24 * 60 * 60

Clock = Callable[[], float]


def load_lines(
    path: Path = LINES_PATH, known_ids: Mapping[str, object] | None = None
) -> tuple[str, ...]:
    """Read and validate the rotating reminder lines.

    Raises:
        ContentError: naming every problem (missing file, empty, too long, unknown source).
    """
    source = f"content/reminders/{path.name}"
    unreadable: list[str] = []
    data = read_yaml(path, source, unreadable)
    if unreadable:
        raise ContentError(unreadable)
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list) or not data["lines"]:
        raise ContentError([f"{source}: expected a non-empty list under 'lines:'"])
    problems: list[str] = []
    lines: list[str] = []
    for number, raw in enumerate(data["lines"], start=1):
        where = f"{source} line {number}"
        if not isinstance(raw, dict) or set(raw) - {"text", "from"}:
            problems.append(f"{where}: expected 'text:' and optionally 'from:'")
            continue
        text = str(raw.get("text") or "").strip()
        if not text or len(text) > MAX_LINE:
            problems.append(f"{where}: text must be 1 to {MAX_LINE} characters")
        elif text in lines:
            problems.append(f"{where}: repeats an earlier line")
        origin = raw.get("from")
        if origin is not None and known_ids is not None and origin not in known_ids:
            problems.append(f"{where}: 'from: {origin}' names no content entry")
        lines.append(text)
    if problems:
        raise ContentError(problems)
    return tuple(lines)


@dataclass(frozen=True)
class Reminder:
    """One stored reminder, as the owner sees it."""

    id: int
    chat_id: int
    schedule: Schedule
    zone: str
    next_fire_at: float
    snooze_at: float | None = None
    paused: bool = False
    sent_count: int = 0


@dataclass(frozen=True)
class Added:
    """A reminder was saved."""

    reminder: Reminder
    resumed: int = 0


@dataclass(frozen=True)
class NeedZone:
    """The chat has no time zone yet: the reminder waits in ``reminder_pending``."""

    schedule: Schedule


@dataclass(frozen=True)
class ZoneSet:
    """The chat's zone was saved; maybe a waiting reminder was created and others moved."""

    zone: str
    created: Reminder | None = None
    moved: int = 0


@dataclass(frozen=True)
class Pending:
    """The bot asked this chat for its zone; ``schedule`` is None for a plain /timezone."""

    schedule: Schedule | None


_COLUMNS = (
    "id, chat_id, hour, minute, weekdays, time_zone, next_fire_at, snooze_at, paused, sent_count"
)


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


@dataclass
class Batch:
    """Outcomes of a fan-out not yet written, as statement parameters per kind of update."""

    sent: list[tuple[object, ...]] = field(default_factory=list)
    retry: list[tuple[object, ...]] = field(default_factory=list)
    unreachable: dict[int, str] = field(default_factory=dict)  # chat id -> the reason

    def __len__(self) -> int:
        return len(self.sent) + len(self.retry) + len(self.unreachable)


_Send = tuple[Reminder, tuple[object, ...]]


class ReminderService:
    """Reminder use cases for the handlers, and the ``reminders`` DueSource."""

    name = "reminders"

    def __init__(
        self,
        storage: Storage,
        lines: tuple[str, ...],
        zones: ZoneIndex,
        *,
        sender: Sender | None = None,
        clock: Clock = time.time,
        on_change: Callable[[], None] = lambda: None,
        concurrency: int = 64,
        batch_size: int = 5000,
        flush_every: int = 500,
    ) -> None:
        if not lines:
            raise ValueError("reminders need at least one line")
        self.storage = storage
        self.lines = lines
        self.zones = zones
        self.sender = sender
        self._clock = clock
        self.on_change = on_change
        self._concurrency = concurrency
        self._batch_size = batch_size
        self._flush_every = flush_every
        # Outcomes of sends whose write failed (database locked or full), written first later.
        self._unsaved = Batch()
        self._save_failing = False

    # -- use cases ----------------------------------------------------------------------------

    async def chat_zone(self, chat_id: int) -> str | None:
        row = await self.storage.fetchone(
            "SELECT time_zone FROM chats WHERE chat_id = ?", (chat_id,)
        )
        return None if row is None or row[0] is None else str(row[0])

    async def reminders(self, chat_id: int) -> list[Reminder]:
        rows = await self.storage.fetchall(
            f"SELECT {_COLUMNS} FROM reminders WHERE chat_id = ? ORDER BY hour, minute, id",
            (chat_id,),
        )
        return [_reminder(row) for row in rows]

    async def add(self, chat_id: int, schedule: Schedule) -> Added | NeedZone:
        """Save a reminder in the chat's zone, or park it until the chat names a zone.

        Raises:
            ReminderError: a sixth reminder, or one the chat already has.
        """
        now = self._clock()
        async with self.storage.transaction() as db:
            await self._ensure_chat(db, chat_id, now)
            cursor = await db.execute("SELECT time_zone FROM chats WHERE chat_id = ?", (chat_id,))
            row = await cursor.fetchone()
            zone = None if row is None or row[0] is None else str(row[0])
            if zone is None:
                await db.execute(
                    "INSERT INTO reminder_pending (chat_id, hour, minute, weekdays, asked_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
                    "hour = excluded.hour, minute = excluded.minute, "
                    "weekdays = excluded.weekdays, asked_at = excluded.asked_at",
                    (chat_id, schedule.hour, schedule.minute, schedule.weekdays, now),
                )
                return NeedZone(schedule)
            resumed = await self._resume(db, chat_id, now)
            reminder = await self._insert(db, chat_id, schedule, zone, now)
        self.on_change()
        return Added(reminder, resumed)

    async def ask_zone(self, chat_id: int) -> None:
        """Remember that the chat's next free text answers 'which time zone?'."""
        now = self._clock()
        async with self.storage.transaction() as db:
            await self._ensure_chat(db, chat_id, now)
            await db.execute(
                "INSERT INTO reminder_pending (chat_id, asked_at) VALUES (?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET asked_at = excluded.asked_at",
                (chat_id, now),
            )

    async def pending(self, chat_id: int) -> Pending | None:
        """The zone question this chat has not answered yet (a day later it is forgotten)."""
        row = await self.storage.fetchone(
            "SELECT hour, minute, weekdays FROM reminder_pending "
            "WHERE chat_id = ? AND asked_at > ?",
            (chat_id, self._clock() - PENDING_TTL),
        )
        if row is None:
            return None
        if row[0] is None:
            return Pending(None)
        return Pending(Schedule(int(row[0]), int(row[1]), int(row[2])))

    async def cancel_pending(self, chat_id: int) -> bool:
        return (
            await self.storage.execute(
                "DELETE FROM reminder_pending WHERE chat_id = ?", (chat_id,)
            )
            > 0
        )

    async def set_zone(self, chat_id: int, zone: str) -> ZoneSet:
        """Save the chat's zone, move its reminders to it, and create the waiting reminder.

        Raises:
            ReminderError: the waiting reminder cannot be added (then nothing is saved).
            ValueError: ``zone`` is not a known zone name.
        """
        if zone not in self.zones:
            raise ValueError(f"unknown zone {zone!r}")
        now = self._clock()
        tz = zone_for(zone)
        async with self.storage.transaction() as db:
            await self._ensure_chat(db, chat_id, now)
            await db.execute("UPDATE chats SET time_zone = ? WHERE chat_id = ?", (zone, chat_id))
            cursor = await db.execute(
                f"SELECT {_COLUMNS} FROM reminders WHERE chat_id = ?", (chat_id,)
            )
            moved = [_reminder(row) for row in await cursor.fetchall()]
            await db.executemany(
                "UPDATE reminders SET time_zone = ?, next_fire_at = ?, "
                "due_at = CASE WHEN paused THEN NULL ELSE MIN(?, COALESCE(snooze_at, ?)) END "
                "WHERE id = ?",
                [
                    (zone, fire, fire, fire, reminder.id)
                    for reminder in moved
                    for fire in [next_fire(reminder.schedule, tz, now)]
                ],
            )
            cursor = await db.execute(
                "DELETE FROM reminder_pending WHERE chat_id = ? AND asked_at > ? "
                "RETURNING hour, minute, weekdays",
                (chat_id, now - PENDING_TTL),
            )
            waiting = await cursor.fetchone()
            created = None
            if waiting is not None and waiting[0] is not None:
                schedule = Schedule(int(waiting[0]), int(waiting[1]), int(waiting[2]))
                created = await self._insert(db, chat_id, schedule, zone, now)
        self.on_change()
        return ZoneSet(zone, created, len(moved))

    async def delete(self, chat_id: int, reminder_id: int) -> Reminder | None:
        """Delete one of the chat's reminders; None when it is not (or no longer) theirs."""
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

    async def snooze(self, chat_id: int, reminder_id: int) -> float | None:
        """Nudge again in 15 minutes; returns when, or None if the reminder is gone."""
        at = self._clock() + SNOOZE_SECONDS
        count = await self.storage.execute(
            "UPDATE reminders SET snooze_at = ?, due_at = MIN(next_fire_at, ?), paused = 0 "
            "WHERE id = ? AND chat_id = ?",
            (at, at, reminder_id, chat_id),
        )
        if not count:
            return None
        self.on_change()
        return at

    async def resume(self, chat_id: int) -> int:
        """Switch a chat's paused reminders back on (it talks to us, so it is reachable)."""
        async with self.storage.transaction() as db:
            resumed = await self._resume(db, chat_id, self._clock())
        if resumed:
            self.on_change()
        return resumed

    async def _resume(self, db: aiosqlite.Connection, chat_id: int, now: float) -> int:
        rows = await db.execute_fetchall(
            f"SELECT {_COLUMNS} FROM reminders WHERE chat_id = ? AND paused = 1", (chat_id,)
        )
        updates = []
        for row in rows:
            reminder = _reminder(row)
            fire = next_fire(reminder.schedule, zone_for(reminder.zone), now)
            updates.append((fire, fire, reminder.id))
        await db.executemany(
            "UPDATE reminders SET paused = 0, snooze_at = NULL, next_fire_at = ?, due_at = ? "
            "WHERE id = ?",
            updates,
        )
        return len(updates)

    @staticmethod
    async def _ensure_chat(db: aiosqlite.Connection, chat_id: int, now: float) -> None:
        # Reminders reference chats; a chat normally exists already (remember_chat).
        await db.execute(
            "INSERT INTO chats (chat_id, first_seen_at, last_seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO NOTHING",
            (chat_id, now, now),
        )

    async def _insert(
        self, db: aiosqlite.Connection, chat_id: int, schedule: Schedule, zone: str, now: float
    ) -> Reminder:
        cursor = await db.execute(
            f"SELECT {_COLUMNS} FROM reminders WHERE chat_id = ?", (chat_id,)
        )
        existing = [_reminder(row) for row in await cursor.fetchall()]
        if any(reminder.schedule == schedule for reminder in existing):
            raise ReminderError(f"You already have a reminder {schedule.describe()}.")
        if len(existing) >= MAX_REMINDERS:
            raise ReminderError(
                f"You already have {MAX_REMINDERS} reminders, the most I keep per chat. "
                "Delete one in /reminders first."
            )
        fire = next_fire(schedule, zone_for(zone), now)
        cursor = await db.execute(
            "INSERT INTO reminders (chat_id, hour, minute, weekdays, time_zone, next_fire_at, "
            "due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (chat_id, schedule.hour, schedule.minute, schedule.weekdays, zone, fire, fire, now),
        )
        assert cursor.lastrowid is not None
        return Reminder(cursor.lastrowid, chat_id, schedule, zone, fire)

    # -- the due-time source ------------------------------------------------------------------

    async def next_due(self) -> float | None:
        row = await self.storage.fetchone(
            "SELECT MIN(due_at) FROM reminders WHERE due_at IS NOT NULL"
        )
        return None if row is None or row[0] is None else float(row[0])

    def nudge(self, reminder: Reminder) -> Reply:
        """The reminder message: a rotating line and the three buttons."""
        line = self.lines[(reminder.id * 7 + reminder.sent_count) % len(self.lines)]
        return Reply(
            f"⏰ <b>Time to relax</b>\n{html_text(line)}",
            buttons=(
                (Button("▶️ Start a 5-minute session", data=session_data()),),
                (
                    Button("😴 Snooze 15 min", data=snooze_data(reminder.id)),
                    Button("🔕 Stop these reminders", data=stop_data(reminder.id)),
                ),
            ),
        )

    async def run_due(self, now: float) -> None:
        """Send every reminder due at ``now``; late ones within an hour once, older skipped."""
        # Marks a failed write held back go first: while they cannot be written, nothing is
        # read or sent, so a reminder already sent is never sent again.
        await self.flush(Batch())
        batch, to_send = self.plan(await self.due_rows(now), now)
        await self._fan_out(to_send, batch)

    async def due_rows(self, now: float) -> list[Reminder]:
        rows = await self.storage.fetchall(
            f"SELECT {_COLUMNS} FROM reminders WHERE due_at <= ? ORDER BY due_at LIMIT ?",
            (now, self._batch_size),
        )
        return [_reminder(row) for row in rows]

    def plan(self, due: list[Reminder], now: float) -> tuple[Batch, list[_Send]]:
        """Decide for each due reminder: send it (with the mark to write once it is sent),
        or, when it is over an hour late, only move it on to its next slot."""
        batch = Batch()
        to_send: list[_Send] = []
        for reminder in due:
            regular = reminder.next_fire_at <= now
            snoozed = reminder.snooze_at is not None and reminder.snooze_at <= now
            fresh = (regular and now - reminder.next_fire_at <= CATCH_UP_SECONDS) or (
                snoozed and now - (reminder.snooze_at or 0) <= CATCH_UP_SECONDS
            )
            fire = (
                next_fire(reminder.schedule, zone_for(reminder.zone), now)
                if regular
                else reminder.next_fire_at
            )
            snooze = None if snoozed else reminder.snooze_at
            due_at = fire if snooze is None else min(fire, snooze)
            # Guarded by what was read, so an edit made during the fan-out is not overwritten.
            mark = (
                fire,
                snooze,
                due_at,
                int(fresh),
                now if fresh else None,
                reminder.id,
                reminder.next_fire_at,
                reminder.snooze_at,
            )
            if fresh:
                to_send.append((reminder, mark))
                continue
            if regular or snoozed:
                log.info(
                    "reminder %s was due %.0f s ago; skipped to its next slot",
                    reminder.id,
                    now - min(reminder.next_fire_at, reminder.snooze_at or now),
                )
            batch.sent.append(mark)
        return batch, to_send

    async def _fan_out(self, to_send: list[_Send], batch: Batch) -> None:
        queue = list(reversed(to_send))
        last_flush = time.monotonic()

        async def worker() -> None:
            nonlocal last_flush
            while queue:
                reminder, mark = queue.pop()
                await self._deliver(reminder, mark, batch)
                # Marks are written about once a second (or every few hundred sends), so a
                # crash re-sends at most that much, and SQLite sees a few commits, not 3,000.
                if len(batch) >= self._flush_every or time.monotonic() - last_flush >= 1.0:
                    last_flush = time.monotonic()
                    # A failed write keeps its marks for the next flush; sending goes on.
                    with contextlib.suppress(StorageError):
                        await self.flush(batch)

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self._concurrency, len(queue))):
                    group.create_task(worker())
        finally:
            # Also on cancellation (shutdown): what was sent is marked, so never sent twice.
            await self.flush(batch)

    async def _deliver(self, reminder: Reminder, mark: tuple[object, ...], batch: Batch) -> None:
        if self.sender is None:
            raise RuntimeError("the reminder service has no sender")
        try:
            await self.sender.send(reminder.chat_id, self.nudge(reminder))
        except ChatUnreachable as error:
            batch.unreachable[reminder.chat_id] = str(error)
        except SendFailed as error:
            batch.retry.append((self._clock() + error.retry_after, reminder.id))
        except Exception:
            log.exception("reminder %s could not be sent; trying again later", reminder.id)
            batch.retry.append((self._clock() + UNEXPECTED_RETRY, reminder.id))
        else:
            batch.sent.append(mark)

    async def flush(self, batch: Batch) -> None:
        """Write a batch of outcomes, and any held back by a failed write, in one transaction
        (executemany, one commit). When the database is locked or full the marks are held
        and StorageError is raised; the next flush writes them."""
        held, self._unsaved = self._unsaved, Batch()
        held.sent.extend(batch.sent)
        held.retry.extend(batch.retry)
        held.unreachable.update(batch.unreachable)
        batch.sent.clear()
        batch.retry.clear()
        batch.unreachable.clear()
        if not len(held):
            return
        try:
            await self._write(held)
        except StorageError as error:
            self._unsaved.sent.extend(held.sent)
            self._unsaved.retry.extend(held.retry)
            self._unsaved.unreachable.update(held.unreachable)
            if not self._save_failing:
                log.warning(
                    "could not save %d reminder outcome(s) (%s); holding them until it works",
                    len(held),
                    error,
                )
            self._save_failing = True
            raise
        if self._save_failing:
            log.info("reminder outcomes held back are saved now")
        self._save_failing = False

    async def _write(self, batch: Batch) -> None:
        # In id order: neighbouring rows share pages, which makes the batch cheaper to write.
        sent = sorted(batch.sent, key=lambda mark: mark[5])  # type: ignore[arg-type,return-value]
        retry, unreachable = batch.retry, sorted(batch.unreachable.items())
        async with self.storage.transaction() as db:
            await db.executemany(
                "UPDATE reminders SET next_fire_at = ?, snooze_at = ?, due_at = ?, "
                "sent_count = sent_count + ?, last_sent_at = COALESCE(?, last_sent_at) "
                "WHERE id = ? AND next_fire_at = ? AND snooze_at IS ? AND paused = 0",
                sent,
            )
            await db.executemany(
                "UPDATE reminders SET due_at = ? WHERE id = ? AND paused = 0", retry
            )
            ended = [
                (chat_id, reason, *await end_chat_in(db, chat_id, self._clock()))
                for chat_id, reason in unreachable
            ]
        for chat_id, reason, sessions, reminders in ended:
            log_ended(chat_id, reason, sessions, reminders)
