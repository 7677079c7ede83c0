"""Reminder use cases for the handlers: add, list, delete, snooze, resume, set the zone.

The database is the truth: each reminder row carries its next regular slot, an optional
snooze, and ``due_at``, the moment the timetable should look at it again. Every change
that moves a due time calls ``wake`` so the timetable looks again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import aiosqlite

from bot.messaging import Sender
from bot.reminders import replies
from bot.reminders.records import Added, NeedZone, NoRoom, Pending, Reminder, ZoneSet
from bot.reminders.schedule import (
    MAX_REMINDERS,
    SNOOZE_SECONDS,
    ReminderError,
    Schedule,
    next_fire,
    zone_for,
)
from bot.reminders.store import ReminderStore
from bot.reminders.timetable import ReminderTimetable
from bot.reminders.zones import ZoneIndex
from bot.storage import Storage

PENDING_TTL = 24 * 60 * 60

Clock = Callable[[], float]


class ReminderService:
    """Reminder use cases; ``timetable`` is the DueSource that sends them."""

    def __init__(
        self,
        storage: Storage,
        lines: tuple[str, ...],
        zones: ZoneIndex,
        *,
        sender: Sender,
        clock: Clock = time.time,
        wake: Callable[[], None] = lambda: None,
        concurrency: int = 64,
        batch_size: int = 5000,
        flush_every: int = 500,
    ) -> None:
        self.store = ReminderStore(storage)
        self.zones = zones
        self._clock = clock
        self._wake = wake
        self.timetable = ReminderTimetable(
            self.store,
            lines,
            sender,
            clock=clock,
            concurrency=concurrency,
            batch_size=batch_size,
            flush_every=flush_every,
        )

    async def chat_zone(self, chat_id: int) -> str | None:
        return await self.store.chat_zone(chat_id)

    async def reminders(self, chat_id: int) -> list[Reminder]:
        return await self.store.for_chat(chat_id)

    async def add(self, chat_id: int, schedule: Schedule) -> Added | NeedZone:
        """Save a reminder in the chat's zone, or park it until the chat names a zone.

        Raises:
            ReminderError: a sixth reminder, or one the chat already has.
        """
        outcome = await self.add_all(chat_id, [schedule])
        assert not isinstance(outcome, NoRoom)  # one reminder fits, or ReminderError
        return outcome

    async def add_all(self, chat_id: int, schedules: list[Schedule]) -> Added | NeedZone | NoRoom:
        """Save the reminders one message asked for ('at 8 and at 20'), all or none.

        Those the chat already has are skipped; when the others do not all fit, nothing is
        saved and the outcome says how many places are free (NoRoom).

        Raises:
            ReminderError: no place free, or the chat has every one of them already.
        """
        now = self._clock()
        async with self.store.transaction() as db:
            await self.store.ensure_chat(db, chat_id, now)
            zone = await self.store.zone_in(db, chat_id)
            if zone is None:
                await self.store.park(db, chat_id, schedules, now)
                return NeedZone(schedules[0], tuple(schedules[1:]))
            existing = {r.schedule for r in await self.store.for_chat_in(db, chat_id)}
            new = [s for s in schedules if s not in existing]
            free = MAX_REMINDERS - len(existing)
            if len(new) > 1 and 0 < free < len(new):
                return NoRoom(tuple(new), free)
            resumed = await self._resume(db, chat_id, now)
            if not new:
                raise ReminderError(replies.already_have(schedules[0]))
            saved = [await self._insert(db, chat_id, s, zone, now) for s in new]
        self._wake()
        already = tuple(s for s in schedules if s in existing)
        return Added(saved[0], resumed, tuple(saved[1:]), already)

    async def ask_zone(self, chat_id: int) -> None:
        """Remember that the chat's next free text answers 'which time zone?'."""
        now = self._clock()
        async with self.store.transaction() as db:
            await self.store.ensure_chat(db, chat_id, now)
            await self.store.park(db, chat_id, [], now)

    async def pending(self, chat_id: int) -> Pending | None:
        """The zone question this chat has not answered yet (a day later it is forgotten)."""
        return await self.store.pending(chat_id, self._clock() - PENDING_TTL)

    async def cancel_pending(self, chat_id: int) -> bool:
        return await self.store.cancel_pending(chat_id)

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
        async with self.store.transaction() as db:
            await self.store.ensure_chat(db, chat_id, now)
            await self.store.save_zone(db, chat_id, zone)
            moved = await self.store.for_chat_in(db, chat_id)
            fires = [(r.id, next_fire(r.schedule, tz, now)) for r in moved]
            await self.store.move(db, zone, fires)
            waiting = await self.store.take_pending(db, chat_id, now - PENDING_TTL)
            created = [await self._insert(db, chat_id, s, zone, now) for s in waiting]
        self._wake()
        if not created:
            return ZoneSet(zone, None, len(moved))
        return ZoneSet(zone, created[0], len(moved), tuple(created[1:]))

    async def delete(self, chat_id: int, reminder_id: int) -> Reminder | None:
        """Delete one of the chat's reminders; None when it is not (or no longer) theirs."""
        return await self.store.delete(chat_id, reminder_id)

    async def delete_all(self, chat_id: int) -> int:
        return await self.store.delete_all(chat_id)

    async def snooze(self, chat_id: int, reminder_id: int) -> float | None:
        """Nudge again in 15 minutes; returns when, or None if the reminder is gone."""
        at = self._clock() + SNOOZE_SECONDS
        if not await self.store.snooze(chat_id, reminder_id, at):
            return None
        self._wake()
        return at

    async def resume(self, chat_id: int) -> int:
        """Switch a chat's paused reminders back on (it talks to us, so it is reachable)."""
        async with self.store.transaction() as db:
            resumed = await self._resume(db, chat_id, self._clock())
        if resumed:
            self._wake()
        return resumed

    async def _resume(self, db: aiosqlite.Connection, chat_id: int, now: float) -> int:
        paused = await self.store.for_chat_in(db, chat_id, paused_only=True)
        fires = [(r.id, next_fire(r.schedule, zone_for(r.zone), now)) for r in paused]
        await self.store.unpause(db, fires)
        return len(fires)

    async def _insert(
        self, db: aiosqlite.Connection, chat_id: int, schedule: Schedule, zone: str, now: float
    ) -> Reminder:
        existing = await self.store.for_chat_in(db, chat_id)
        if any(reminder.schedule == schedule for reminder in existing):
            raise ReminderError(replies.already_have(schedule))
        if len(existing) >= MAX_REMINDERS:
            raise ReminderError(replies.too_many())
        fire = next_fire(schedule, zone_for(zone), now)
        return await self.store.insert(db, chat_id, schedule, zone, fire, now)
