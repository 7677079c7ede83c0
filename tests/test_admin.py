"""Admin core: question counters, /stats figures and the broadcast fan-out, no Telegram."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot import admin
from bot.ask.service import Answer
from bot.messaging import ChatUnreachable, Reply, SendFailed
from bot.search.verdict import Hit, Result
from bot.storage import Storage

ADMIN = 1001


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class FakeSender:
    """Records sends and edits; chats can be blocked, flooded (429) or broken."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.edits: list[tuple[int, int, str]] = []
        self.blocked: set[int] = set()
        self.flood: dict[int, int] = {}
        self.attempts: dict[int, int] = {}

    async def send(self, chat_id: int, reply: Reply) -> int:
        self.attempts[chat_id] = self.attempts.get(chat_id, 0) + 1
        if chat_id in self.blocked:
            raise ChatUnreachable("Forbidden: bot was blocked by the user")
        if self.flood.get(chat_id, 0) > 0:
            self.flood[chat_id] -= 1
            raise SendFailed("Too Many Requests", retry_after=3)
        self.sent.append((chat_id, reply.text))
        return len(self.sent)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        self.edits.append((chat_id, message_id, reply.text))

    async def delete(self, chat_id: int, message_id: int) -> None:
        raise NotImplementedError

    def to(self, chat_id: int) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]


@pytest_asyncio.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(tmp_path / "admin.sqlite3")
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def add_chats(storage: Storage, *chat_ids: int, seen: float = 1_700_000_000.0) -> None:
    for chat_id in chat_ids:
        await storage.touch_chat(chat_id, now=seen)


def service(storage: Storage, sender: FakeSender, clock: FakeClock) -> admin.BroadcastService:
    return admin.BroadcastService(storage, sender=sender, clock=clock, batch=3)


async def run_until_done(broadcasts: admin.BroadcastService, clock: FakeClock) -> None:
    for _ in range(50):
        due = await broadcasts.next_due()
        if due is None:
            return
        clock.now = max(clock.now, due)
        await broadcasts.run_due(clock.now)
    raise AssertionError("the broadcast never finished")


def result(verdict: str, hits: tuple[Hit, ...] = ()) -> Result:
    return Result("q", verdict, hits, (), False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer((), result("answer"), verdict="answer"), admin.ANSWERED),
        (Answer((), result("choose"), verdict="choose"), admin.DID_YOU_MEAN),
        (Answer((), result("unknown"), verdict="unknown"), admin.UNANSWERED),
        # Only the safety card for warning signs: that is an answer too.
        (
            Answer((), result("unknown"), results=(Hit("x", 100),), verdict="unknown"),
            "questions.answered",
        ),
        (Answer((Reply("empty"),)), None),
    ],
)
def test_answer_kinds(answer: Answer, kind: str | None) -> None:
    assert admin.answer_kind(answer) == kind


async def test_counters_add_up_and_show_in_stats(storage: Storage) -> None:
    for name in (admin.ANSWERED, admin.ANSWERED, admin.DID_YOU_MEAN, admin.UNANSWERED):
        await admin.bump(storage, name)
    await add_chats(storage, 1, 2, 3)
    figures = await admin.stats(storage, now=1_700_000_000.0)
    assert figures.chats == 3 and figures.active_week == 3
    assert figures.counters == {admin.ANSWERED: 2, admin.DID_YOU_MEAN: 1, admin.UNANSWERED: 1}
    text = admin.stats_reply(figures).text
    assert "Chats: 3" in text
    assert "4 — 2 answered, 1 'did you mean', 1 unanswered (25%)" in text


async def test_draft_escapes_and_counts_recipients(storage: Storage) -> None:
    await add_chats(storage, 1, 2)
    broadcasts = service(storage, FakeSender(), FakeClock())
    preview = await broadcasts.draft(ADMIN, "New <b>routines</b> & tips")
    assert "New &lt;b&gt;routines&lt;/b&gt; &amp; tips" in preview.text
    assert [b.text for row in preview.buttons for b in row] == ["Send to 2 chats", "Cancel"]
    assert "Usage" in (await broadcasts.draft(ADMIN, "   ")).text
    assert "at most" in (await broadcasts.draft(ADMIN, "x" * 5000)).text


async def test_broadcast_reaches_every_chat_once_and_reports(storage: Storage) -> None:
    chats = list(range(1, 8))
    await add_chats(storage, *chats)
    sender, clock = FakeSender(), FakeClock()
    broadcasts = service(storage, sender, clock)
    preview = await broadcasts.draft(ADMIN, "Hello <all>")
    broadcast_id = int(preview.text.split("#")[1].split(")")[0])
    started = await broadcasts.confirm(broadcast_id, message_id=55)
    assert started.reply is not None and "0 of 7" in started.reply.text
    # A second press (double tap, stale message) does nothing.
    assert (await broadcasts.confirm(broadcast_id, message_id=55)).toast
    assert (await broadcasts.cancel(broadcast_id)).toast
    await run_until_done(broadcasts, clock)
    for chat in chats:
        assert sender.to(chat) == ["Hello &lt;all&gt;"]
    final = sender.to(ADMIN)
    assert len(final) == 1 and "finished" in final[0] and "Sent: 7 of 7" in final[0]
    assert await broadcasts.tally(broadcast_id) == admin.Tally(total=7, sent=7)


async def test_blocked_chat_is_counted_logged_once_and_its_timed_work_stops(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    await add_chats(storage, 1, 2)
    now = 1_800_000_000.0
    await storage.execute(
        "INSERT INTO sessions (chat_id, kind, entry_id, title, plan, length_seconds, status, "
        "due_at, created_at) VALUES (2, 'routine', 'r', 'R', '[]', 60, 'running', ?, ?)",
        (now + 100, now),
    )
    await storage.execute(
        "INSERT INTO reminders (chat_id, hour, minute, weekdays, time_zone, next_fire_at, "
        "due_at, created_at) VALUES (2, 9, 0, 127, 'UTC', ?, ?, ?)",
        (now + 100, now + 100, now),
    )
    sender, clock = FakeSender(), FakeClock()
    sender.blocked.add(2)
    broadcasts = service(storage, sender, clock)
    await broadcasts.draft(ADMIN, "hi")
    await broadcasts.confirm(1, None)
    with caplog.at_level(logging.WARNING, logger="bot.admin"):
        await run_until_done(broadcasts, clock)
    assert sender.attempts[2] == 1  # never retried
    assert [r.message for r in caplog.records].count(
        "chat 2 cannot be reached (blocked the bot?): broadcast 1 skips it; "
        "ended 1 session(s), paused 1 reminder(s)"
    ) == 1
    assert await broadcasts.tally(1) == admin.Tally(total=2, sent=1, unreachable=1)
    session = await storage.fetchone("SELECT status, due_at FROM sessions WHERE chat_id = 2")
    reminder = await storage.fetchone("SELECT paused, due_at FROM reminders WHERE chat_id = 2")
    assert tuple(session or ()) == ("gone", None) and tuple(reminder or ()) == (1, None)
    # The next broadcast leaves the blocked chat out, until it writes to the bot again.
    preview = await broadcasts.draft(ADMIN, "again")
    assert "goes to 1 chat." in preview.text
    await storage.touch_chat(2, now=clock.now + 1)
    await storage.execute("UPDATE reminders SET paused = 0")  # what writing does (resume)
    assert "goes to 2 chats" in (await broadcasts.draft(ADMIN, "third")).text


async def test_flooded_sends_are_retried_then_given_up(storage: Storage) -> None:
    await add_chats(storage, 1, 2)
    sender, clock = FakeSender(), FakeClock()
    sender.flood = {1: 2, 2: 99}
    broadcasts = service(storage, sender, clock)
    await broadcasts.draft(ADMIN, "hi")
    await broadcasts.confirm(1, None)
    await run_until_done(broadcasts, clock)
    assert sender.to(1) == ["hi"] and sender.to(2) == []
    assert sender.attempts[2] == admin.MAX_ATTEMPTS
    assert await broadcasts.tally(1) == admin.Tally(total=2, sent=1, failed=1)


async def test_broadcast_resumes_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.sqlite3"
    clock = FakeClock()
    first = Storage(path)
    await first.open()
    await add_chats(first, *range(1, 8))
    sender = FakeSender()
    broadcasts = service(first, sender, clock)
    await broadcasts.draft(ADMIN, "hi")
    await broadcasts.confirm(1, None)
    await broadcasts.run_due(clock.now)  # one batch of 3, then the bot stops
    await first.close()
    assert len(sender.sent) == 3

    second = Storage(path)
    await second.open()
    try:
        again = service(second, sender, clock)
        await run_until_done(again, clock)
        counts = {chat: len(sender.to(chat)) for chat in range(1, 8)}
        assert counts == dict.fromkeys(range(1, 8), 1)
    finally:
        await second.close()


async def test_cancel_sends_nothing(storage: Storage) -> None:
    await add_chats(storage, 1)
    sender, clock = FakeSender(), FakeClock()
    broadcasts = service(storage, sender, clock)
    await broadcasts.draft(ADMIN, "hi")
    cancelled = await broadcasts.cancel(1)
    assert cancelled.reply is not None and "nothing was sent" in cancelled.reply.text
    assert (await broadcasts.confirm(1, None)).toast
    assert await broadcasts.next_due() is None and sender.sent == []


async def test_progress_is_edited_now_and_then_and_the_end_sent_once(storage: Storage) -> None:
    await add_chats(storage, *range(1, 10))
    sender, clock = FakeSender(), FakeClock()
    broadcasts = service(storage, sender, clock)  # batches of 3: three batches
    await broadcasts.draft(ADMIN, "hi")
    await broadcasts.confirm(1, message_id=55)
    for _ in range(3):
        clock.now += admin.PROGRESS_EVERY + 1
        await broadcasts.run_due(clock.now)
    progress = [text for chat, message, text in sender.edits if (chat, message) == (ADMIN, 55)]
    assert [line.splitlines()[1] for line in progress] == [
        "Sent: 3 of 9",
        "Sent: 6 of 9",
        "Sent: 9 of 9",
    ]
    assert "finished" in progress[-1] and "Still to go" in progress[0]
    assert len(sender.to(ADMIN)) == 1
    await broadcasts.run_due(clock.now)  # nothing left: no second final report
    assert len(sender.to(ADMIN)) == 1
