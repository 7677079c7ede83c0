"""The database locked by another connection, or the disk full: a clear log line, the user
told "try again in a moment", nothing half-written, and everything works once it is fixed."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.messaging import Reply
from bot.reminders.schedule import Schedule
from bot.reminders.service import ReminderService
from bot.reminders.zones import ZoneIndex
from bot.scheduler import DueScheduler
from bot.storage import Migration, Storage, StorageError
from handlers.errors import STORAGE_BUSY
from standin import BotApiStandIn
from tests.support.app import RunningBot, button_data, running_bot
from tests.test_sessions_service import Recorder, services_at

LINES = ("Breathe out slowly.", "Drop your shoulders.")
FILLER_CHAT = 9_999_999


class WriteLock:
    """Another connection holding the write lock (``BEGIN EXCLUSIVE``), as a second process
    or an operator's sqlite3 shell would."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, timeout=0)

    def take(self) -> None:
        self._db.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def close(self) -> None:
        self.release()
        self._db.close()


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[WriteLock]:
    lock = WriteLock(path)
    lock.take()
    try:
        yield lock
    finally:
        lock.close()


async def short_busy_timeout(storage: Storage) -> None:
    # The bot waits 5 s for a lock; the tests need not.
    await storage.db.execute("PRAGMA busy_timeout=100")


async def disk_full(storage: Storage) -> None:
    """No page may be added any more (SQLITE_FULL, as on a full disk)."""
    row = await storage.fetchone("PRAGMA page_count")
    assert row is not None
    await storage.db.execute(f"PRAGMA max_page_count = {int(row[0])}")


async def disk_freed(storage: Storage) -> None:
    await storage.db.execute("PRAGMA max_page_count = 1073741823")


async def fill_reminders(storage: Storage) -> int:
    """With the disk full, use up the reminders table's last page, so the next reminder
    needs a page there is no room for."""
    await storage.execute(
        "INSERT INTO chats (chat_id, first_seen_at, last_seen_at, time_zone) "
        "VALUES (?, 0, 0, 'Europe/Berlin') ON CONFLICT DO NOTHING",
        (FILLER_CHAT,),
    )
    for n in range(100_000):
        try:
            await storage.execute(
                "INSERT INTO reminders (chat_id, hour, minute, weekdays, time_zone, "
                "next_fire_at, paused, created_at) VALUES (?, ?, ?, ?, 'Europe/Berlin', 0, 1, 0)",
                (FILLER_CHAT, n % 24, n // 24 % 60, n // 1440 + 1),
            )
        except StorageError as error:
            assert "full" in str(error)
            return n
    raise AssertionError("the disk never filled up")


# -- the storage layer ---------------------------------------------------------------------

NOTES = [Migration(1, "notes", "CREATE TABLE notes (body TEXT NOT NULL);")]


async def count_notes(storage: Storage) -> int:
    row = await storage.fetchone("SELECT COUNT(*) FROM notes")
    assert row is not None
    return int(row[0])


async def test_a_full_disk_undoes_the_whole_transaction_and_recovers(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3", migrations=NOTES)
    await storage.open()
    await disk_full(storage)
    with pytest.raises(StorageError, match="database or disk is full"):
        async with storage.transaction() as db:
            await db.execute("INSERT INTO notes VALUES ('first, small')")
            await db.execute("INSERT INTO notes VALUES (?)", ("x" * 100_000,))  # needs pages
    assert await count_notes(storage) == 0  # the first row is gone too
    await disk_freed(storage)
    async with storage.transaction() as db:
        await db.execute("INSERT INTO notes VALUES ('first, small')")
        await db.execute("INSERT INTO notes VALUES (?)", ("x" * 100_000,))
    assert await count_notes(storage) == 2
    await storage.close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_a_locked_database_is_a_storage_error_and_recovers(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3", migrations=NOTES)
    await storage.open()
    await short_busy_timeout(storage)
    with write_locked(storage.path):
        with pytest.raises(StorageError, match="locked"):
            await storage.execute("INSERT INTO notes VALUES ('a')")
        assert await count_notes(storage) == 0  # reading still works (WAL)
    assert await storage.execute("INSERT INTO notes VALUES ('a')") == 1
    await storage.close()


# -- timed sends: sent once, recorded once the database works again ----------------------------


class LockingSender(Recorder):
    """Delivers, then another connection takes the write lock: the send happened, its record
    cannot be written."""

    def __init__(self, lock: WriteLock) -> None:
        super().__init__()
        self.lock = lock

    async def send(self, chat_id: int, reply: Reply) -> int:
        message_id = await super().send(chat_id, reply)
        if len(self.sent) == 1:
            self.lock.take()
        return message_id


async def test_a_reminder_sent_while_locked_is_not_sent_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    await storage.open()
    await short_busy_timeout(storage)
    lock = WriteLock(storage.path)
    sender = LockingSender(lock)
    service = ReminderService(storage, LINES, ZoneIndex(), sender=sender)
    await service.set_zone(42, "UTC")
    await service.add(42, Schedule(21, 30))
    now = time.time()
    await storage.execute("UPDATE reminders SET next_fire_at = ?, due_at = ?", (now, now))
    with caplog.at_level(logging.INFO):
        with pytest.raises(StorageError):
            await service.timetable.run_due(now)  # sent, then the mark cannot be written
        for _ in range(3):  # the scheduler tries again: nothing is sent while it is held
            with pytest.raises(StorageError):
                await service.timetable.run_due(time.time())
        lock.close()
        await service.timetable.run_due(time.time())
    (reminder,) = await service.reminders(42)
    await storage.close()
    assert len(sender.sent) == 1
    assert reminder.sent_count == 1 and reminder.next_fire_at > now
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        "could not save 1 reminder outcome(s) (database unavailable: database is locked); "
        "holding them until it works"
    ]
    assert "reminder outcomes held back are saved now" in caplog.messages


async def test_a_step_sent_while_locked_is_recorded_once_it_is_free(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lock = WriteLock(tmp_path / "db.sqlite3")
    sender = LockingSender(lock)
    services, _ = services_at(tmp_path / "db.sqlite3", sender)
    await services.start()
    await short_busy_timeout(services.storage)
    plan = services.sessions.plan("routine", "routine.quick-relax")
    assert plan is not None
    await services.sessions.offer(5, plan)
    with caplog.at_level(logging.INFO):
        await services.sessions.control(5, "go")
        for _ in range(100):
            if caplog.records and "could not save its progress" in caplog.messages[-1]:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(1.0)  # steps fall due meanwhile; nothing is sent twice
        lock.close()
        for _ in range(500):
            if await services.sessions.open_session(5) is None:
                break
            await asyncio.sleep(0.02)
    await services.stop()
    steps = [text.splitlines()[0] for _, text in sender.sent if text.startswith("<b>Step")]
    assert [line.split(" ")[1] for line in steps] == ["1", "2", "3", "4", "5", "6"]
    assert "Well done" in sender.sent[-1][1]
    assert any("progress saved after all" in message for message in caplog.messages)


# -- through the real bot --------------------------------------------------------------------


async def test_a_locked_database_tells_the_user_once_and_works_after(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3") as bot:
        await bot.say("/timezone Europe/Berlin")
        await short_busy_timeout(bot.services.storage)
        with caplog.at_level(logging.INFO), write_locked(bot.services.storage.path):
            reply = await bot.say("/remind 21:30")
            await standin.wait_until_idle()
        assert reply["text"] == STORAGE_BUSY
        assert len(bot_texts(standin, bot)) == 2  # zone set, then the one apology
        assert await bot.services.reminders.reminders(bot.chat_id) == []
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "could not save while handling" in errors[0]
        assert "database is locked" in errors[0]
        done = await bot.say("/remind 21:30")
        assert "every day at 21:30" in done["text"]
        assert len(await bot.services.reminders.reminders(bot.chat_id)) == 1


def bot_texts(standin: BotApiStandIn, bot: RunningBot) -> list[str]:
    return [m["text"] for m in standin.messages(bot.chat_id) if m["from"]["is_bot"]]


async def test_a_full_disk_saves_nothing_half_and_works_after(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3") as bot:
        storage = bot.services.storage
        question = await bot.say("/remind 21:30")
        assert "Which time zone" in question["text"]
        await disk_full(storage)
        await fill_reminders(storage)
        with caplog.at_level(logging.INFO):
            # Setting the zone saves the zone, clears the question and creates the reminder,
            # in one transaction: the reminder does not fit, so none of it is saved.
            reply = await bot.say("Europe/Berlin")
            await standin.wait_until_idle()
        assert reply["text"] == STORAGE_BUSY
        assert bot_texts(standin, bot)[-1] == STORAGE_BUSY  # no question answer after it
        assert await bot.services.reminders.chat_zone(bot.chat_id) is None
        assert await bot.services.reminders.pending(bot.chat_id) is not None
        assert await bot.services.reminders.reminders(bot.chat_id) == []
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "database or disk is full" in errors[0]
        await disk_freed(storage)
        done = await bot.say("Europe/Berlin")
        assert "every day at 21:30 (Europe/Berlin)" in done["text"]
        assert len(await bot.services.reminders.reminders(bot.chat_id)) == 1


async def test_a_session_rides_out_a_locked_database(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3") as bot:
        await short_busy_timeout(bot.services.storage)
        checklist = await bot.say("quick relax session")
        standin.user_presses(bot.chat_id, checklist["message_id"], button_data(checklist, "Start"))
        await bot.next_message()  # step 1
        with caplog.at_level(logging.INFO), write_locked(bot.services.storage.path):
            await asyncio.sleep(1.5)  # three steps fall due while nothing can be saved
        texts = []
        while not texts or "How did it go" not in texts[-1]:
            texts.append((await bot.next_message(timeout=30))["text"])
    steps = [t.split(" ")[1] for t in bot_texts(standin, bot) if t.startswith("Step ")]
    assert steps == ["1", "2", "3", "4", "5", "6"]
    assert not any("went wrong" in text or text == STORAGE_BUSY for text in texts)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) <= 1  # the first failure; later ones are one line each


# -- the scheduler while the database is down ----------------------------------------------


class Flaky:
    """A due source whose database fails ``failures`` times, then works."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[float] = []

    async def next_due(self) -> float | None:
        return None

    async def run_due(self, now: float) -> None:
        self.calls.append(time.monotonic())
        if len(self.calls) <= self.failures:
            raise StorageError("database unavailable: database is locked")


async def test_the_scheduler_backs_off_and_logs_one_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = Flaky(failures=4)
    scheduler = DueScheduler([source], error_backoff=0.02, max_sleep=30)
    with caplog.at_level(logging.INFO, logger="bot.scheduler"):
        await scheduler.start()
        for _ in range(200):
            if len(source.calls) > 4:
                break
            await asyncio.sleep(0.02)
        await scheduler.stop()
    assert len(source.calls) == 5
    gaps = [later - earlier for earlier, later in itertools.pairwise(source.calls)]
    assert all(gap >= 0.9 * 0.02 * 2**n for n, gap in enumerate(gaps))  # 0.02, 0.04, 0.08, 0.16 s
    assert len([r for r in caplog.records if r.exc_info]) == 1
    assert caplog.messages[1:] == [
        "scheduler source flaky failed again "
        f"(database unavailable: database is locked); next try in {s} s"
        for s in ("0", "0", "0")
    ] + ["scheduler source flaky works again"]
