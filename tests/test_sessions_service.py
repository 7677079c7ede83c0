"""The session service on a real database with a recording sender (no Telegram)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.config import load_settings
from bot.messaging import Reply, Sender
from bot.services import Services
from bot.sessions.service import SessionService
from bot.storage import Storage
from tests.support.app import shipped_catalog
from tests.support.botapi import TOKEN


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send(self, chat_id: int, reply: Reply) -> int:
        self.sent.append((chat_id, reply.text))
        return len(self.sent)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        return None

    async def delete(self, chat_id: int, message_id: int) -> None:
        return None


def services_at(path: Path, sender: Sender | None = None) -> tuple[Services, Recorder]:
    """Services on a database at ``path``, sending through ``sender`` or a Recorder."""
    settings = load_settings(
        {"BOT_TOKEN": TOKEN, "DATABASE_PATH": str(path), "TIME_SCALE": "0.01"}, dotenv=None
    )
    recorder = Recorder()
    return Services.create(settings, shipped_catalog(), sender or recorder), recorder


async def test_claims_left_by_a_killed_process_are_released_and_sent(tmp_path: Path) -> None:
    services, _ = services_at(tmp_path / "db.sqlite3")
    await services.storage.open()
    plan = services.sessions.plan("routine", "routine.quick-relax")
    assert plan is not None
    await services.sessions.offer(5, plan)
    await services.sessions.control(5, "go")
    # A process that claimed the due step and died before recording the send.
    await services.storage.execute("UPDATE sessions SET claimed_at = 1.0")
    assert await services.sessions.timetable.next_due() is None
    await services.storage.close()

    services, recorder = services_at(tmp_path / "db.sqlite3")
    await services.start()
    for _ in range(200):
        if recorder.sent:
            break
        await asyncio.sleep(0.01)
    await services.stop()
    assert recorder.sent and recorder.sent[0][1].splitlines()[0].startswith("<b>Step 1 of 6")


async def test_a_transaction_cancelled_while_beginning_leaves_the_connection_usable(
    tmp_path: Path,
) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    await storage.open()

    async def begin_and_wait() -> None:
        async with storage.transaction():
            await asyncio.sleep(10)

    for _ in range(20):
        task = asyncio.create_task(begin_and_wait())
        await asyncio.sleep(0)  # cancelled while BEGIN waits in aiosqlite's queue
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await storage.execute("UPDATE chats SET last_seen_at = 0") == 0
    await storage.close()


async def test_many_concurrent_sessions_get_every_step_once_and_in_order(tmp_path: Path) -> None:
    """Steps of many chats are read and written in shared batches; none is lost or repeated."""
    services, recorder = services_at(tmp_path / "db.sqlite3")
    await services.start()
    plan = services.sessions.plan("routine", "routine.quick-relax")
    assert plan is not None
    chats = range(100, 140)
    for chat in chats:
        await services.sessions.offer(chat, plan)
        await services.sessions.control(chat, "go")
    expected = len(plan.steps)
    for _ in range(1000):
        steps = [t for _, t in recorder.sent if t.startswith("<b>Step")]
        if len(steps) >= expected * len(chats):
            break
        await asyncio.sleep(0.02)
    await services.stop()
    for chat in chats:
        heads = [
            t.split("\n")[0] for c, t in recorder.sent if c == chat and t.startswith("<b>Step")
        ]
        assert [h.split(" of ")[0] for h in heads] == [
            f"<b>Step {n}" for n in range(1, expected + 1)
        ], heads


class WakeSpy:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self, name: str | None = None) -> None:
        self.woken += 1


async def test_a_sent_step_wakes_the_scheduler_only_when_due_before_its_next_look(
    tmp_path: Path,
) -> None:
    services, recorder = services_at(tmp_path / "db.sqlite3")
    spy = WakeSpy()
    sessions = SessionService(services.storage, services.catalog, spy, recorder).timetable
    await services.storage.open()
    assert await sessions.next_due() is None
    sessions._rescheduled(50.0)  # the scheduler sleeps its longest sleep: must look
    assert spy.woken == 1
    sessions._rescheduled(60.0)  # after the look now planned at 50: nothing to do
    assert spy.woken == 1
    sessions._rescheduled(40.0)  # before it: look earlier
    assert spy.woken == 2
    sessions._rescheduled(None)  # session over
    assert spy.woken == 2
    await services.storage.close()
