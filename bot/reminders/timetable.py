"""The ``reminders`` DueSource: send what is due through the Sender, then mark it.

A fan-out sends what is due concurrently (bounded; PTB's rate limiter spreads the sends)
and writes the "sent" marks in batches, each computing the next slot in the same
transaction. A mark is written only after its send, so a reminder already sent is never
sent again, also when a write fails (the marks are held and written first next time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.messaging import ChatUnreachable, Reply, Sender, SendFailed
from bot.reminders import replies
from bot.reminders.lines import line_for
from bot.reminders.records import Reminder
from bot.reminders.schedule import CATCH_UP_SECONDS, next_fire, zone_for
from bot.reminders.store import ReminderStore, SentMark
from bot.storage import StorageError
from bot.unreachable import end_chat_in, log_ended

log = logging.getLogger(__name__)

# A failure that is neither Telegram's back-pressure nor a blocked chat: look again later.
UNEXPECTED_RETRY = 60.0

Clock = Callable[[], float]


@dataclass
class Batch:
    """Outcomes of a fan-out not yet written, as statement parameters per kind of update."""

    sent: list[SentMark] = field(default_factory=list)
    retry: list[tuple[object, ...]] = field(default_factory=list)
    unreachable: dict[int, str] = field(default_factory=dict)  # chat id -> the reason

    def __len__(self) -> int:
        return len(self.sent) + len(self.retry) + len(self.unreachable)

    def take(self, other: Batch) -> None:
        """Move another batch's outcomes into this one."""
        self.sent.extend(other.sent)
        self.retry.extend(other.retry)
        self.unreachable.update(other.unreachable)
        other.sent.clear()
        other.retry.clear()
        other.unreachable.clear()


_Send = tuple[Reminder, SentMark]


class ReminderTimetable:
    """Sends due reminders; the scheduler asks it when the next one is due."""

    name = "reminders"

    def __init__(
        self,
        store: ReminderStore,
        lines: tuple[str, ...],
        sender: Sender,
        *,
        clock: Clock = time.time,
        concurrency: int = 64,
        batch_size: int = 5000,
        flush_every: int = 500,
    ) -> None:
        if not lines:
            raise ValueError("reminders need at least one line")
        self.store = store
        self.lines = lines
        self.sender = sender
        self._clock = clock
        self._concurrency = concurrency
        self._batch_size = batch_size
        self._flush_every = flush_every
        # Outcomes of sends whose write failed (database locked or full), written first later.
        self._unsaved = Batch()
        self._save_failing = False

    async def next_due(self) -> float | None:
        return await self.store.next_due()

    def nudge(self, reminder: Reminder) -> Reply:
        """The reminder message: a rotating line and the three buttons."""
        return replies.nudge(reminder, line_for(self.lines, reminder.id, reminder.sent_count))

    async def run_due(self, now: float) -> None:
        """Send every reminder due at ``now``; late ones within an hour once, older skipped."""
        # Marks a failed write held back go first: while they cannot be written, nothing is
        # read or sent, so a reminder already sent is never sent again.
        await self.flush(Batch())
        batch, to_send = self.plan(await self.due_rows(now), now)
        await self._fan_out(to_send, batch)

    async def due_rows(self, now: float) -> list[Reminder]:
        return await self.store.due(now, self._batch_size)

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
            mark: SentMark = (
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

    async def _deliver(self, reminder: Reminder, mark: SentMark, batch: Batch) -> None:
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
        held.take(batch)
        if not len(held):
            return
        try:
            await self._write(held)
        except StorageError as error:
            self._unsaved.take(held)
            if not self._save_failing:
                log.warning(
                    "could not save %d reminder outcome(s) (%s); holding them until it works",
                    len(self._unsaved),
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
        async with self.store.transaction() as db:
            await self.store.mark_sent(db, sent)
            await self.store.retry_at(db, retry)
            ended = [
                (chat_id, reason, *await end_chat_in(db, chat_id, self._clock()))
                for chat_id, reason in unreachable
            ]
        for chat_id, reason, sessions, reminders in ended:
            log_ended(chat_id, reason, sessions, reminders)
