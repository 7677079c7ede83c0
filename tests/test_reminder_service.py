"""Reminder storage and sending with a fake clock and a fake sender: no Telegram, no waiting."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot import callbacks as cb
from bot.catalog.files import ContentError
from bot.messaging import ChatUnreachable, Reply, SendFailed
from bot.reminders.lines import load_lines
from bot.reminders.records import Added, NeedZone, NoRoom
from bot.reminders.schedule import MAX_REMINDERS, ReminderError, Schedule
from bot.reminders.service import ReminderService
from bot.reminders.zones import ZoneIndex
from bot.storage import Storage

BERLIN = ZoneInfo("Europe/Berlin")
CHAT = 42
LINES = ("Breathe out slowly.", "Drop your shoulders.", "Unclench your jaw.")


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def at(self, moment: datetime) -> float:
        self.now = moment.timestamp()
        return self.now


class FakeSender:
    """Records sends; a chat can be made unreachable or to answer 429 a number of times."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, Reply]] = []
        self.blocked: set[int] = set()
        self.flood: dict[int, int] = {}
        self.broken: set[int] = set()

    async def send(self, chat_id: int, reply: Reply) -> int:
        if chat_id in self.blocked:
            raise ChatUnreachable("Forbidden: bot was blocked by the user")
        if self.flood.get(chat_id, 0) > 0:
            self.flood[chat_id] -= 1
            raise SendFailed("Too Many Requests", retry_after=3)
        if chat_id in self.broken:
            raise RuntimeError("unexpected")
        self.sent.append((chat_id, reply))
        return len(self.sent)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        raise NotImplementedError

    async def delete(self, chat_id: int, message_id: int) -> None:
        raise NotImplementedError

    def to(self, chat_id: int) -> list[Reply]:
        return [reply for chat, reply in self.sent if chat == chat_id]


ZONES = ZoneIndex()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 6, 1, 12, 0, tzinfo=BERLIN))  # a Monday


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest_asyncio.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(tmp_path / "db.sqlite3")
    await store.open()
    yield store
    await store.close()


def make_service(storage: Storage, clock: FakeClock, sender: FakeSender) -> ReminderService:
    return ReminderService(storage, LINES, ZONES, sender=sender, clock=clock, flush_every=2)


@pytest.fixture
def service(storage: Storage, clock: FakeClock, sender: FakeSender) -> ReminderService:
    return make_service(storage, clock, sender)


async def added(service: ReminderService, schedule: Schedule, chat: int = CHAT) -> Added:
    outcome = await service.add(chat, schedule)
    assert isinstance(outcome, Added)
    return outcome


async def run_at(service: ReminderService, clock: FakeClock, moment: datetime) -> None:
    await service.timetable.run_due(clock.at(moment))


async def test_first_reminder_waits_for_a_zone_then_is_created(service: ReminderService) -> None:
    outcome = await service.add(CHAT, Schedule(21, 30))
    assert outcome == NeedZone(Schedule(21, 30))
    assert await service.reminders(CHAT) == []
    pending = await service.pending(CHAT)
    assert pending is not None and pending.schedule == Schedule(21, 30)
    result = await service.set_zone(CHAT, "Europe/Berlin")
    assert result.created is not None
    assert datetime.fromtimestamp(result.created.next_fire_at, BERLIN) == datetime(
        2026, 6, 1, 21, 30, tzinfo=BERLIN
    )
    assert await service.pending(CHAT) is None
    assert await service.chat_zone(CHAT) == "Europe/Berlin"


async def test_unknown_zone_is_refused_and_nothing_is_saved(service: ReminderService) -> None:
    await service.add(CHAT, Schedule(21, 30))
    with pytest.raises(ValueError):
        await service.set_zone(CHAT, "Mars/Olympus")
    assert await service.chat_zone(CHAT) is None
    assert await service.pending(CHAT) is not None


async def test_sixth_and_duplicate_reminders_are_refused(service: ReminderService) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    for hour in range(MAX_REMINDERS):
        await added(service, Schedule(hour + 6, 0))
    with pytest.raises(ReminderError, match="already have 5"):
        await service.add(CHAT, Schedule(22, 0))
    with pytest.raises(ReminderError, match="already have a reminder"):
        await service.add(CHAT, Schedule(6, 0))
    assert len(await service.reminders(CHAT)) == MAX_REMINDERS


async def test_several_reminders_are_saved_together_skipping_ones_the_chat_has(
    service: ReminderService,
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    await added(service, Schedule(8, 0))
    outcome = await service.add_all(CHAT, [Schedule(8, 0), Schedule(20, 0), Schedule(21, 0)])
    assert isinstance(outcome, Added)
    assert [r.schedule for r in outcome.reminders] == [Schedule(20, 0), Schedule(21, 0)]
    assert outcome.already == (Schedule(8, 0),)
    with pytest.raises(ReminderError, match="already have a reminder"):
        await service.add_all(CHAT, [Schedule(8, 0), Schedule(20, 0)])


async def test_several_reminders_that_do_not_fit_save_nothing(service: ReminderService) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    for hour in range(MAX_REMINDERS - 1):
        await added(service, Schedule(hour + 6, 0))
    outcome = await service.add_all(CHAT, [Schedule(20, 0), Schedule(21, 0)])
    assert outcome == NoRoom((Schedule(20, 0), Schedule(21, 0)), free=1)
    assert len(await service.reminders(CHAT)) == MAX_REMINDERS - 1


async def test_several_reminders_wait_for_the_zone_across_a_restart(
    storage: Storage, clock: FakeClock, sender: FakeSender
) -> None:
    first = make_service(storage, clock, sender)
    waiting = [Schedule(7, 30, 0b0011111), Schedule(21, 0, 0b0011111), Schedule(12, 0)]
    assert await first.add_all(CHAT, waiting) == NeedZone(waiting[0], tuple(waiting[1:]))
    again = make_service(storage, clock, sender)
    pending = await again.pending(CHAT)
    assert pending is not None and (pending.schedule, *pending.more) == tuple(waiting)
    result = await again.set_zone(CHAT, "Europe/Berlin")
    assert result.created is not None
    assert [r.schedule for r in (result.created, *result.more)] == waiting
    assert await again.pending(CHAT) is None


async def test_due_reminder_is_sent_once_and_moves_to_the_next_day(
    service: ReminderService, clock: FakeClock, sender: FakeSender
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    reminder = (await added(service, Schedule(21, 30))).reminder
    assert await service.timetable.next_due() == reminder.next_fire_at
    await run_at(service, clock, datetime(2026, 6, 1, 21, 29, tzinfo=BERLIN))
    assert sender.sent == []
    await run_at(service, clock, datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN))
    await run_at(service, clock, datetime(2026, 6, 1, 21, 31, tzinfo=BERLIN))
    assert len(sender.to(CHAT)) == 1
    nudge = sender.to(CHAT)[0]
    assert "Time to relax" in nudge.text
    assert [b.data for row in nudge.buttons for b in row] == [
        cb.SessionStart("routine.quick-relax").data(),
        cb.ReminderAct("snooze", reminder.id).data(),
        cb.ReminderAct("stop", reminder.id).data(),
    ]
    assert (
        await service.timetable.next_due()
        == datetime(2026, 6, 2, 21, 30, tzinfo=BERLIN).timestamp()
    )


async def test_lines_rotate(
    service: ReminderService, clock: FakeClock, sender: FakeSender
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    await added(service, Schedule(21, 30))
    for day in range(1, 4):
        await run_at(service, clock, datetime(2026, 6, day, 21, 30, tzinfo=BERLIN))
    texts = [reply.text for reply in sender.to(CHAT)]
    assert len(set(texts)) == 3


async def test_restart_catch_up_sends_late_once_within_an_hour(
    storage: Storage, clock: FakeClock, sender: FakeSender
) -> None:
    first = make_service(storage, clock, sender)
    await first.set_zone(CHAT, "Europe/Berlin")
    await added(first, Schedule(21, 30))
    await added(first, Schedule(20, 0))
    # The bot was down from 19:00 to 22:15: 21:30 is 45 min late (sent), 20:00 is 2 h 15 late.
    restarted = make_service(storage, clock, sender)
    await run_at(restarted, clock, datetime(2026, 6, 1, 22, 15, tzinfo=BERLIN))
    await run_at(restarted, clock, datetime(2026, 6, 1, 22, 16, tzinfo=BERLIN))
    assert len(sender.to(CHAT)) == 1
    # Both now wait for tomorrow; a second restart sends nothing again.
    again = make_service(storage, clock, sender)
    await run_at(again, clock, datetime(2026, 6, 1, 23, 0, tzinfo=BERLIN))
    assert len(sender.to(CHAT)) == 1
    assert (
        await again.timetable.next_due() == datetime(2026, 6, 2, 20, 0, tzinfo=BERLIN).timestamp()
    )


async def test_blocked_chat_pauses_its_reminders_and_logs_once(
    service: ReminderService,
    clock: FakeClock,
    sender: FakeSender,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    await added(service, Schedule(21, 30))
    await added(service, Schedule(21, 30, 1))  # Mondays too: both due at once
    await service.set_zone(7, "Europe/Berlin")
    await added(service, Schedule(21, 30), chat=7)
    sender.blocked.add(CHAT)
    with caplog.at_level(logging.INFO):
        await run_at(service, clock, datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN))
        await run_at(service, clock, datetime(2026, 6, 2, 21, 30, tzinfo=BERLIN))
    lines = [r.getMessage() for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert lines == [
        f"chat {CHAT} cannot be reached (Forbidden: bot was blocked by the user): "
        "ended 0 session(s), paused 2 reminder(s)"
    ]
    assert all(r.paused for r in await service.reminders(CHAT))
    assert len(sender.to(7)) == 2  # the other chat is not affected
    # Talking to the bot again switches them back on, from the next slot.
    sender.blocked.clear()
    assert await service.resume(CHAT) == 2
    await run_at(service, clock, datetime(2026, 6, 3, 21, 30, tzinfo=BERLIN))
    assert len(sender.to(CHAT)) == 1


async def test_429_reschedules_and_never_drops(
    service: ReminderService, clock: FakeClock, sender: FakeSender
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    await added(service, Schedule(21, 30))
    sender.flood[CHAT] = 2
    due = datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN).timestamp()
    await service.timetable.run_due(clock.at(datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN)))
    assert sender.sent == [] and await service.timetable.next_due() == due + 3
    clock.now = due + 3
    await service.timetable.run_due(clock.now)
    clock.now = due + 6
    await service.timetable.run_due(clock.now)
    assert len(sender.to(CHAT)) == 1


async def test_unexpected_error_is_retried_later(
    service: ReminderService, clock: FakeClock, sender: FakeSender
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    await added(service, Schedule(21, 30))
    sender.broken.add(CHAT)
    await run_at(service, clock, datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN))
    sender.broken.clear()
    await run_at(service, clock, datetime(2026, 6, 1, 21, 30, 59, tzinfo=BERLIN))
    assert sender.sent == []
    await run_at(service, clock, datetime(2026, 6, 1, 21, 31, tzinfo=BERLIN))
    assert len(sender.to(CHAT)) == 1


async def test_snooze_sends_once_more_in_15_minutes(
    service: ReminderService, clock: FakeClock, sender: FakeSender
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    reminder = (await added(service, Schedule(21, 30))).reminder
    await run_at(service, clock, datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN))
    assert await service.snooze(CHAT, reminder.id) is not None
    assert await service.snooze(999, reminder.id) is None  # not theirs
    await run_at(service, clock, datetime(2026, 6, 1, 21, 44, tzinfo=BERLIN))
    assert len(sender.to(CHAT)) == 1
    await run_at(service, clock, datetime(2026, 6, 1, 21, 45, tzinfo=BERLIN))
    await run_at(service, clock, datetime(2026, 6, 1, 21, 50, tzinfo=BERLIN))
    assert len(sender.to(CHAT)) == 2
    assert (
        await service.timetable.next_due()
        == datetime(2026, 6, 2, 21, 30, tzinfo=BERLIN).timestamp()
    )


async def test_zone_change_moves_reminders_to_the_new_wall_clock(
    service: ReminderService,
) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    await added(service, Schedule(21, 30))
    result = await service.set_zone(CHAT, "America/New_York")
    assert result.moved == 1 and result.created is None
    (reminder,) = await service.reminders(CHAT)
    local = datetime.fromtimestamp(reminder.next_fire_at, ZoneInfo("America/New_York"))
    assert (local.hour, local.minute, reminder.zone) == (21, 30, "America/New_York")


async def test_delete_only_own_reminders(service: ReminderService) -> None:
    await service.set_zone(CHAT, "Europe/Berlin")
    reminder = (await added(service, Schedule(21, 30))).reminder
    assert await service.delete(999, reminder.id) is None
    assert await service.delete(CHAT, reminder.id) == reminder
    assert await service.delete(CHAT, reminder.id) is None
    await added(service, Schedule(8, 0))
    await added(service, Schedule(9, 0))
    assert await service.delete_all(CHAT) == 2
    assert await service.timetable.next_due() is None


async def test_a_reminder_edited_during_a_fan_out_keeps_the_edit(
    storage: Storage, clock: FakeClock
) -> None:
    class EditingSender(FakeSender):
        async def send(self, chat_id: int, reply: Reply) -> int:
            # The person changes the zone while their nudge is in flight.
            await service.set_zone(CHAT, "Asia/Tokyo")
            return await super().send(chat_id, reply)

    sender = EditingSender()
    service = make_service(storage, clock, sender)
    await service.set_zone(CHAT, "Europe/Berlin")
    await added(service, Schedule(21, 30))
    await run_at(service, clock, datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN))
    (reminder,) = await service.reminders(CHAT)
    local = datetime.fromtimestamp(reminder.next_fire_at, ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute) == (21, 30)


async def test_many_due_at_once_are_all_sent_once(
    storage: Storage, clock: FakeClock, sender: FakeSender
) -> None:
    service = ReminderService(
        storage, LINES, ZONES, sender=sender, clock=clock, concurrency=8, batch_size=100
    )
    for chat in range(250):
        await service.set_zone(chat, "Europe/Berlin")
        await added(service, Schedule(21, 30), chat=chat)
    moment = datetime(2026, 6, 1, 21, 30, tzinfo=BERLIN)
    for second in range(5):
        await service.timetable.run_due(clock.at(moment) + second)
    assert sorted(chat for chat, _ in sender.sent) == list(range(250))


def test_shipped_lines_are_valid_and_bad_files_are_refused(tmp_path: Path) -> None:
    assert len(load_lines()) >= 10
    bad = tmp_path / "lines.yaml"
    bad.write_text("lines:\n  - text: ''\n  - text: a\n  - text: a\n  - text: b\n    from: nope\n")
    with pytest.raises(ContentError) as caught:
        load_lines(bad, known_ids={})
    assert len(caught.value.problems) == 3
    bad.write_text("lines: []\n")
    with pytest.raises(ContentError):
        load_lines(bad)
