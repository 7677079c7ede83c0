"""The session service on a real database with a recording sender (no Telegram)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.config import load_settings
from bot.messaging import Reply
from bot.services import Services
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


def services_at(path: Path) -> tuple[Services, Recorder]:
    settings = load_settings(
        {"BOT_TOKEN": TOKEN, "DATABASE_PATH": str(path), "TIME_SCALE": "0.01"}, dotenv=None
    )
    services = Services.create(settings, shipped_catalog())
    recorder = Recorder()
    services.use_sender(recorder)
    return services, recorder


async def test_claims_left_by_a_killed_process_are_released_and_sent(tmp_path: Path) -> None:
    services, _ = services_at(tmp_path / "db.sqlite3")
    await services.storage.open()
    plan = services.sessions.plan("routine", "routine.quick-relax")
    assert plan is not None
    await services.sessions.offer(5, plan)
    await services.sessions.control(5, "go")
    # A process that claimed the due step and died before recording the send.
    await services.storage.execute("UPDATE sessions SET claimed_at = 1.0")
    assert await services.sessions.next_due() is None
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
