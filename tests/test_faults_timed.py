"""Bot API faults during timed sends: 502/504 for a tenth of requests and sends that hang past
the client's timeout. No session step and no reminder is dropped; retries back off."""

from __future__ import annotations

import itertools
import logging
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from bench.soak import message_key
from bot.reminders.schedule import Schedule
from standin import BotApiStandIn, Fault
from tests.support.app import button_data, running_bot

SESSION_CHATS = list(range(5101, 5109))
REMINDER_CHATS = list(range(7101, 7109))


def delivered(standin: BotApiStandIn) -> dict[int, list[tuple[str, int]]]:
    """What each chat received (steps, halfway cues, aftercare, reminders), in order."""
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    last_step: dict[int, int] = {}
    for record in standin.sent:
        if record.is_edit or record.message is None:
            continue
        key = message_key(record, last_step)
        if key is not None:
            found[int(record.chat_id)].append(key)
    return found


async def test_flaky_api_drops_no_step_and_no_reminder(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(11)
    hung: list[str] = []
    # (chat, text) -> (time, failed) of every try of that message
    tries: dict[tuple[object, str], list[tuple[float, bool]]] = defaultdict(list)

    def flaky(method: str, params: Any) -> Fault | None:
        text = str(params.get("text", "")) if isinstance(params, dict) else ""
        key = (params.get("chat_id") if isinstance(params, dict) else None, text)
        if method == "sendMessage" and text.startswith("<b>Step 3 ") and len(hung) < 2:
            hung.append(text)
            tries[key].append((time.monotonic(), True))
            return Fault.hang(7.0)  # past the client's 5 s read timeout: never processed
        if rng.random() < 0.1:
            if method == "sendMessage":
                tries[key].append((time.monotonic(), True))
            return Fault.http(rng.choice([502, 504]))
        if method == "sendMessage":
            tries[key].append((time.monotonic(), False))
        return None

    async with running_bot(standin, tmp_path / "db.sqlite3") as bot:
        services = bot.services
        for chat in SESSION_CHATS:
            checklist = await bot.say("quick relax session", chat_id=chat)
            standin.user_presses(chat, checklist["message_id"], button_data(checklist, "Start"))
        for chat in REMINDER_CHATS:
            standin.register_chat(chat)
            await services.reminders.set_zone(chat, "UTC")
            await services.reminders.add(chat, Schedule(3, 0))
        with caplog.at_level(logging.WARNING):
            standin.set_fault(flaky)
            now = time.time()
            await services.storage.execute(
                "UPDATE reminders SET next_fire_at = ?, due_at = ?", (now, now)
            )
            services.scheduler.wake("reminders")
            for chat in SESSION_CHATS:
                while ("done", 0) not in delivered(standin)[chat]:
                    await standin.wait_for_message(chat, timeout=60)
            for chat in REMINDER_CHATS:
                await standin.wait_for_message(chat, timeout=60)
            await standin.wait_until_idle(timeout=30, settle=0.5)
            standin.set_fault(None)
        assert bot.app.running
    received = delivered(standin)
    for chat in SESSION_CHATS:
        steps = [n for kind, n in received[chat] if kind == "step"]
        assert sorted(set(steps)) == [1, 2, 3, 4, 5, 6], steps  # none dropped
    for chat in REMINDER_CHATS:
        assert [kind for kind, _ in received[chat]] == ["reminder"]
    assert len(hung) == 2
    failed = sum(failed for attempts in tries.values() for _, failed in attempts)
    assert failed >= 4  # the faults did hit timed sends (2 hangs and some 502/504s)
    # Backoff: a failed send is tried again no sooner than the first retry delay (0.5 s).
    gaps = [
        later[0] - earlier[0]
        for attempts in tries.values()
        for earlier, later in itertools.pairwise(attempts)
        if earlier[1]
    ]
    assert gaps and min(gaps) >= 0.45
    assert not any(record.name == "handlers.errors" for record in caplog.records)
