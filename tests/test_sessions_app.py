"""Guided sessions through the real Application against the Bot API stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import callbacks as cb
from standin import BotApiStandIn
from tests.support.app import RunningBot, buttons, running_bot

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


async def _step_number(message: JSONDict) -> int:
    first = message["text"].splitlines()[0]
    if first.startswith("Sorry"):
        first = message["text"].splitlines()[1]
    return int(first.split(" ")[1])


async def test_pause_resume_next_and_stop_as_text(standin: BotApiStandIn, tmp_path: Path) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        step = await _started(bot)
        assert step["text"].startswith("Step 1 of 6")
        paused = await bot.say("pause")
        assert "Paused with 40 s left" in paused["text"]
        resumed = await bot.say("resume")
        assert "40 s left of step 1" in resumed["text"]
        second = await bot.say("next")
        assert second["text"].startswith("Step 2 of 6")
        stopped = await bot.say("stop")
        assert "Stopped after 1 of 6 steps" in stopped["text"]
        assert await bot.services.sessions.open_session(bot.chat_id) is None


@pytest.mark.parametrize("word", ["quit", "cancel", "end", "Stop please"])
async def test_every_stop_word_ends_a_running_session(
    standin: BotApiStandIn, tmp_path: Path, word: str
) -> None:
    # "quit" and "cancel" once reached only the questions feature, which answered "There is no
    # guided session running" while one ran: every feature now asks the same recogniser.
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        await _started(bot)
        stopped = await bot.say(word)
        assert "Stopped after 0 of 6 steps" in stopped["text"]
        assert await bot.services.sessions.open_session(bot.chat_id) is None


@pytest.mark.parametrize("word", ["stop", "quit", "cancel"])
async def test_control_words_fall_through_when_no_session_runs(bot: RunningBot, word: str) -> None:
    reply = await bot.say(word)
    # answered by the questions group, which knows the word is a session control
    assert "no guided session running" in reply["text"]


async def test_old_buttons_answer_this_step_is_over(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        first = await _started(bot)
        await bot.press(first, "Skip")
        second = await bot.next_message()
        assert second["text"].startswith("Step 2 of 6")
        query = await bot.press(first, "Stop")
        assert "step is over" in str(await standin.wait_for_callback_answer(query))
        state = await bot.services.sessions.open_session(bot.chat_id)
        assert state is not None and state.status == "running" and state.showing == 1
        query = await bot.press(second, "Pause")
        await standin.wait_for_callback_answer(query)
        paused = await bot.next_message()
        await bot.press(paused, "Resume")
        assert "left of step 2" in (await bot.next_message())["text"]
        query = await bot.press(paused, "Resume")  # a second press changes nothing
        assert "step is over" not in str(await standin.wait_for_callback_answer(query))


async def test_starting_another_session_asks_before_replacing(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        await _started(bot)
        question = await bot.say("10 minute lower back session")
        assert "Replace it" in question["text"] and "step 1 of 6" in question["text"]
        await bot.press(question, "Keep")
        kept = await standin.wait_for_edit(bot.chat_id, question["message_id"])
        assert "carrying on" in kept["text"]
        state = await bot.services.sessions.open_session(bot.chat_id)
        assert state is not None and state.entry_id == "routine.quick-relax"
        question = await bot.say("/session lower 10")
        await bot.press(question, "Replace")
        checklist = await standin.wait_for_edit(bot.chat_id, question["message_id"])
        assert "Lower back routine" in checklist["text"] and "10 min" in checklist["text"]
        state = await bot.services.sessions.open_session(bot.chat_id)
        assert state is not None and state.entry_id == "routine.lower-back"
        assert state.status == "ready"


async def test_practice_button_runs_a_two_minute_drill_with_a_halfway_cue(bot: RunningBot) -> None:
    menu = await bot.say("/session")
    bot.standin.user_presses(
        bot.chat_id,
        menu["message_id"],
        cb.SessionPractice("technique.trapezius-kneading").data(),
        strict=False,
    )
    checklist = await bot.next_message()
    assert "Practice: " in checklist["text"] and "2 min" in checklist["text"]
    await bot.press(checklist, "Start")
    step = await bot.next_message()
    assert step["text"].startswith("Step 1 of 1")
    assert "Halfway" in (await bot.next_message())["text"]
    assert "How did it go" in (await bot.next_message())["text"]


async def test_a_forged_session_button_is_answered_kindly(bot: RunningBot) -> None:
    menu = await bot.say("/session")
    for data in ("v1:sc:pause:999:0", "v1:sy:999:5", "v1:sz", "v1:ss:routine.nope", "ses:p:1:0"):
        query = bot.standin.user_presses(bot.chat_id, menu["message_id"], data, strict=False)
        assert await bot.standin.wait_for_callback_answer(query)
