"""/start, /help, the start-up calls and the fallbacks, through the real Application."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from handlers.menu import COMMANDS
from standin import BotApiStandIn
from tests.support.app import RunningBot, buttons, running_bot
from tests.support.botapi import TOKEN


async def test_start_says_what_the_bot_does_with_buttons_and_safety(bot: RunningBot) -> None:
    reply = await bot.say("/start", first_name="Sam <b>")
    text = reply["text"]
    assert "Hi Sam <b>" in text  # the name arrives escaped and shows as typed
    assert "Massage Coach" in text
    assert "not medical advice" in text
    assert buttons(reply)


async def test_help_lists_every_command(bot: RunningBot) -> None:
    reply = await bot.say("/help")
    for command in COMMANDS:
        assert f"/{command.name}" in reply["text"]


async def test_post_init_sets_commands_and_description(bot: RunningBot) -> None:
    commands = bot.standin.commands()
    assert [command["command"] for command in commands] == [c.name for c in COMMANDS]
    described = [r for r in bot.standin.requests if r.method == "setMyDescription"]
    assert described and described[0].ok


async def test_start_buttons_answer(bot: RunningBot) -> None:
    reply = await bot.say("/start")
    query = await bot.press(reply, "Safety")
    assert await bot.standin.wait_for_callback_answer(query)
    card = await bot.next_message()
    assert "doctor" in card["text"].lower() or "physio" in card["text"].lower()


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_non_text_gets_a_friendly_answer(bot: RunningBot, kind: str) -> None:
    bot.standin.user_sends(bot.chat_id, kind)
    reply = await bot.next_message()
    assert "as a message" in reply["text"]


async def test_unknown_command_points_to_help(bot: RunningBot) -> None:
    reply = await bot.say("/dance")
    assert "/help" in reply["text"]


async def test_forged_button_is_answered_as_expired(bot: RunningBot) -> None:
    reply = await bot.say("/start")
    query = bot.standin.user_presses(bot.chat_id, reply["message_id"], "zz:forged", strict=False)
    answer = await bot.standin.wait_for_callback_answer(query)
    assert "expired" in str(answer).lower()


async def test_failed_start_up_calls_are_not_fatal(standin: BotApiStandIn, tmp_path: Path) -> None:
    def refuse_descriptions(method: str, params: object) -> int | None:
        return 502 if method.lower().startswith("setmy") else None

    standin.set_fault(refuse_descriptions)
    async with running_bot(standin, tmp_path / "db.sqlite3") as running:
        standin.set_fault(None)
        reply = await running.say("/help")
        assert "/start" in reply["text"]


async def test_pending_updates_are_answered_after_a_restart(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    standin.user_sends_text(2002, "/help")  # sent while the bot is down
    async with running_bot(standin, tmp_path / "db.sqlite3"):
        reply = await standin.wait_for_message(2002)
        assert "/start" in reply["text"]


async def test_error_handler_apologises_and_logs(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.services.storage.close()  # every storage call now fails
    with caplog.at_level(logging.ERROR):
        reply = await bot.say("/history")  # /start itself needs no storage
    assert "try again" in reply["text"]
    assert any("error while handling" in record.getMessage() for record in caplog.records)
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
