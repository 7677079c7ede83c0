"""Try the bot without Telegram: a terminal chat with the real bot over the local stand-in.

``python -m bot chat`` starts the Bot API stand-in on a loopback port and the real
Application against it in one event loop, then relays lines typed on stdin as the user's
messages and prints what the bot sends, buttons listed as numbered choices. It needs no
token and leaves cleanly at end of input, so it can be scripted::

    printf '/start\\nhow do I ease shoulder tension\\n' | python -m bot chat

It lives in the stand-in package, not in ``bot/``, because it is the one module that needs both
the stand-in and the real Application (``bot.app``): the core never imports the stand-in, and
``bot/__main__.py`` imports this module lazily inside its ``chat`` sub-command only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.app import BotApplication, build, polling
from bot.catalog.entries import Catalog
from bot.config import Settings, load_settings
from standin.records import RequestRecord, Upload
from standin.server import BotApiStandIn

log = logging.getLogger(__name__)

# A well-formed token the stand-in accepts; it never leaves this machine.
DEV_TOKEN = "1000000001:LocalTerminalChatNotARealTelegramToken"
CHAT_ID = 1
# The second person (partner mode): ``/as partner`` types in this chat, ``/as me`` goes back.
PARTNER_CHAT_ID = 2
PARTNER_NAME = "Sam"
_DEEP_LINK = re.compile(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]{1,64})")
DEFAULT_CHAT_DATABASE = Path("data/chat.sqlite3")
# How long to wait for the replies to a line before reading the next one.
REPLY_TIMEOUT = 10.0
QUIET_FOR = 0.25
POLL_EVERY = 0.05

JSONDict = dict[str, Any]
SHOWN_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
    }
)


@dataclass(frozen=True)
class ChatOptions:
    """What ``python -m bot chat`` was asked for."""

    database: Path = DEFAULT_CHAT_DATABASE
    name: str = "Alex"
    linger: float = 0.0  # seconds to keep running after end of input (timed messages)
    echo: bool = False  # print the user's lines too (stdin is not a terminal)
    banner: bool = True


def chat_settings(
    standin: BotApiStandIn, options: ChatOptions, environ: Mapping[str, str] | None
) -> Settings:
    """The operator's settings (TIME_SCALE, ADMIN_IDS...) pointed at the local stand-in."""
    overrides = {
        "BOT_TOKEN": DEV_TOKEN,
        "BOT_API_URL": standin.base_url,
        "DATABASE_PATH": str(options.database),
        "RATE_LIMIT_OVERALL": "0",
        "WEBHOOK_URL": "",
        "PROXY_URL": "",  # the stand-in is on loopback: an operator's proxy cannot reach it
    }
    env = dict(os.environ if environ is None else environ)
    return load_settings({**env, **overrides})


def buttons_of(message: JSONDict) -> list[JSONDict]:
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def render_message(message: JSONDict, label: str, picture: str = "") -> str:
    """A bot message as the terminal shows it: text indented under a label, then choices.

    A photo shows as ``[picture: <title>]`` above its caption."""
    text = message.get("text", message.get("caption", "")) or (
        "" if "photo" in message else "(no text)"
    )
    prefix = f"{label}: "
    lines = text.splitlines() or [""]
    if "photo" in message:
        title = picture or next((line for line in lines if line.strip()), "a diagram")
        lines = [f"[picture: {title}]", *(line for line in lines if text)]
    indent = " " * len(prefix)
    out = [prefix + lines[0], *((indent + line).rstrip() for line in lines[1:])]
    number = 0
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        choices = []
        for button in row:
            number += 1
            link = f" ({button['url']})" if button.get("url") else ""
            choices.append(f"[{number}] {button['text']}{link}")
        out.append(indent + "   ".join(choices))
    return "\n".join(out)


@dataclass
class Speaker:
    """Who is typing: the user (the giver) or, after ``/as partner``, the partner."""

    chat_id: int
    name: str


@dataclass
class Transcript:
    """Prints what the bot did in the user's chat (and the partner's, labelled), in the
    order the stand-in answered it."""

    standin: BotApiStandIn
    out: TextIO
    chat_id: int = CHAT_ID
    partner_chat_id: int = PARTNER_CHAT_ID
    partner_name: str = PARTNER_NAME
    _seen: int = 0
    _pending_alerts: dict[str, str] = field(default_factory=dict)
    _picture_titles: dict[str, str] = field(default_factory=dict)

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def flush(self) -> None:
        new: list[RequestRecord] = []
        for record in reversed(self.standin.requests):
            if record.seq <= self._seen:
                break
            new.append(record)
        for record in reversed(new):
            self._seen = record.seq
            if record.ok and record.method in SHOWN_METHODS:
                self._show(record)

    def _show(self, record: RequestRecord) -> None:
        if record.method == "answerCallbackQuery":
            text = record.params.get("text")
            if text:
                self.write(f"coach (pop-up): {text}")
            return
        chat = str(record.params.get("chat_id"))
        if chat == str(self.chat_id):
            coach = "coach"
        elif chat == str(self.partner_chat_id):
            coach = f"coach to {self.partner_name}"
        else:
            return
        if record.method == "deleteMessage":
            self.write(f"{coach}: (deleted a message)")
        elif isinstance(record.result, dict):
            label = coach if record.method.startswith("send") else f"{coach} (edited)"
            self.write(render_message(record.result, label, self._picture_title(record)))

    def _picture_title(self, record: RequestRecord) -> str:
        """An uploaded picture is named after its title; later sends reuse its file id."""
        photo, sizes = record.params.get("photo"), record.result.get("photo") or []
        if isinstance(photo, Upload) and sizes:
            title = photo.filename.removesuffix(".png")
            self._picture_titles.update({size["file_id"]: title for size in sizes})
            return title
        return self._picture_titles.get(str(photo), "") if photo else ""


def latest_buttons(standin: BotApiStandIn, chat_id: int) -> list[JSONDict]:
    """The buttons of the newest bot message that has any, as it looks now."""
    for message in reversed(standin.messages(chat_id)):
        found = buttons_of(message)
        if found:
            return [{**button, "message_id": message["message_id"]} for button in found]
    return []


def switch(words: list[str], options: ChatOptions) -> Speaker | None:
    """``/as partner`` or ``/as me``: the speaker it names, None for anything else."""
    if len(words) != 2 or words[0] != "/as":
        return None
    if words[1].lower() in ("partner", PARTNER_NAME.lower(), "2"):
        return Speaker(PARTNER_CHAT_ID, PARTNER_NAME)
    if words[1].lower() in ("me", "giver", options.name.lower(), "1"):
        return Speaker(CHAT_ID, options.name)
    return None


def act(
    standin: BotApiStandIn,
    transcript: Transcript,
    line: str,
    options: ChatOptions,
    speaker: Speaker | None = None,
) -> Speaker:
    """Send one typed line as ``speaker``: a bare number presses that button, ``/as partner``
    switches who types, an invite link opens it, anything else is a message. Returns who
    types next."""
    who = speaker or Speaker(CHAT_ID, options.name)
    text = line.rstrip("\r\n")
    if not text.strip():
        return who
    if text.strip().split()[:1] == ["/as"]:
        chosen = switch(text.split(), options)
        if chosen is None:
            transcript.write("(type /as partner to write as your partner, /as me to go back)")
            return who
        transcript.write(f"(now typing as {chosen.name})")
        return chosen
    link = _DEEP_LINK.fullmatch(text.strip())
    if link:  # what tapping the link does in Telegram
        text = f"/start {link[1]}"
    choices = latest_buttons(standin, who.chat_id) if text.strip().isdigit() else []
    if not choices:
        if options.echo or who.chat_id != CHAT_ID:
            transcript.write(f"{'you' if who.chat_id == CHAT_ID else who.name}: {text}")
        standin.user_sends_text(who.chat_id, text, first_name=who.name)
        return who
    number = int(text.strip())
    if not 1 <= number <= len(choices):
        transcript.write(f"(there is no button {number}; choose 1 to {len(choices)})")
        return who
    button = choices[number - 1]
    if button.get("url"):
        transcript.write(f"(that button opens {button['url']} in a browser)")
        return who
    presser = "you" if who.chat_id == CHAT_ID else who.name
    transcript.write(f"{presser} pressed: [{number}] {button['text']}")
    standin.user_presses(
        who.chat_id, button["message_id"], button.get("callback_data", ""), strict=False
    )
    return who


async def settle(standin: BotApiStandIn, timeout: float = REPLY_TIMEOUT) -> None:  # noqa: ASYNC109
    """Wait until the bot took every update and has been quiet for a moment."""
    deadline = time.monotonic() + timeout
    while True:
        if standin.is_idle(settle=QUIET_FOR) or time.monotonic() >= deadline:
            return
        await asyncio.sleep(POLL_EVERY)


def read_lines(stream: TextIO, deliver: Callable[[str | None], None]) -> threading.Thread:
    """Read ``stream`` in a daemon thread (stdin reads block); None marks end of input."""

    def run() -> None:
        try:
            for line in stream:
                deliver(line)
        finally:
            deliver(None)

    thread = threading.Thread(target=run, name="chat-stdin", daemon=True)
    thread.start()
    return thread


def banner(settings: Settings, options: ChatOptions) -> str:
    return (
        "Massage Coach, terminal chat: the real bot on a local stand-in of Telegram.\n"
        "Type a message and press Enter. A line with just a number presses that button of\n"
        "the latest message with buttons. Try /start or /help. /as partner types as a\n"
        "second person (partner mode; paste the invite link there), /as me goes back.\n"
        "Ctrl-D leaves.\n"
        f"(database {options.database}, TIME_SCALE {settings.time_scale:g})\n"
    )


async def chat(
    catalog: Catalog,
    options: ChatOptions,
    stdin: TextIO,
    out: TextIO,
    environ: Mapping[str, str] | None = None,
    started: Callable[[BotApiStandIn, BotApplication], None] | None = None,
) -> None:
    """Run the chat until end of input; raises ConfigError or StorageError before it starts.

    ``started`` is called once the bot runs (tests use it to reach the stand-in and app).
    """
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    async with BotApiStandIn(default_token=DEV_TOKEN) as standin:
        settings = chat_settings(standin, options, environ)
        transcript = Transcript(standin, out)
        app = build(settings, catalog)
        async with polling(app, poll_timeout=1):
            await settle(standin)  # the start-up calls, so they are not shown
            transcript.flush()
            if options.banner:
                transcript.write(banner(settings, options))
            if started is not None:
                started(standin, app)
            printer = asyncio.create_task(_keep_printing(transcript))

            def deliver(line: str | None) -> None:
                # After the chat ended (Ctrl-C, an error) there is nobody left to read it.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(lines.put_nowait, line)

            read_lines(stdin, deliver)
            speaker = Speaker(CHAT_ID, options.name)
            try:
                while (line := await lines.get()) is not None:
                    speaker = act(standin, transcript, line, options, speaker)
                    await settle(standin)
                    transcript.flush()
                if options.linger > 0:
                    await asyncio.sleep(options.linger)
                await settle(standin)
            finally:
                printer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await printer
                transcript.flush()


async def _keep_printing(transcript: Transcript) -> None:
    """Show timed messages (guided-session steps, reminders) while waiting for input."""
    while True:
        transcript.flush()
        await asyncio.sleep(POLL_EVERY)


def default_name() -> str:
    user = os.environ.get("USER", "")
    return user.capitalize() if user.isalpha() and user != "root" else "Alex"


def run_chat(catalog: Catalog, options: ChatOptions) -> int:
    """Entry point of ``python -m bot chat``; exit status 0 at end of input."""
    try:
        asyncio.run(chat(catalog, options, sys.stdin, sys.stdout))
    except KeyboardInterrupt:
        print("\n(stopped)", file=sys.stderr)
        return 130
    return 0
