"""Webhook mode: registered with its secret, served on loopback, forged posts refused."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import BotApplication, build, webhook_path
from bot.config import ConfigError, Settings
from standin import BotApiStandIn
from tests.support.app import settings_for, shipped_catalog
from tests.support.botapi import TOKEN
from tests.support.process import free_port, start_bot

SECRET = "s3cret-Webhook_token"
CHAT = 4242


def webhook_settings(standin: BotApiStandIn, database: Path, port: int) -> Settings:
    return settings_for(
        standin,
        database,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/massage-coach/hook",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
    )


@contextlib.asynccontextmanager
async def serving_webhook(app: BotApplication, settings: Settings) -> AsyncIterator[None]:
    """Run like ``run_webhook`` does, without owning the event loop."""
    async with app:
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        try:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=webhook_path(settings),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret.value,
            )
            try:
                yield
            finally:
                await app.updater.stop()
                await app.stop()
        finally:
            await app.post_shutdown(app)


def help_update(update_id: int) -> dict[str, Any]:
    user = {"id": CHAT, "is_bot": False, "first_name": "Sam"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": CHAT, "type": "private", "first_name": "Sam"},
            "from": user,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_webhook_is_registered_with_its_secret_and_path(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    settings = webhook_settings(standin, tmp_path / "db.sqlite3", free_port())
    async with serving_webhook(build(settings, shipped_catalog()), settings):
        info = standin.webhook_info()
        assert info["url"] == settings.webhook_url
        request = next(r for r in standin.requests if r.method == "setWebhook")
        assert request.params["secret_token"] == SECRET


async def test_updates_posted_with_the_secret_are_answered_and_without_it_refused(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    standin.deliver_webhooks = False  # this test posts the updates itself
    settings = webhook_settings(standin, tmp_path / "db.sqlite3", free_port())
    standin.register_chat(CHAT, first_name="Sam")
    async with (
        serving_webhook(build(settings, shipped_catalog()), settings),
        httpx.AsyncClient() as client,
    ):
        url = settings.webhook_url
        forged = await client.post(url, json=help_update(900))
        assert forged.status_code == 403
        wrong = await client.post(
            url, json=help_update(901), headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        assert wrong.status_code == 403

        genuine = await client.post(
            url, json=help_update(902), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert genuine.status_code == 200
        reply = await standin.wait_for_message(CHAT)
        assert "/start" in reply["text"]
        await standin.wait_until_idle(settle=0.2)
    # Only the genuine update drew an answer.
    assert len([r for r in standin.sent if r.chat_id == CHAT]) == 1


async def test_updates_delivered_by_telegram_reach_the_bot(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    settings = webhook_settings(standin, tmp_path / "db.sqlite3", free_port())
    async with serving_webhook(build(settings, shipped_catalog()), settings):
        standin.user_sends_text(CHAT, "/start", first_name="Sam")
        reply = await standin.wait_for_message(CHAT)
        assert "Hi Sam" in reply["text"]


async def test_python_m_bot_serves_the_webhook_and_stops_on_sigterm(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    port = free_port()
    bot = await start_bot(
        standin,
        tmp_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/massage-coach/hook",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
    )
    try:
        await standin.wait_for_request("setWebhook", timeout=30)
        standin.user_sends_text(CHAT, "/help")
        reply = await standin.wait_for_message(CHAT, timeout=15)
        assert "/start" in reply["text"]
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/massage-coach/hook"
            forged = await client.post(url, json=help_update(999))
            alive = await client.get(url)  # the liveness probe the README documents
        assert forged.status_code == 403
        assert alive.status_code == 405
        assert await bot.terminate() == 0
    finally:
        await bot.kill()
    assert "stopped cleanly" in bot.log
    assert TOKEN not in bot.log


def test_webhook_without_a_secret_is_refused(standin: BotApiStandIn, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET must be set"):
        settings_for(standin, tmp_path / "db", WEBHOOK_URL="https://example.org/hook")
