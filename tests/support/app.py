"""Run the real Massage Coach Application against the stand-in, and talk to it as a user."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import BotApplication, build, polling
from bot.catalog.entries import Catalog
from bot.catalog.loader import load_catalog
from bot.config import Settings, load_settings
from bot.services import Services
from standin import BotApiStandIn
from tests.support.botapi import TOKEN

JSONDict = dict[str, Any]
USER_CHAT = 1001


def settings_for(standin: BotApiStandIn, database: Path, **env: str) -> Settings:
    """Settings pointing at the stand-in, with a private database; ``env`` overrides."""
    values = {
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": standin.base_url,
        "DATABASE_PATH": str(database),
        "TIME_SCALE": "0.01",
        "RATE_LIMIT_OVERALL": "0",
        # The semantic model has its own tests (tests/test_ask_v2.py); flows through the
        # Application answer from words, so each bot starts in milliseconds.
        "SEMANTIC_SEARCH": "off",
        # Pictures add photo messages (and rendering) to every card and step; the tests that
        # are about them switch them on.
        "PICTURES": "off",
        **env,
    }
    return load_settings(values, dotenv=None)


_CATALOG: list[Catalog] = []


def shipped_catalog() -> Catalog:
    """The real content, loaded once per test run (it is immutable)."""
    if not _CATALOG:
        _CATALOG.append(load_catalog())
    return _CATALOG[0]


@dataclass
class RunningBot:
    """A polling Application plus user-side helpers that wait for the bot's answers."""

    standin: BotApiStandIn
    app: BotApplication
    chat_id: int = USER_CHAT

    @property
    def services(self) -> Services:
        services = self.app.bot_data.services
        assert services is not None
        return services

    async def say(self, text: str, *, chat_id: int | None = None, **kwargs: Any) -> JSONDict:
        """Send text as the user and return the bot's next message in that chat."""
        chat = self.chat_id if chat_id is None else chat_id
        self.standin.user_sends_text(chat, text, **kwargs)
        return await self.standin.wait_for_message(chat)

    async def press(self, message: JSONDict, button_text: str) -> str:
        """Press the button whose label contains ``button_text``; returns the query id."""
        data = button_data(message, button_text)
        return self.standin.user_presses(message["chat"]["id"], message["message_id"], data)

    async def next_message(
        self,
        *,
        chat_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        chat = self.chat_id if chat_id is None else chat_id
        return await self.standin.wait_for_message(chat, timeout=timeout)


def buttons(message: JSONDict) -> list[JSONDict]:
    """Every inline button of a message, row by row."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def button_data(message: JSONDict, text: str) -> str:
    for button in buttons(message):
        if text.lower() in button["text"].lower():
            data: str = button["callback_data"]
            return data
    raise AssertionError(f"no button {text!r} in {[b['text'] for b in buttons(message)]}")


@contextlib.asynccontextmanager
async def running_bot(
    standin: BotApiStandIn, database: Path, **env: str
) -> AsyncIterator[RunningBot]:
    """Build the real Application against the stand-in and run it with long polling."""
    app = build(settings_for(standin, database, **env), shipped_catalog())
    async with run_app(app):
        yield RunningBot(standin=standin, app=app)


def run_app(app: BotApplication) -> contextlib.AbstractAsyncContextManager[None]:
    """Run like ``run_polling`` does, every start-up and shut-down hook included."""
    return polling(app, poll_timeout=1)
