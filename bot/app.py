"""The wiring: the one module in bot/ that imports telegram, assembling the Application."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
from bot import callbacks
from bot.catalog.entries import Catalog
from bot.config import Settings
from bot.locks import ChatLocks
from bot.services import Services, picture_service
from bot.sessions.timetable import SendObserver
from bot.storage import Storage
from handlers.context import BotContext, BotData
from handlers.menu import COMMANDS
from handlers.sender import TelegramSender
from handlers.transport import bot_api_requests

log = logging.getLogger(__name__)
# One INFO line per update, on its own logger so operators can silence or route it.
update_log = logging.getLogger("bot.updates")

BOT_DESCRIPTION = (
    "Massage Coach teaches you to give someone a good back massage: ask how to do a stroke, "
    "follow a timed step-by-step routine, and get a gentle daily reminder to relax. "
    "General tips, not medical advice."
)
BOT_SHORT_DESCRIPTION = "Learn to give a good back massage, step by step."

BotApplication = Application[Any, BotContext, Any, Any, BotData, Any]


@dataclass
class _Outcome:
    """How handling one update ended; filled in by CoachApplication.process_error."""

    error: str = ""


# Set around each update's processing; a mutable holder because handlers run with
# block=False would only see a copy of the context.
_OUTCOME: contextvars.ContextVar[_Outcome | None] = contextvars.ContextVar(
    "update_outcome", default=None
)
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}")
_UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "my_chat_member",
    "channel_post",
    "edited_channel_post",
)


def update_kind(update: object) -> str:
    """What an update is, without its content: ``message/command:/start``, ``callback/MenuChoice``.

    Message text stays out of the log (privacy); only a command's name (from a safe alphabet)
    and the kind of button pressed are kept.
    """
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        press = callbacks.parse(update.callback_query.data or "")
        return "callback/" + (type(press).__name__ if press is not None else "other")
    kind = next((name for name in _UPDATE_KINDS if getattr(update, name, None)), "other")
    message = update.message
    if message is None:
        return kind
    if message.text is not None:
        command = _COMMAND.match(message.text)
        if command and message.text.startswith("/"):
            return f"message/command:{command.group(0).lower()}"
        return "message/text"
    return "message/" + next(
        (
            name
            for name in ("sticker", "photo", "voice", "video", "document", "location", "contact")
            if getattr(message, name, None)
        ),
        "other",
    )


def log_update(update: object, outcome: str, seconds: float) -> None:
    """The one line per update: id, chat, kind, outcome and handling time, never the text."""
    if not update_log.isEnabledFor(logging.INFO):
        return
    update_id = update.update_id if isinstance(update, Update) else "-"
    chat = update.effective_chat if isinstance(update, Update) else None
    update_log.info(
        "update %s chat=%s kind=%s outcome=%s %.0f ms",
        update_id,
        chat.id if chat else "-",
        update_kind(update),
        outcome,
        seconds * 1000,
    )


class CoachApplication(Application[Any, BotContext, Any, Any, BotData, Any]):
    """The Application, plus noting which updates ended in an error for the update log."""

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Any = None,
        coroutine: Any = None,
    ) -> bool:
        outcome = _OUTCOME.get()
        if outcome is not None and update is not None:
            outcome.error = type(error).__name__
        return await super().process_error(update, error, job, coroutine)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Handles updates of different chats concurrently but each chat's in arrival order.

    It also writes the update log: each update's coroutine passes through here, so timing
    and outcome are captured in one place instead of in every handler.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._chats = ChatLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await _logged(update, coroutine)
            return
        async with self._chats.hold(chat.id):
            await _logged(update, coroutine)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


async def _logged(update: object, coroutine: Awaitable[Any]) -> None:
    outcome = _Outcome()
    token = _OUTCOME.set(outcome)
    started = time.perf_counter()
    try:
        await coroutine
    except BaseException as error:
        # process_update catches handler errors itself; this is cancellation at shutdown.
        log_update(update, f"interrupted:{type(error).__name__}", time.perf_counter() - started)
        raise
    finally:
        _OUTCOME.reset(token)
    result = f"error:{outcome.error}" if outcome.error else "ok"
    log_update(update, result, time.perf_counter() - started)


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


def smooth_rate_limiter(per_second: float) -> AIORateLimiter:
    """PTB's limiter, but without big bursts: at most ``per_second`` sends in any one second.

    AIORateLimiter(30, 1) is a bucket of 30 that lets 30 go at once and 30 more a moment
    later, which Telegram answers with 429. A bucket of ``burst`` that refills at
    ``per_second - burst`` a second never puts more than ``per_second`` sends in a sliding
    second. A burst of a few (not one) keeps steps that fall due together from queueing 35
    ms apart: at 1,000 sessions (~13 sends/s) the p99 of step lateness was 132 ms with a
    bucket of one, 82 ms with three (BENCHMARKS.md). Retries (PTB's default is none) turn
    a 429 into a pause of every send for retry_after, never a loss.
    """
    burst = max(1, min(3, int(per_second // 10)))
    refill = max(per_second - burst, per_second / 2.0)
    return AIORateLimiter(
        overall_max_rate=burst, overall_time_period=burst / refill, max_retries=5
    )


def build(
    settings: Settings, catalog: Catalog, *, on_session_sent: SendObserver | None = None
) -> BotApplication:
    """Assemble the Application: defaults, rate limiter, services, handlers, start-up hooks.

    ``on_session_sent`` is told when each timed session step went out (for the benchmark).
    """

    def services_of(app: BotApplication) -> Services:
        services = app.bot_data.services
        assert services is not None
        return services

    async def post_init(app: BotApplication) -> None:
        await services_of(app).start()
        await announce(app)
        mode = "webhook" if settings.uses_webhook else "long polling"
        log.info("started as @%s (%s)", app.bot.username, mode)

    async def post_stop(app: BotApplication) -> None:
        # The bot can still send here: let timed sends in flight finish and be recorded.
        await services_of(app).quiesce()

    async def post_shutdown(app: BotApplication) -> None:
        await services_of(app).stop()
        # Operators and the SIGTERM test look for this line: timed work stopped, DB closed.
        log.info("stopped cleanly")

    calls, updates = bot_api_requests(settings.proxy_url.value or None)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(CoachApplication)
        .token(settings.bot_token.value)
        .base_url(settings.bot_api_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=None))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .request(calls)
        .get_updates_request(updates)
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    if settings.rate_limit_overall > 0:
        builder = builder.rate_limiter(smooth_rate_limiter(settings.rate_limit_overall))
    app: BotApplication = builder.build()
    # The sender puts technique pictures on timed steps, so it shares the services' storage.
    storage = Storage(settings.database_path)
    pictures = picture_service(settings, catalog, storage)
    app.bot_data.services = Services.create(
        settings,
        catalog,
        TelegramSender(app.bot, pictures),
        on_session_sent=on_session_sent,
        storage=storage,
        pictures=pictures,
    )
    handlers.register(app)
    return app


@contextlib.asynccontextmanager
async def polling(app: BotApplication, *, poll_timeout: int = 10) -> AsyncIterator[None]:
    """Run ``app`` with long polling inside an event loop someone else owns (the terminal
    chat, the tests), with the same start-up and shut-down hooks as ``run_polling``."""
    async with app:
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        try:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
            )
            try:
                yield
            finally:
                await app.updater.stop()
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
        finally:
            await app.post_shutdown(app)


def webhook_path(settings: Settings) -> str:
    """The local path the webhook is served on: the path of WEBHOOK_URL, so a reverse proxy
    can pass requests through unchanged."""
    return urlsplit(settings.webhook_url).path.strip("/")


def run(settings: Settings, catalog: Catalog) -> None:
    """Run until SIGTERM/SIGINT: webhook when WEBHOOK_URL is set, long polling otherwise.

    PTB stops fetching updates on the signal, lets running handlers finish, then calls
    post_shutdown, which stops the scheduler and closes the database.
    """
    app = build(settings, catalog)
    if settings.uses_webhook:
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=webhook_path(settings),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.value or None,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
