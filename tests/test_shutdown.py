"""SIGTERM (what systemd sends): finish the work in hand, close the database, exit 0."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.storage import Storage
from standin import BotApiStandIn, Fault
from tests.support.botapi import TOKEN
from tests.support.process import start_bot

CHAT = 5151


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        result: str = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    return result


async def test_sigterm_stops_cleanly_and_leaves_a_sound_database(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    bot = await start_bot(standin, tmp_path)
    try:
        await standin.wait_for_request("setMyShortDescription", timeout=30)
        standin.user_sends_text(CHAT, "/start")
        assert "Massage Coach" in (await standin.wait_for_message(CHAT, timeout=15))["text"]
        assert await bot.terminate() == 0
    finally:
        await bot.kill()
    log = bot.log
    assert "started as @" in log
    assert "stopped cleanly" in log
    assert "Traceback" not in log
    assert TOKEN not in log

    database = tmp_path / "bot.sqlite3"
    assert integrity(database) == "ok"
    # The process lock is released and the data is there: a new bot could start at once.
    storage = Storage(database)
    await storage.open()
    try:
        row = await storage.fetchone("SELECT chat_id FROM chats WHERE chat_id = ?", (CHAT,))
        assert row is not None
    finally:
        await storage.close()


async def test_sigterm_lets_an_answer_in_flight_finish(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    sending = asyncio.Event()

    def slow_send(method: str, params: object) -> Fault | None:
        if method == "sendMessage":
            sending.set()
            return Fault.hang(1.0)
        return None

    bot = await start_bot(standin, tmp_path)
    try:
        await standin.wait_for_request("setMyShortDescription", timeout=30)
        standin.set_fault(slow_send)
        standin.user_sends_text(CHAT, "/help")
        await asyncio.wait_for(sending.wait(), 15)
        status = await bot.terminate()  # while the reply is still on its way
    finally:
        await bot.kill()
    assert status == 0
    assert [r for r in standin.sent if r.chat_id == CHAT], "the reply was cut off"
    assert "kind=message/command:/help outcome=ok" in bot.log
    assert "stopped cleanly" in bot.log
    assert integrity(tmp_path / "bot.sqlite3") == "ok"
