"""The terminal chat: stdin lines in, the bot's messages and numbered buttons out."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import BotApplication
from bot.storage import ProcessLock, Storage
from standin import BotApiStandIn
from standin.terminal import ChatOptions, chat
from tests.support.app import shipped_catalog
from tests.support.process import child_env

CHAT = 1


def run_chat_process(
    script: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``printf SCRIPT | python -m bot chat`` in a folder without .env, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args],
        input=script,
        capture_output=True,
        text=True,
        env=child_env(**(env or {})),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_scripted_chat_needs_no_token_and_leaves_cleanly(tmp_path: Path) -> None:
    result = run_chat_process("/start\n1\n/dance\n", tmp_path, "--name", "Sam")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "Ctrl-D leaves" in out  # the banner
    assert "you: /start" in out
    assert "coach: 👋 Hi Sam, I'm Massage Coach." in out
    assert "[1] 💬 How to ask   [2] 🛟 Safety first" in out
    assert "you pressed: [1] 💬 How to ask" in out
    assert "• how do I ease shoulder tension" in out  # the hint, tags stripped
    assert "<i>" not in out
    # The reply to the very last line arrives before the chat ends.
    assert out.rstrip().endswith("/help lists everything I understand.")
    assert (tmp_path / "data" / "chat.sqlite3").is_file()


def test_chat_refuses_a_database_in_use_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "busy.sqlite3"
    lock = ProcessLock(database)
    lock.acquire()
    try:
        result = run_chat_process("/start\n", tmp_path, "--database", str(database))
    finally:
        lock.release()
    assert result.returncode == 2
    assert "already using" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.fixture
def pipe() -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    """A stdin the test types into line by line (reader, writer)."""
    read_fd, write_fd = os.pipe()
    reader = open(read_fd, encoding="utf-8")  # noqa: SIM115
    writer = open(write_fd, "w", encoding="utf-8", buffering=1)  # noqa: SIM115
    yield reader, writer
    writer.close()
    reader.close()


def options(tmp_path: Path) -> ChatOptions:
    return ChatOptions(database=tmp_path / "chat.sqlite3", name="Sam", echo=True, banner=False)


async def run_script(tmp_path: Path, script: str) -> str:
    out = io.StringIO()
    env = {"TIME_SCALE": "0.01"}
    await chat(shipped_catalog(), options(tmp_path), io.StringIO(script), out, environ=env)
    return out.getvalue()


async def test_numbers_press_buttons_of_the_latest_message_only(tmp_path: Path) -> None:
    out = await run_script(tmp_path, "5\n/start\n9\n2\n")
    # No buttons yet: "5" is just a message, answered like any text.
    assert out.startswith("you: 5\ncoach:")
    assert "(there is no button 9; choose 1 to 5)" in out
    assert "you pressed: [2] 🛟 Safety first" in out
    assert "physiotherapist" in out.split("you pressed")[-1]


async def test_end_of_input_shuts_the_bot_down_cleanly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="bot.app"):
        out = await run_script(tmp_path, "/help\n")
    assert "/start" in out
    assert "stopped cleanly" in caplog.text
    # post_shutdown closed the database and released it.
    storage = Storage(tmp_path / "chat.sqlite3")
    await storage.open()
    try:
        assert await storage.fetchone("SELECT 1 FROM chats WHERE chat_id = ?", (CHAT,))
    finally:
        await storage.close()


class Steps:
    """A timed source like a guided session: sends a step, then edits it, on schedule."""

    name = "test-steps"

    def __init__(self, app: BotApplication) -> None:
        self.app = app
        self.due: float | None = time.time() + 0.3
        self.sent = 0
        self.message_id = 0

    async def next_due(self) -> float | None:
        return self.due

    async def run_due(self, now: float) -> None:
        if self.due is None or now < self.due:
            return
        if self.sent == 0:
            message = await self.app.bot.send_message(CHAT, "⏱ <b>Step 1</b>: effleurage")
            self.message_id = message.message_id
            self.due = now + 0.3
        else:
            await self.app.bot.edit_message_text("✅ Step 1 done", CHAT, self.message_id)
            self.due = None
        self.sent += 1


async def test_timed_messages_and_edits_show_while_waiting_for_input(
    tmp_path: Path, pipe: tuple[io.TextIOWrapper, io.TextIOWrapper]
) -> None:
    stdin, typing = pipe
    out = io.StringIO()
    ready: asyncio.Future[tuple[BotApiStandIn, BotApplication]] = asyncio.Future()

    def started(standin: BotApiStandIn, app: BotApplication) -> None:
        ready.set_result((standin, app))

    running = asyncio.create_task(
        chat(shipped_catalog(), options(tmp_path), stdin, out, environ={}, started=started)
    )
    standin, app = await asyncio.wait_for(ready, 30)
    typing.write("/start\n")
    await standin.wait_for_message(CHAT)
    assert app.bot_data.services is not None
    scheduler = app.bot_data.services.scheduler
    scheduler.add(Steps(app))
    step = await standin.wait_for_message(CHAT, predicate=lambda m: "Step" in m["text"])
    await standin.wait_for_edit(CHAT, step["message_id"])
    # A forged button press gets the bot's pop-up answer.
    standin.user_presses(CHAT, 1, "zz:forged", strict=False)
    await standin.wait_until_idle(settle=0.2)
    await asyncio.sleep(0.2)  # a couple of printer ticks
    shown = out.getvalue()  # printed before any further input and before end of input
    assert "coach: ⏱ Step 1: effleurage" in shown
    assert "coach (edited): ✅ Step 1 done" in shown
    assert "coach (pop-up):" in shown and "expired" in shown
    typing.close()
    await asyncio.wait_for(running, 30)
