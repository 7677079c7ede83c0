"""Sessions survive restarts and kills, and ride out 429s and blocked chats."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from standin import BotApiStandIn, Fault
from tests.support.app import USER_CHAT, button_data, running_bot
from tests.support.botapi import TOKEN

JSONDict = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent


def step_number(text: str) -> int | None:
    for line in text.splitlines()[:2]:
        if line.startswith("Step "):
            return int(line.split(" ")[1])
    return None


async def collect_until_aftercare(
    standin: BotApiStandIn,
    chat_id: int,
    timeout: float = 20.0,  # noqa: ASYNC109
) -> list[str]:
    texts: list[str] = []
    while not texts or "How did it go" not in texts[-1]:
        message = await standin.wait_for_message(chat_id, timeout=timeout)
        texts.append(message["text"])
    return texts


def steps_in(standin: BotApiStandIn, chat_id: int) -> list[int]:
    """Every step number sent to a chat, in order, from the stand-in's records."""
    numbers = [
        step_number(record.plain_text or "")
        for record in standin.sent
        if record.chat_id == chat_id and not record.is_edit
    ]
    return [number for number in numbers if number is not None]


async def start_quick_session(standin: BotApiStandIn, chat_id: int) -> None:
    standin.user_sends_text(chat_id, "quick relax session")
    checklist = await standin.wait_for_message(chat_id)
    standin.user_presses(chat_id, checklist["message_id"], button_data(checklist, "Start"))


async def test_a_restarted_bot_picks_up_running_and_keeps_paused_sessions(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database, paused_chat = tmp_path / "db.sqlite3", 2002
    async with running_bot(standin, database, TIME_SCALE="0.03") as bot:
        await start_quick_session(standin, USER_CHAT)
        await start_quick_session(standin, paused_chat)
        await standin.wait_for_message(paused_chat)
        standin.user_sends_text(paused_chat, "pause")
        assert "Paused" in (await standin.wait_for_message(paused_chat))["text"]
        while len(steps_in(standin, USER_CHAT)) < 2:
            await standin.wait_for_message(USER_CHAT)
        paused_before = await bot.services.sessions.open_session(paused_chat)
    await asyncio.sleep(1.5)  # steps fall due while the bot is down
    async with running_bot(standin, database, TIME_SCALE="0.03") as bot:
        await standin.wait_for_message(USER_CHAT)  # the step that fell due, at once
        paused_after = await bot.services.sessions.open_session(paused_chat)
        assert paused_after == paused_before  # untouched: paused sessions stay paused
        standin.user_sends_text(paused_chat, "resume")
        assert "left of step 1" in (await standin.wait_for_message(paused_chat))["text"]
        await collect_until_aftercare(standin, USER_CHAT)
        assert steps_in(standin, USER_CHAT) == [1, 2, 3, 4, 5, 6]  # none lost, none twice
        await collect_until_aftercare(standin, paused_chat)
        assert steps_in(standin, paused_chat) == [1, 2, 3, 4, 5, 6]


@contextlib.asynccontextmanager
async def bot_process(standin: BotApiStandIn, database: Path) -> AsyncIterator[Any]:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": standin.base_url,
        "DATABASE_PATH": str(database),
        "TIME_SCALE": "0.03",
        "RATE_LIMIT_OVERALL": "0",
        "PICTURES": "off",  # steps as text only: this test counts step messages
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_a_bot_killed_mid_session_loses_no_step(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite3"
    victim: list[int] = []

    def kill_while_sending_step_three(method: str, params: JSONDict) -> None:
        # The stand-in delivers step 3, but the bot dies before it reads the answer (and so
        # before it can record the step as sent): the worst moment for a kill.
        text = str(params.get("text", ""))
        if method == "sendMessage" and text.startswith("<b>Step 3 ") and victim:
            os.kill(victim.pop(), signal.SIGKILL)

    standin.set_fault(kill_while_sending_step_three)
    async with bot_process(standin, database) as process:
        victim.append(process.pid)
        await start_quick_session(standin, USER_CHAT)
        await asyncio.wait_for(process.wait(), 20)
        assert process.returncode == -signal.SIGKILL
    assert steps_in(standin, USER_CHAT) == [1, 2, 3]
    async with bot_process(standin, database):
        await collect_until_aftercare(standin, USER_CHAT)
    steps = steps_in(standin, USER_CHAT)
    assert sorted(set(steps)) == [1, 2, 3, 4, 5, 6]  # no step lost
    assert steps == [1, 2, 3, 3, 4, 5, 6]  # only the step in flight repeated, once


async def test_a_429_delays_the_step_and_never_drops_it(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    refused: list[str] = []

    def flood_once(method: str, params: JSONDict) -> Fault | None:
        if method == "sendMessage" and "Step 2 " in str(params.get("text", "")) and not refused:
            refused.append(method)
            return Fault.api_error(429, "Too Many Requests: retry after 1", retry_after=1)
        return None

    standin.set_fault(flood_once)
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="0.01"):
        await start_quick_session(standin, USER_CHAT)
        await collect_until_aftercare(standin, USER_CHAT)
    assert refused
    assert steps_in(standin, USER_CHAT) == [1, 2, 3, 4, 5, 6]


async def test_a_blocked_chat_ends_its_session_quietly(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="0.01") as bot:
        await start_quick_session(standin, USER_CHAT)
        await standin.wait_for_message(USER_CHAT)
        with caplog.at_level(logging.WARNING):
            standin.block_chat(USER_CHAT)
            for _ in range(100):
                if await bot.services.sessions.open_session(USER_CHAT) is None:
                    break
                await asyncio.sleep(0.05)
        assert await bot.services.sessions.open_session(USER_CHAT) is None
        row = await bot.services.storage.fetchone("SELECT status FROM sessions")
        assert row is not None and row[0] == "gone"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
