"""pytest helpers for running the real PTB bot against the local Bot API stand-in.

Register the fixtures in a conftest with ``pytest_plugins = ["tests.support.botapi"]`` or by
importing them (``from tests.support.botapi import standin``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from telegram import Bot
from telegram.ext import Application

from standin import BotApiStandIn

#: A token shaped like a real one ("<bot id>:AA" + 33 characters); the bot id is BOT_ID.
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3"
BOT_ID = 123456789


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    """A running stand-in whose user-side helpers address the bot with TOKEN.

    Fails the test at teardown if the stand-in itself hit an internal error.
    """
    async with BotApiStandIn(default_token=TOKEN) as server:
        yield server
        assert not server.internal_errors, f"stand-in crashed: {server.internal_errors!r}"


@contextlib.asynccontextmanager
async def bot_for(server: BotApiStandIn, token: str = TOKEN, **kwargs: Any) -> AsyncIterator[Bot]:
    """An initialized ``telegram.Bot`` talking to the stand-in."""
    async with Bot(token, base_url=server.base_url, **kwargs) as bot:
        yield bot


@contextlib.asynccontextmanager
async def polling(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 1
) -> AsyncIterator[None]:
    """Run ``app`` as ``run_polling`` would (without owning the event loop), then stop it.

    Build ``app`` with ``.base_url(server.base_url)``."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()
