"""The wiring: the one module in bot/ that imports telegram, assembling the Application."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

import handlers
from bot.config import Settings
from bot.content import Catalog
from bot.services import Services
from handlers.context import BotContext, BotData
from handlers.menu import COMMANDS
from handlers.sender import TelegramSender

log = logging.getLogger(__name__)

BOT_DESCRIPTION = (
    "Massage Coach teaches you to give someone a good back massage: ask how to do a stroke, "
    "follow a timed step-by-step routine, and get a gentle daily reminder to relax. "
    "General tips, not medical advice."
)
BOT_SHORT_DESCRIPTION = "Learn to give a good back massage, step by step."

BotApplication = Application[Any, BotContext, Any, Any, BotData, Any]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Handles updates of different chats concurrently but each chat's in arrival order."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        # chat id -> (its lock, how many of its updates are waiting or running)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[chat.id]
            if users == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


async def announce(app: BotApplication) -> None:
    """Set the command menu and the bot's descriptions; failures are logged, never fatal."""
    bot = app.bot
    calls: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        (
            "commands",
            lambda: bot.set_my_commands(
                [BotCommand(command.name, command.description) for command in COMMANDS]
            ),
        ),
        ("description", lambda: bot.set_my_description(BOT_DESCRIPTION)),
        ("short description", lambda: bot.set_my_short_description(BOT_SHORT_DESCRIPTION)),
    ]
    for what, call in calls:
        try:
            await call()
        except TelegramError as error:
            log.warning("could not set the bot's %s: %s", what, error)


def build(settings: Settings, catalog: Catalog) -> BotApplication:
    """Assemble the Application: defaults, rate limiter, services, handlers, start-up hooks."""
    services = Services.create(settings, catalog)

    async def post_init(app: BotApplication) -> None:
        services.sender = TelegramSender(app.bot)
        await services.start()
        await announce(app)

    async def post_shutdown(app: BotApplication) -> None:
        await services.stop()

    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(settings.bot_token.value)
        .base_url(settings.bot_api_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=None))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.rate_limit_overall > 0:
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=settings.rate_limit_overall, max_retries=5)
        )
    app: BotApplication = builder.build()
    app.bot_data.services = services
    handlers.register(app)
    return app


def run(settings: Settings, catalog: Catalog) -> None:
    """Run until stopped: webhook when WEBHOOK_URL is set, long polling otherwise."""
    app = build(settings, catalog)
    if settings.uses_webhook:
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.value or None,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
