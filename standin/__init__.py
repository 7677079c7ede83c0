"""A faithful local stand-in for the Telegram Bot API HTTP server (a test double and dev tool).

Telegram cannot be reached from test machines, so the bot is tested end to end against this
server on loopback: point python-telegram-bot at :attr:`BotApiStandIn.base_url` (PTB's
``base_url`` setting) and drive the user side with the ``user_*`` methods.

The package lives outside the core on purpose: ``bot/`` never imports it (only the ``chat``
sub-command of ``bot/__main__.py`` loads :mod:`standin.terminal`, lazily). It does not import
``telegram`` either; it speaks plain HTTP + JSON, exactly as ``api.telegram.org`` does:

* every request is ``GET``/``POST`` ``/bot<token>/<method>`` with parameters in the query
  string, an ``application/x-www-form-urlencoded`` or ``multipart/form-data`` body (non-string
  values JSON-encoded, as PTB sends them) or an ``application/json`` body;
* answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "..."}`` with the HTTP status equal to ``error_code``;
* error descriptions are Telegram's own, so the bot's error handling sees what it would see in
  production.

Run it standalone with ``python -m standin --port 8081``; it prints its base URL. While it
runs, ``POST /standin/<action>`` with a JSON object body drives the user side (for example
``/standin/user_sends_text`` with ``{"chat_id": 42, "text": "/start"}``).

Where things are:

* ``server.py``: :class:`BotApiStandIn`, the one object tests use, and its lifecycle;
* ``core.py``: state lookup, switches and the request pipeline; ``http.py``: tornado handlers;
* ``users.py``: the user side; ``waiting.py``: waits and inspection for tests;
* ``methods/``: the Bot API methods by family (updates, messages, queries, profile);
* ``formatting/``: the HTML, MarkdownV2 and Markdown parsers; ``markup.py``: reply keyboards;
* ``faults.py``: fault injection; ``records.py``: what was recorded; ``state.py``: per-bot state;
* ``terminal.py``: the offline terminal chat (``python -m bot chat``, ``make chat``).
"""

from standin.faults import Fault, FaultHook
from standin.formatting import format_text
from standin.markup import parse_reply_markup
from standin.protocol import BOT_FIRST_NAME, BOT_USERNAME, ApiError
from standin.records import ChatActionRecord, RecordedMessage, RequestRecord, Upload
from standin.server import BotApiStandIn, running_standin

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_USERNAME",
    "ApiError",
    "BotApiStandIn",
    "ChatActionRecord",
    "Fault",
    "FaultHook",
    "RecordedMessage",
    "RequestRecord",
    "Upload",
    "format_text",
    "parse_reply_markup",
    "running_standin",
]
