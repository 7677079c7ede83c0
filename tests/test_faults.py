"""Faults of the Bot API: 502/504 from the proxy, hung requests. Nothing lost, nothing fatal."""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path
from typing import Any

import pytest

from standin import BotApiStandIn, Fault
from tests.support.app import running_bot

QUESTIONS = ["what oil should I use", "how hard should I press", "/help", "thumb strips"]


async def test_a_tenth_of_requests_failing_loses_no_update_and_no_reply(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(7)
    polls = hung_polls = 0

    def flaky(method: str, params: Any) -> Fault | None:
        nonlocal polls, hung_polls
        if method == "getUpdates":
            polls += 1
            if polls in (2, 3):
                hung_polls += 1
                return Fault.hang(7.0)  # past the client's read timeout for a 1 s long poll
        if rng.random() < 0.1:
            return Fault.http(rng.choice([502, 504]))
        return None

    chats = list(range(3000, 3020))
    async with running_bot(standin, tmp_path / "db.sqlite3") as bot:
        standin.set_fault(flaky)
        with caplog.at_level(logging.WARNING):
            for round_ in range(5):
                for chat_id in chats:
                    standin.user_sends_text(chat_id, QUESTIONS[(chat_id + round_) % 4])
                await asyncio.sleep(0.05)
            for chat_id in chats:
                for _ in range(5):
                    await standin.wait_for_message(chat_id, timeout=60)
            await standin.wait_until_idle(timeout=60, settle=0.5)
        standin.set_fault(None)
        for chat_id in chats:
            replies = [m for m in standin.messages(chat_id) if m["from"]["is_bot"]]
            assert len(replies) == 5, [m["text"][:40] for m in replies]
            assert not any("went wrong" in m["text"] for m in replies)
        assert bot.app.running
    assert hung_polls == 2
    assert any("retry" in record.getMessage() for record in caplog.records)
    assert not any(record.name == "handlers.errors" for record in caplog.records)
