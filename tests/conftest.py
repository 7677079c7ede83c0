"""Shared fixtures: the Bot API stand-in and the real bot running against it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.standin import BotApiStandIn
from tests.support.app import RunningBot, running_bot
from tests.support.botapi import standin

__all__ = ["bot", "standin"]

# PTB 22 warns (an error under filterwarnings=error) on every RetryAfter unless it may use
# timedelta values; the bot itself handles both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def bot(standin: BotApiStandIn, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real Application, polling the stand-in, with a fresh database."""
    async with running_bot(standin, tmp_path / "bot.sqlite3") as running:
        yield running
