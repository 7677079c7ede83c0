"""Shared set-up for the fan-out benchmarks: the real bot under Telegram's limits."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from bot.services import Services
from standin import BotApiStandIn

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3"


@contextlib.asynccontextmanager
async def limited_bot(path: Path, chats: int) -> AsyncIterator[tuple[BotApiStandIn, Services]]:
    """The real Application with RATE_LIMIT_OVERALL=30 against a stand-in that answers 429
    past 1 message per chat per second or 30 per second overall; chats 1..``chats`` known."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from bot.app import build
    from tests.support.app import run_app, settings_for, shipped_catalog

    async with BotApiStandIn(default_token=TOKEN) as api:
        for chat in range(1, chats + 1):
            api.register_chat(chat)
        api.flood_limits(per_chat_per_second=1, overall_per_second=30)
        app = build(settings_for(api, path, RATE_LIMIT_OVERALL="30"), shipped_catalog())
        async with run_app(app):
            services = app.bot_data.services
            assert services is not None
            yield api, services
