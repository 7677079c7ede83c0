"""Kill/restart soak: ``python -m bot`` SIGKILLed at random moments while 50 sessions run and
reminders fall due. This is the short run (5 kills); ``python -m bench.soak`` does 20 and its
figures are in BENCHMARKS.md.

TIME_SCALE 0.025, as ``bench.soak`` runs by default: at 0.01 (~100 timed sends a second,
three times Telegram's limit, in bursts of 32 after each restart) httpx's CPU per call in
flight keeps each send unrecorded for ~100 ms after Telegram has it, so a chat's step and
reminder are often both in flight at a kill and both repeat once (issue 13, BENCHMARKS.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.soak import SoakResult, analyse, soak
from bot.callbacks import ReminderAct
from standin import BotApiStandIn, RecordedMessage


async def test_kills_lose_no_step_and_no_reminder(standin: BotApiStandIn, tmp_path: Path) -> None:
    result = await soak(
        standin,
        tmp_path,
        kills=5,
        sessions=50,
        reminder_chats=25,
        time_scale=0.025,
        reminder_window=(2.0, 12.0),
    )
    print("\n".join(result.lines()))
    assert result.kills == 5
    assert result.integrity == "ok"
    assert result.lost_steps == [] and result.steps_received == result.steps_expected == 900
    assert result.lost_reminders == [] and result.reminders_received == result.reminders_due
    assert result.unfinished_sessions == []
    assert result.worst_repeats_per_chat_per_kill <= 1
    assert result.repeats_before_first_kill == 0


def recorded(seq: int, chat: int, text: str, at: float, markup: Any = None) -> RecordedMessage:
    return RecordedMessage(
        seq=seq,
        token="t",
        method="sendMessage",
        chat_id=chat,
        message_id=seq,
        text=text,
        parse_mode="HTML",
        reply_markup=markup,
        disable_notification=False,
        wall_time=at,
        mono_time=at,
        message={"text": text},
        params={},
    )


def test_the_analysis_counts_losses_and_repeats_per_kill() -> None:
    # The soak's verdict is only as good as its counting: feed it a known story.
    nudge = {
        "inline_keyboard": [[{"text": "😴", "callback_data": ReminderAct("snooze", 9).data()}]]
    }
    records = [
        recorded(1, 1, "Step 1 of 3 · A", 1.0),
        recorded(2, 1, "↔️ Halfway: keep going", 1.5),
        recorded(3, 1, "Step 2 of 3 · B", 2.0),
        recorded(4, 2, "⏰ Time to relax\nBreathe", 2.1, nudge),
        # killed at 2.5; the next generation repeats step 2 and the reminder
        recorded(5, 1, "Step 2 of 3 · B", 3.0),
        recorded(6, 2, "⏰ Time to relax\nBreathe", 3.1, nudge),
        # killed at 3.5; then a repeated halfway cue AND a repeated step in chat 1
        recorded(7, 1, "Step 2 of 3 · B", 4.0),
        recorded(8, 1, "🎉 Well done: A is complete", 4.5),
        recorded(9, 1, "🎉 Well done: A is complete", 4.6),
    ]
    result = SoakResult()
    analyse(result, records, [2.5, 3.5], {1: 3}, {9: 2, 10: 2})
    assert result.lost_steps == [(1, 3)]
    assert result.lost_reminders == [10]
    assert (result.step_repeats, result.reminder_repeats) == (3, 1)
    assert result.worst_repeats_per_chat_per_kill == 2  # chat 1 after the second kill
    assert result.kills_with_repeats == 2
    assert result.repeats_before_first_kill == 0
