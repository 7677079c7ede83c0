"""Partner mode through the real Application with two chats: the giver and the receiver."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from standin import BotApiStandIn
from tests.support.app import USER_CHAT, RunningBot, button_data, buttons, running_bot

JSONDict = dict[str, Any]
GIVER = USER_CHAT
RECEIVER = 2002


async def until(bot: RunningBot, chat: int, text: str, timeout: float = 10.0) -> JSONDict:  # noqa: ASYNC109
    """The next message in ``chat`` whose text contains ``text``."""
    return await bot.standin.wait_for_message(
        chat, predicate=lambda m: text in (m.get("text") or ""), timeout=timeout
    )


async def edited(bot: RunningBot, message: JSONDict, text: str, timeout: float = 10.0) -> JSONDict:  # noqa: ASYNC109
    chat = message["chat"]["id"]
    return await bot.standin.wait_for_edit(
        chat, message["message_id"], predicate=lambda m: text in m["text"], timeout=timeout
    )


def press(bot: RunningBot, message: JSONDict, label: str) -> str:
    data = button_data(message, label)
    return bot.standin.user_presses(message["chat"]["id"], message["message_id"], data)


async def invite_link(bot: RunningBot) -> str:
    status = await bot.say("/partner")
    press(bot, status, "Invite your partner")
    invite = await until(bot, GIVER, "t.me/")
    found = re.search(r"start=(p_[A-Za-z0-9_-]+)", invite["text"])
    assert found is not None and len(found[1]) <= 64
    return found[1]


async def join(bot: RunningBot, parameter: str, chat: int = RECEIVER) -> JSONDict:
    bot.standin.user_sends_text(chat, f"/start {parameter}", first_name="Sam")
    return await bot.standin.wait_for_message(chat)


async def check_in(bot: RunningBot, health: str = "No, none") -> JSONDict:
    """Join and answer the check-in: shoulders, avoid lower back, gentle."""
    linked = await join(bot, await invite_link(bot))
    assert "You're linked" in linked["text"]
    question = await until(bot, RECEIVER, "Check-in 1 of 4")
    assert "Sam joined" in (await until(bot, GIVER, "joined"))["text"]
    press(bot, question, "Shoulders")
    ticked = await edited(bot, question, "Check-in 1 of 4")
    assert "✅ Shoulders" in str(buttons(ticked))
    press(bot, ticked, "Next")
    avoid = await edited(bot, question, "Check-in 2 of 4")
    press(bot, avoid, "Lower back")
    avoid = await edited(bot, question, "Check-in 2 of 4")
    press(bot, avoid, "Next")
    pressure = await edited(bot, question, "Check-in 3 of 4")
    press(bot, pressure, "Gentle")
    health_question = await edited(bot, question, "Check-in 4 of 4")
    assert "numbness" in health_question["text"]  # from the safety content
    press(bot, health_question, health)
    return question


async def test_invite_join_checkin_adapted_routine_remote_ouch_and_ratings(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        await check_in(bot)
        summary = await until(bot, GIVER, "checked in")
        assert "focus on shoulders; avoid lower back; gentle pressure" in summary["text"]
        remote = await until(bot, RECEIVER, "Your remote")
        assert "Ouch" in str(buttons(remote))

        checklist = await bot.say("/session quick")
        assert "5 steps" in checklist["text"]  # the lower-back step is left out
        await bot.press(checklist, "Start")
        first = await until(bot, GIVER, "Step 1 of 5")
        assert "Pressure: light" in first["text"]
        state = await bot.services.sessions.open_session(GIVER)
        assert state is not None
        techniques = [step.technique for step in state.steps]
        assert "technique.lower-back-circular-friction" not in techniques
        assert sum(step.seconds for step in state.steps) == 300
        kneading = techniques.index("technique.trapezius-kneading")
        assert state.steps[kneading].seconds > state.steps[1].seconds  # a focus step
        assert "Step 1 of 5" in (await edited(bot, remote, "Step 1 of 5"))["text"]

        press(bot, remote, "Lighter")
        press(bot, remote, "Slower")
        relayed = ""
        while "slower" not in relayed:
            relayed += (await until(bot, GIVER, "Sam"))["text"]
        assert "a bit lighter, please" in relayed

        press(bot, remote, "More of this")
        await until(bot, GIVER, "more of this")
        longer = await bot.services.sessions.open_session(GIVER)
        assert longer is not None and longer.steps[0].seconds == state.steps[0].seconds + 30

        press(bot, remote, "Next")
        await until(bot, GIVER, "Step 2 of 5")
        press(bot, remote, "Next")
        await until(bot, GIVER, "Step 3 of 5 · Kneading the trapezius")

        press(bot, remote, "Ouch")
        eased = await until(bot, GIVER, "Ease off")
        assert "gentler stroke" in eased["text"]
        redo = await until(bot, GIVER, "Step 3 of 5")
        assert "Kneading" not in redo["text"].splitlines()[0]
        replaced = await bot.services.sessions.open_session(GIVER)
        assert (
            replaced is not None and replaced.steps[2].technique != "technique.trapezius-kneading"
        )

        press(bot, remote, "Ouch")
        await until(bot, GIVER, "Two ouches")
        assert "Warning signs" in (await until(bot, GIVER, "Warning signs"))["text"]
        assert "Warning signs" in (await until(bot, RECEIVER, "Warning signs"))["text"]
        paused = await bot.services.sessions.open_session(GIVER)
        assert paused is not None and paused.status == "paused"
        await edited(bot, remote, "Paused")

        await bot.say("resume")
        for step in (4, 5):
            press(bot, remote, "Next")
            await until(bot, GIVER, f"Step {step} of 5")
        press(bot, remote, "Next")
        aftercare = await until(bot, GIVER, "How did it go")
        rating = await until(bot, RECEIVER, "How was it for you")
        press(bot, rating, "4⭐")
        assert "⭐⭐⭐⭐" in (await until(bot, GIVER, "rated the session"))["text"]
        await bot.press(aftercare, "5⭐")
        await until(bot, GIVER, "Thanks for rating")
