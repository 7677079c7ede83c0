"""Safety through the real Application against the Bot API stand-in: each warning class leads
with its card, a warning sign pauses a running session, and everyday words raise no alarm."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from standin import BotApiStandIn
from tests.support.app import RunningBot, buttons, running_bot

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("question", "title", "words"),
    [
        # red flags: cauda equina, call the emergency number
        ("numbness around his groin and trouble peeing", "Warning signs to stop", "999"),
        ("sharp pain between the shoulder blades and chest", "Warning signs to stop", "911"),
        ("I can't feel my foot", "Warning signs to stop", "emergency number"),
        # medical conditions
        ("back surgery last month", "Medical conditions to check first", "surgery"),
        ("my mum has osteoporosis", "Medical conditions to check first", "light pressure"),
        ("she is having chemo for cancer", "Medical conditions to check first", "cancer team"),
        ("he has a heart condition", "Medical conditions to check first", "heart"),
        ("my grandad is 90 and frail", "Medical conditions to check first", "frail"),
        # clots and thinners
        ("blood clot in his leg", "Blood clots", "don't massage"),
        ("he's on warfarin, can I massage his back", "Blood clots", "light pressure only"),
        # illness and alcohol
        ("he's drunk, can I give him a massage", "Feeling unwell", "not tonight"),
        ("she has the flu", "Feeling unwell", "wait until"),
        # lumps, pregnancy, skin, back problems
        ("she has a lump on her back, can I massage it", "Lumps, bumps and swelling", "doctor"),
        ("my wife is 30 weeks pregnant", "Massage in pregnancy", "on her side"),
        ("he has shingles", "Skin and injuries to avoid", "shingles"),
        ("slipped disc", "When to see a professional", "physiotherapist"),
    ],
)
async def test_each_warning_class_is_answered_with_its_card_first(
    bot: RunningBot, question: str, title: str, words: str
) -> None:
    first = await bot.say(question)
    assert first["text"].startswith(("🚨", "🛟")), first["text"][:80]
    assert title in first["text"]
    assert words.lower() in first["text"].lower()


async def test_weak_hands_is_not_a_warning_sign(bot: RunningBot) -> None:
    reply = await bot.say("I have weak hands, can I still give a good back rub?")
    assert "Warning signs to stop" not in reply["text"]
    assert not reply["text"].startswith(("🚨", "🛟"))


async def test_the_shingles_stroke_is_the_technique_not_the_illness(bot: RunningBot) -> None:
    reply = await bot.say("how do I do the shingles stroke")
    assert "Shingles effleurage" in reply["text"]
    assert not reply["text"].startswith(("🚨", "🛟"))


async def test_a_warning_sign_pauses_a_running_session_and_shows_the_card(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        checklist = await bot.say("/session quick")
        await bot.press(checklist, "Start")
        step = await bot.next_message()
        assert step["text"].startswith("Step 1 of 6")
        card = await bot.say("she says her leg is going numb")
        assert "Warning signs to stop" in card["text"]
        assert "emergency number" in card["text"]
        paused = await bot.next_message()
        assert "paused the session" in paused["text"]
        assert any("Resume" in button["text"] for button in buttons(paused))
        state = await bot.services.sessions.open_session(bot.chat_id)
        assert state is not None and state.status == "paused"
        # An everyday message during a session changes nothing.
        await bot.press(paused, "Resume")
        resumed = await bot.next_message()
        assert "left of step 1" in resumed["text"]
        await bot.say("is this pressure ok for her shoulders")
        state = await bot.services.sessions.open_session(bot.chat_id)
        assert state is not None and state.status == "running"


async def test_inline_mode_lists_the_safety_card_first(bot: RunningBot) -> None:
    query = bot.standin.user_inline_query(bot.chat_id, "on warfarin")
    answer = await bot.standin.wait_for_inline_answer(query)
    assert answer["results"][0]["title"] == "Blood clots, blood thinners and varicose veins"


def test_ask_json_puts_safety_entries_first_and_names_the_signs() -> None:
    questions = "he has a fever and back pain\nwhat oil should I use\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=questions,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    fever, oil = (json.loads(line) for line in done.stdout.splitlines())
    assert [r["id"] for r in fever["results"][:2]] == [
        "safety.red-flags",
        "safety.unwell-or-drunk",
    ]
    assert "fever with back pain" in fever["warnings"]
    assert "warnings" not in oil
    assert oil["results"][0]["id"] == "product.oil"


async def test_a_technique_waits_behind_a_button_after_a_sign_that_needs_a_check(
    bot: RunningBot,
) -> None:
    # "Never press on a lump" followed by the press-and-hold card would read as "go ahead".
    warning = await bot.say("she has a lump on her back, can I massage it")
    assert "Lumps, bumps and swelling" in warning["text"]
    follow_up = await bot.next_message()
    assert follow_up["text"].startswith("Once that is checked")
    assert "Press in" not in follow_up["text"] and len(buttons(follow_up)) == 1
