"""429 storms: retry_after is honoured by every send (PTB's rate limiter for replies, our own
retries for session steps and reminders); nothing is retried early, nothing is lost."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from pathlib import Path

import pytest

from bench.soak import message_key
from bot.reminders.schedule import Schedule
from standin import BotApiStandIn, RecordedMessage, RequestRecord
from tests.support.app import RunningBot, button_data, running_bot

QUESTION = "how hard should I press"
SESSION_CHATS = list(range(5001, 5009))
QUESTION_CHATS = list(range(6001, 6016))
REMINDER_CHATS = list(range(7001, 7009))


def attempts(standin: BotApiStandIn) -> dict[tuple[int, object], list[RequestRecord]]:
    """Every sendMessage, grouped by what it delivers: a step, halfway cue, aftercare or
    reminder (the text of a late step differs from its first try), else the text itself."""
    grouped: dict[tuple[int, object], list[RequestRecord]] = defaultdict(list)
    last_step: dict[int, int] = {}
    for record in list(standin.requests):
        if record.method != "sendMessage":
            continue
        chat = int(record.params["chat_id"])
        as_message = RecordedMessage(
            seq=record.seq,
            token=record.token,
            method=record.method,
            chat_id=chat,
            message_id=None,
            text=str(record.params.get("text")),
            parse_mode=None,
            reply_markup=record.params.get("reply_markup"),
            disable_notification=False,
            wall_time=record.wall_time,
            mono_time=record.mono_time,
            message={"text": _plain(str(record.params.get("text")))},
            params=record.params,
        )
        key = message_key(as_message, last_step) or record.params.get("text")
        grouped[(chat, key)].append(record)
    return grouped


def _plain(html: str) -> str:
    for tag in ("<b>", "</b>", "<i>", "</i>"):
        html = html.replace(tag, "")
    return html


def retry_after(record: RequestRecord) -> int:
    assert record.description is not None
    return int(record.description.rsplit(" ", 1)[1])


def early_retries(grouped: dict[tuple[int, object], list[RequestRecord]]) -> list[str]:
    """Tries of one message that came before the retry_after of the 429 before them."""
    early = []
    for key, tries in grouped.items():
        for refused, again in itertools.pairwise(tries):
            if refused.status == 429:
                waited = again.mono_time - refused.mono_time
                if waited < retry_after(refused):
                    early.append(f"{key}: retried after {waited:.2f} s < {retry_after(refused)}")
    return early


async def start_session(bot: RunningBot, chat: int) -> None:
    checklist = await bot.say("quick relax session", chat_id=chat)
    bot.standin.user_presses(chat, checklist["message_id"], button_data(checklist, "Start"))


@pytest.mark.parametrize("limiter", ["30", "0"], ids=["rate-limiter", "own-retries"])
async def test_a_429_storm_delays_every_kind_of_send_and_loses_none(
    standin: BotApiStandIn, tmp_path: Path, limiter: str
) -> None:
    # With PTB's rate limiter (the default) a 429 pauses every send for retry_after and
    # retries; without it (RATE_LIMIT_OVERALL=0) steps and reminders reschedule themselves.
    # Question replies rely on the limiter: without it a refused reply is not retried.
    question_chats = QUESTION_CHATS if limiter != "0" else []
    async with running_bot(standin, tmp_path / "db.sqlite3", RATE_LIMIT_OVERALL=limiter) as bot:
        services = bot.services
        for chat in SESSION_CHATS:
            await start_session(bot, chat)
        for chat in REMINDER_CHATS:
            standin.register_chat(chat)
            await services.reminders.set_zone(chat, "UTC")
            await services.reminders.add(chat, Schedule(3, 0))
        # Telegram allows a fifth of what the bot's limiter lets out, and then blocks all
        # sends for two seconds: every kind of send meets 429s.
        standin.flood_limits(per_chat_per_second=None, overall_per_second=6, retry_after=2)
        now = time.time()
        await services.storage.execute(
            "UPDATE reminders SET next_fire_at = ?, due_at = ?", (now, now)
        )
        services.scheduler.wake("reminders")
        for chat in question_chats:
            standin.user_sends_text(chat, QUESTION)
        for chat in SESSION_CHATS:
            while not any(
                "How did it go" in m["text"] for m in standin.messages(chat) if m["from"]["is_bot"]
            ):
                await standin.wait_for_message(chat, timeout=120)
        for chat in question_chats + REMINDER_CHATS:
            await standin.wait_for_message(chat, timeout=120)
        await standin.wait_until_idle(timeout=60, settle=0.5)
        standin.disable_flood_limits()
    grouped = attempts(standin)
    refused: dict[str, int] = defaultdict(int)
    for (_, key), tries in grouped.items():
        kind = key[0] if isinstance(key, tuple) else "reply"
        refused[kind] += sum(r.status == 429 for r in tries)
    print(dict(refused))
    # It was a storm, and every kind of send met it.
    assert refused["step"] and refused["reminder"]
    assert refused["reply"] or not question_chats
    assert early_retries(grouped) == []
    for chat in SESSION_CHATS:
        steps = [
            k[1] for (c, k) in grouped if c == chat and isinstance(k, tuple) and k[0] == "step"
        ]
        assert sorted(steps) == [1, 2, 3, 4, 5, 6]
        assert all(grouped[(chat, ("step", n))][-1].status == 200 for n in steps)
    for chat in question_chats:
        replies = [m for m in standin.messages(chat) if m["from"]["is_bot"]]
        assert len(replies) == 1 and "went wrong" not in replies[0]["text"]
    for chat in REMINDER_CHATS:
        delivered = [m for m in standin.messages(chat) if m["from"]["is_bot"]]
        assert len(delivered) == 1 and "Time to relax" in delivered[0]["text"]
