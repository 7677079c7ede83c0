"""Guided sessions through the real Application against the Bot API stand-in."""

from __future__ import annotations

from typing import Any

from tests.support.app import RunningBot, buttons

JSONDict = dict[str, Any]


async def _started(bot: RunningBot, text: str = "/session quick") -> JSONDict:
    checklist = await bot.say(text)
    assert "Before you start" in checklist["text"]
    await bot.press(checklist, "Start")
    return await bot.next_message()


async def test_a_whole_session_runs_on_its_own_to_aftercare_and_rating(bot: RunningBot) -> None:
    menu = await bot.say("/session")
    assert "Five-minute unwind" in str(buttons(menu))
    await bot.press(menu, "Five-minute unwind")
    checklist = await bot.next_message()
    assert "towel" in checklist["text"].lower()
    await bot.press(checklist, "Start")
    seen = []
    while True:
        message = await bot.next_message(timeout=10)
        seen.append(message["text"])
        if "How did it go" in message["text"]:
            break
    steps = [text for text in seen if text.startswith("Step ")]
    assert [text.split(" · ")[0] for text in steps] == [f"Step {n} of 6" for n in range(1, 7)]
    assert "next:" in steps[0]
    await bot.press(message, "5⭐")
    thanks = await bot.next_message()
    assert "Thanks" in thanks["text"]
    history = await bot.say("/history")
    assert "Five-minute unwind" in history["text"]
    assert "1-day streak" in history["text"]
