"""The log: one line per update with chat, kind and outcome; LOG_LEVEL; never the token."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from bot.logs import NOISY_LOGGERS, setup_logging
from tests.support.app import RunningBot
from tests.support.botapi import TOKEN

LINE = re.compile(r"update \d+ chat=(\S+) kind=(\S+) outcome=(\S+) \d+ ms")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """setup_logging replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in (*NOISY_LOGGERS, "bot.updates")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def update_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, ...]]:
    return [
        match.groups()
        for record in caplog.records
        if record.name == "bot.updates" and (match := LINE.fullmatch(record.getMessage()))
    ]


async def test_one_line_per_update_with_chat_kind_and_outcome(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        start = await bot.say("/start")
        await bot.say("my lower back hurts since Tuesday")
        query = await bot.press(start, "Safety")
        await bot.standin.wait_for_callback_answer(query)
        await bot.next_message()
        bot.standin.user_sends(bot.chat_id, "sticker")
        await bot.next_message()
        await bot.standin.wait_until_idle(settle=0.1)
    assert update_lines(caplog) == [
        ("1001", "message/command:/start", "ok"),
        ("1001", "message/text", "ok"),
        ("1001", "callback/MenuChoice", "ok"),
        ("1001", "message/sticker", "ok"),
    ]
    # Privacy: what people write stays out of the log.
    assert not any("Tuesday" in record.getMessage() for record in caplog.records)


async def test_a_failed_update_is_logged_with_its_error(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.services.storage.close()
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        await bot.say("/history")  # /help itself needs no storage
        await bot.standin.wait_until_idle(settle=0.1)
    assert update_lines(caplog) == [("1001", "message/command:/history", "error:StorageError")]


async def test_forged_button_data_is_not_logged(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    reply = await bot.say("/start")
    await bot.standin.wait_until_idle(settle=0.1)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        bot.standin.user_presses(bot.chat_id, reply["message_id"], "Ünïcode junk", strict=False)
        await bot.standin.wait_until_idle(settle=0.1)
    assert update_lines(caplog) == [("1001", "callback/other", "ok")]


@pytest.mark.usefixtures("restore_logging")
async def test_the_token_never_reaches_the_log_even_at_debug(
    bot: RunningBot, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("DEBUG", TOKEN)
    logging.getLogger("bot.test").warning("calling %s", f"https://api.telegram.org/bot{TOKEN}/x")
    reply = await bot.say("/start")
    await bot.press(reply, "Safety")
    await bot.next_message()
    await bot.services.storage.close()
    await bot.say("/history")  # an error, logged with its traceback
    await bot.standin.wait_until_idle(settle=0.1)
    err = capsys.readouterr().err
    assert "kind=message/command:/start outcome=ok" in err
    assert "error while handling" in err
    assert "bot<token>/x" in err
    assert TOKEN not in err
    assert TOKEN.split(":")[1] not in err


@pytest.mark.usefixtures("restore_logging")
async def test_log_level_is_honoured_and_third_parties_stay_at_warning(
    bot: RunningBot, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("WARNING", TOKEN)
    await bot.say("/start")
    await bot.standin.wait_until_idle(settle=0.1)
    assert "kind=" not in capsys.readouterr().err
    setup_logging("DEBUG", TOKEN)
    assert all(logging.getLogger(name).level == logging.WARNING for name in NOISY_LOGGERS)
