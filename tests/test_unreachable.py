"""403 (blocked) and 400 "chat not found": the session ends, reminders pause, once, logged once."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.reminders.schedule import Schedule
from standin import BotApiStandIn
from tests.support.app import RunningBot, button_data, running_bot

GONE_CHAT = 4040


def sends_to(standin: BotApiStandIn, chat_id: int) -> list[int]:
    """Status of every sendMessage the bot made to a chat."""
    return [
        record.status
        for record in standin.requests
        if record.method == "sendMessage" and record.params.get("chat_id") == chat_id
    ]


def gone_lines(caplog: pytest.LogCaptureFixture, chat_id: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.getMessage().startswith(f"chat {chat_id} cannot be reached")
    ]


async def wait_for_gone(bot: RunningBot, chat_id: int) -> None:
    for _ in range(200):
        if await bot.services.sessions.open_session(chat_id) is None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the session did not end")


async def quiet_period(bot: RunningBot) -> None:
    """Long enough for several more steps and a retried reminder to have gone out, if the
    bot kept trying (steps here are half a second apart)."""
    await asyncio.sleep(1.5)
    await bot.standin.wait_until_idle(timeout=10)


async def test_a_blocked_chat_ends_the_session_pauses_reminders_once(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3") as bot:
        await bot.say("/timezone Europe/Berlin")
        await bot.say("/remind 21:30")
        await bot.say("/remind 7:00 weekdays")
        checklist = await bot.say("quick relax session")
        bot.standin.user_presses(
            bot.chat_id, checklist["message_id"], button_data(checklist, "Start")
        )
        await bot.next_message()  # step 1
        with caplog.at_level(logging.INFO):
            standin.block_chat(bot.chat_id)
            await wait_for_gone(bot, bot.chat_id)
            refused = sends_to(standin, bot.chat_id).count(403)
            await quiet_period(bot)
        reminders = await bot.services.reminders.reminders(bot.chat_id)
        row = await bot.services.storage.fetchone("SELECT status FROM sessions")
    assert row is not None and row[0] == "gone"
    assert [r.paused for r in reminders] == [True, True]
    assert gone_lines(caplog, bot.chat_id) == [
        f"chat {bot.chat_id} cannot be reached (Forbidden: bot was blocked by the user): "
        "ended 1 session(s), paused 2 reminder(s)"
    ]
    assert refused == 1
    assert sends_to(standin, bot.chat_id).count(403) == 1  # no retry loop
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_chat_not_found_from_a_reminder_ends_the_session_too(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A chat the stand-in never heard of answers 400 "chat not found", as a deleted one does.
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        services = bot.services
        plan = services.sessions.plan("routine", "routine.quick-relax")
        assert plan is not None
        await services.sessions.offer(GONE_CHAT, plan)
        await services.reminders.set_zone(GONE_CHAT, "UTC")
        await services.reminders.add(GONE_CHAT, Schedule(21, 30))
        with caplog.at_level(logging.INFO):
            now = time.time()
            await services.storage.execute(
                "UPDATE reminders SET next_fire_at = ?, due_at = ?", (now, now)
            )
            services.scheduler.wake("reminders")
            await wait_for_gone(bot, GONE_CHAT)
            await quiet_period(bot)
        (reminder,) = await services.reminders.reminders(GONE_CHAT)
        row = await services.storage.fetchone("SELECT status FROM sessions")
    assert row is not None and row[0] == "gone"
    assert reminder.paused
    assert gone_lines(caplog, GONE_CHAT) == [
        f"chat {GONE_CHAT} cannot be reached (Chat not found): "
        "ended 1 session(s), paused 1 reminder(s)"
    ]
    assert sends_to(standin, GONE_CHAT) == [400]  # one try, no retry loop


async def test_chat_not_found_from_a_step_pauses_the_reminders(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3") as bot:
        services = bot.services
        plan = services.sessions.plan("routine", "routine.quick-relax")
        assert plan is not None
        await services.reminders.set_zone(GONE_CHAT, "UTC")
        await services.reminders.add(GONE_CHAT, Schedule(21, 30))
        await services.sessions.offer(GONE_CHAT, plan)
        with caplog.at_level(logging.INFO):
            await services.sessions.control(GONE_CHAT, "go")
            await wait_for_gone(bot, GONE_CHAT)
            await quiet_period(bot)
        (reminder,) = await services.reminders.reminders(GONE_CHAT)
    assert reminder.paused and reminder.sent_count == 0
    assert len(gone_lines(caplog, GONE_CHAT)) == 1
    assert "ended 1 session(s), paused 1 reminder(s)" in gone_lines(caplog, GONE_CHAT)[0]
    assert sends_to(standin, GONE_CHAT) == [400]
