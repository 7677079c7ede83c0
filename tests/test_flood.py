"""Flood control: 20 messages in 10 s pass, the 21st is warned once, the rest are dropped."""

from __future__ import annotations

from bot.flood import FloodGuard, Verdict
from tests.support.app import RunningBot


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_then_one_warning_then_silence_then_recovery() -> None:
    clock = FakeClock()
    guard = FloodGuard(limit=20, window=10.0, clock=clock)
    verdicts = []
    for _ in range(25):
        verdicts.append(guard.check(1))
        clock.now += 0.1
    assert verdicts[:20] == [Verdict.ALLOW] * 20
    assert verdicts[20] == Verdict.WARN
    assert verdicts[21:] == [Verdict.DROP] * 4
    clock.now += 10.5
    assert guard.check(1) == Verdict.ALLOW


def test_other_chats_are_not_slowed() -> None:
    clock = FakeClock()
    guard = FloodGuard(limit=3, window=10.0, clock=clock)
    for _ in range(10):
        guard.check(1)
    assert guard.check(2) == Verdict.ALLOW


def test_quiet_chats_are_forgotten() -> None:
    clock = FakeClock()
    guard = FloodGuard(limit=3, window=10.0, clock=clock)
    for chat_id in range(1000):
        guard.check(chat_id)
    clock.now += 25
    guard.check(5000)
    assert len(guard) == 1


def test_zero_limit_disables() -> None:
    guard = FloodGuard(limit=0)
    assert all(guard.check(1) == Verdict.ALLOW for _ in range(1000))


async def test_flooding_chat_is_warned_once_and_others_still_answered(bot: RunningBot) -> None:
    limit = bot.services.flood.limit
    for number in range(limit + 10):
        bot.standin.user_sends_text(bot.chat_id, f"/help {number}")
    bot.standin.user_sends_text(7777, "/help")
    other = await bot.standin.wait_for_message(7777)
    assert "/start" in other["text"]
    await bot.standin.wait_until_idle(timeout=10)
    texts = [m["text"] for m in bot.standin.messages(bot.chat_id) if m["from"]["is_bot"]]
    assert len(texts) == limit + 1
    assert sum("slow down" in text for text in texts) == 1
