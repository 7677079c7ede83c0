"""Shared fixtures: the Bot API stand-in and the real bot running against it."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.logs import quiet_noisy_loggers, token_safe_handler
from standin import BotApiStandIn
from tests.support.app import RunningBot, running_bot
from tests.support.botapi import TOKEN, standin
from tests.support.proxy import PROXY_PASSWORD

__all__ = ["bot", "standin"]

# PTB 22 warns (an error under filterwarnings=error) on every RetryAfter unless it may use
# timedelta values; the bot itself handles both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def bot(standin: BotApiStandIn, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real Application, polling the stand-in, with a fresh database."""
    async with running_bot(standin, tmp_path / "bot.sqlite3") as running:
        yield running


@pytest.fixture(scope="session", autouse=True)
def token_never_logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Capture every log line of the whole run, as the bot configures logging, at DEBUG;
    at the end, neither the token nor the test proxy's password may be anywhere in it."""
    path = tmp_path_factory.mktemp("logs") / "all.log"
    with path.open("w", encoding="utf-8") as stream:
        handler = token_safe_handler(stream, TOKEN, (PROXY_PASSWORD,))
        handler.setLevel(logging.DEBUG)
        root = logging.getLogger()
        previous_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        quiet_noisy_loggers()
        try:
            yield
        finally:
            root.removeHandler(handler)
            root.setLevel(previous_level)
    text = path.read_text(encoding="utf-8")
    assert TOKEN not in text, "the bot token appeared in the log output of the test run"
    assert TOKEN.split(":")[1] not in text, "the secret half of the token appeared in the logs"
    assert PROXY_PASSWORD not in text, "the proxy's password appeared in the logs"
