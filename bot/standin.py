"""A faithful local stand-in for the Telegram Bot API HTTP server.

Telegram cannot be reached from test machines, so the bot is tested end to end against this
server on loopback: point python-telegram-bot at :attr:`BotApiStandIn.base_url` (PTB's
``base_url`` setting) and drive the user side with the ``user_*`` methods.

The module deliberately does not import ``telegram``; it speaks plain HTTP + JSON, exactly as
``api.telegram.org`` does:

* every request is ``GET``/``POST`` ``/bot<token>/<method>`` with parameters in the query
  string, an ``application/x-www-form-urlencoded`` or ``multipart/form-data`` body (non-string
  values JSON-encoded, as PTB sends them) or an ``application/json`` body;
* answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "..."}`` with the HTTP status equal to ``error_code``;
* error descriptions are Telegram's own, so the bot's error handling sees what it would see in
  production.

Run it standalone with ``python -m bot.standin --port 8081``; it prints its base URL. While it
runs, ``POST /standin/<action>`` with a JSON object body drives the user side (for example
``/standin/user_sends_text`` with ``{"chat_id": 42, "text": "/start"}``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import dataclasses
import gc
import itertools
import json
import logging
import math
import re
import signal
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web

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
    "main",
    "parse_reply_markup",
    "running_standin",
]

_log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
_T = TypeVar("_T")

BOT_FIRST_NAME = "Massage Coach"
BOT_USERNAME = "massage_coach_bot"

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{30,}$")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
MAX_INLINE_BUTTONS = 100

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)

SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Update types Telegram sends when allowed_updates was never specified (or was empty).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


# --------------------------------------------------------------------------------------------
# Errors and faults
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer of the Bot API (``ok: false``)."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _proxy_page(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


@dataclass(frozen=True)
class Fault:
    """What the fault hook may return to disturb one request.

    * ``delay``: hang this many seconds before doing anything (the request is dropped, i.e.
      never processed, if the client gives up and disconnects meanwhile);
    * ``status``: answer with this HTTP status instead of processing the request; the body is
      ``body`` or, by default, an nginx-style HTML error page (as a failing proxy answers);
    * ``drop_connection``: close the connection without any answer;
    * ``after_processing``: process the request normally first (state changes happen, e.g. a
      message is sent) and only then answer with the fault: the "lost response" case.

    A hook may also return a plain ``int`` (HTTP status 100-599) or ``float`` (delay seconds).
    """

    status: int | None = None
    delay: float = 0.0
    body: bytes | str | None = None
    content_type: str = "text/html"
    after_processing: bool = False
    drop_connection: bool = False

    @classmethod
    def http(cls, status: int, *, delay: float = 0.0, after_processing: bool = False) -> Fault:
        """An HTTP error with a proxy's HTML page as body."""
        return cls(status=status, delay=delay, after_processing=after_processing)

    @classmethod
    def api_error(
        cls,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        delay: float = 0.0,
        after_processing: bool = False,
    ) -> Fault:
        """A well-formed Bot API error answer, e.g. ``Fault.api_error(500, "Internal Server
        Error")`` or a 429 with ``retry_after``."""
        params = {"retry_after": retry_after} if retry_after is not None else None
        body = json.dumps(ApiError(code, description, params).payload())
        return cls(
            status=code,
            body=body,
            content_type="application/json",
            delay=delay,
            after_processing=after_processing,
        )

    @classmethod
    def hang(cls, seconds: float) -> Fault:
        """Delay the answer, then process normally."""
        return cls(delay=seconds)

    @classmethod
    def disconnect(cls, *, delay: float = 0.0, after_processing: bool = False) -> Fault:
        """Close the connection without answering."""
        return cls(drop_connection=True, delay=delay, after_processing=after_processing)

    @property
    def interrupts(self) -> bool:
        return self.status is not None or self.drop_connection


FaultResult = Fault | int | float | None
FaultHook = Callable[[str, JSONDict], FaultResult]


def _as_fault(value: FaultResult) -> Fault | None:
    if value is None or isinstance(value, Fault):
        return value
    if isinstance(value, bool):
        raise TypeError("a fault hook must return None, a Fault, an int status or a float delay")
    if isinstance(value, int):
        if not 100 <= value <= 599:
            raise ValueError(f"fault status {value} is not an HTTP status (100-599)")
        return Fault(status=value)
    if isinstance(value, float):
        return Fault(delay=value)
    raise TypeError(f"unsupported fault {value!r}")


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file uploaded in a multipart request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class RecordedMessage:
    """One message the bot sent or edited (recorded when the request arrived)."""

    seq: int
    token: str
    method: str
    chat_id: int | str
    message_id: int | None
    text: str | None  # the text/caption parameter as sent (markup not parsed)
    parse_mode: str | None
    reply_markup: Any  # the decoded reply_markup parameter, None if absent
    disable_notification: bool
    wall_time: float  # time.time() at arrival
    mono_time: float  # time.monotonic() at arrival
    message: JSONDict | None  # the Message object returned to the bot (None: inline message)
    params: JSONDict

    @property
    def is_edit(self) -> bool:
        return self.method in EDIT_METHODS

    @property
    def plain_text(self) -> str | None:
        """The text after entity parsing (what a user reads)."""
        if self.message is None:
            return None
        value = self.message.get("text", self.message.get("caption"))
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class RequestRecord:
    """One Bot API request the server answered."""

    seq: int
    token: str
    method: str  # canonical name when known, else as requested
    params: JSONDict
    status: int
    description: str | None
    result: Any
    wall_time: float  # time.time() at arrival
    mono_time: float  # time.monotonic() at arrival
    duration: float
    fault: Fault | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class ChatActionRecord:
    seq: int
    token: str
    chat_id: int | str
    action: str
    wall_time: float
    mono_time: float


# --------------------------------------------------------------------------------------------
# Text formatting (a port of tdlib's parse_html / parse_markdown / parse_markdown_v2)
# --------------------------------------------------------------------------------------------

_SPACES = frozenset(" \t\r\n\0\v")


@dataclass
class _Ent:
    type: str
    start: int  # code point offsets into the parsed text
    end: int
    extra: JSONDict = field(default_factory=dict)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _utf16_prefix(text: str) -> list[int]:
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + (2 if ord(char) > 0xFFFF else 1))
    return prefix


def utf16_len(text: str) -> int:
    return _utf16_prefix(text)[-1]


def _entities_error(message: str) -> ApiError:
    return _bad(f"can't parse entities: {message}")


def _check_url(url: str) -> str | None:
    """Roughly tdlib's LinkManager::get_checked_link: None when the link is unusable."""
    url = url.strip()
    if not url or any(c in url for c in " \t\n<>\"'"):
        return None
    lowered = url.lower()
    if lowered.startswith(("tg:", "ton:", "tonsite:", "mailto:")):
        return url
    if "://" not in url:
        if "." not in url.split("/")[0]:
            return None
        url = "http://" + url
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return None
    if not parts.path:
        url = f"{parts.scheme}://{parts.netloc}/" + (f"?{parts.query}" if parts.query else "")
        if parts.fragment:
            url += f"#{parts.fragment}"
    return url


def _decode_html_entity(text: str, pos: int, *, strict: bool) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos``; None when it is not a supported entity."""
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    end = pos + 1
    code = 0
    if at(pos + 1) == "#":
        end += 1
        if at(pos + 2) == "x":
            end += 1
            while at(end) in "0123456789abcdefABCDEF" and at(end) != "\0":
                code = code * 16 + int(text[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while at(end).isascii() and at(end).isdigit():
                code = code * 10 + int(text[end])
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        name = text[pos + 1 : end]
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name)
        if named is None:
            return None
        char = named
    if at(end) == ";":
        end += 1
    elif strict:
        return None
    return char, end


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_HTML = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _close_html_tag(
    tag: str, argument: str, start: int, end: int, chars: list[str], ents: list[_Ent]
) -> None:
    last = ents[-1] if ents else None
    same_span = last is not None and last.start == start and last.end == end
    if tag in _SIMPLE_HTML:
        ents.append(_Ent(_SIMPLE_HTML[tag], start, end))
    elif tag == "a":
        url = _check_url(argument if argument else "".join(chars[start:end]))
        if url is not None:
            ents.append(_Ent("text_link", start, end, {"url": url}))
    elif tag == "pre":
        if same_span and last is not None and last.type == "code":
            ents.pop()
            language = last.extra.get("_language")
            ents.append(_Ent("pre", start, end, {"language": language} if language else {}))
        else:
            ents.append(_Ent("pre", start, end))
    elif tag == "code":
        if same_span and last is not None and last.type == "pre":
            if argument:
                last.extra["language"] = argument
        else:
            ents.append(_Ent("code", start, end, {"_language": argument} if argument else {}))
    elif tag == "tg-emoji":
        if not argument.isdigit():
            raise _entities_error("Invalid custom emoji identifier specified")
        ents.append(_Ent("custom_emoji", start, end, {"custom_emoji_id": argument}))
    elif tag == "blockquote":
        ents.append(_Ent("expandable_blockquote" if argument else "blockquote", start, end))


def _parse_html(text: str, *, strict: bool) -> tuple[str, list[_Ent]]:
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    def boff(k: int) -> int:
        return _byte_offset(text, k)

    chars: list[str] = []
    nested: list[tuple[str, str, int]] = []
    ents: list[_Ent] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_html_entity(text, i, strict=strict)
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise _entities_error(
                    f'Character "&" at byte offset {boff(i)} must be escaped as "&amp;" '
                    "(stand-in strict mode)"
                )
        if c != "<":
            chars.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise _entities_error(f"Unclosed start tag at byte offset {boff(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise _entities_error(
                    f'Unsupported start tag "{tag}" at byte offset {boff(begin)}'
                )
            argument = ""
            while at(i) != ">":
                while at(i) != "\0" and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                attr = text[attr_begin:i]
                if not attr:
                    raise _entities_error(
                        f'Empty attribute name in the tag "{tag}" at byte offset {boff(begin)}'
                    )
                while at(i) != "\0" and at(i) in _SPACES:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr.lower() == "expandable" and at(i) != "\0":
                        argument = "1"
                        continue
                    raise _entities_error(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {boff(begin)}'
                    )
                i += 1
                while at(i) != "\0" and at(i) in _SPACES:
                    i += 1
                if at(i) == "\0":
                    raise _entities_error(
                        f'Unclosed start tag "{tag}" at byte offset {boff(begin)}'
                    )
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _SPACES and at(i) != ">":
                        raise _entities_error(
                            f"Unexpected end of name token at byte offset {boff(token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    buf: list[str] = []
                    while at(i) != quote and at(i) != "\0":
                        if at(i) == "&":
                            decoded = _decode_html_entity(text, i, strict=False)
                            if decoded is not None:
                                buf.append(decoded[0])
                                i = decoded[1]
                                continue
                        buf.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(buf)
                if at(i) == "\0":
                    raise _entities_error(f"Unclosed start tag at byte offset {boff(begin)}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise _entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {boff(begin)}'
                )
            nested.append((tag, argument, len(chars)))
            i += 1
        else:
            if not nested:
                raise _entities_error(f"Unexpected end tag at byte offset {boff(begin)}")
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            end_tag = text[begin + 2 : i]
            while at(i) in _SPACES and at(i) != "\0":
                i += 1
            if at(i) != ">":
                raise _entities_error(f"Unclosed end tag at byte offset {boff(begin)}")
            tag, argument, start = nested[-1]
            if end_tag and end_tag != tag:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {boff(begin)}, expected "</{tag}>", '
                    f'found "</{end_tag}>"'
                )
            nested.pop()
            i += 1
            if len(chars) > start:
                _close_html_tag(tag, argument, start, len(chars), chars, ents)
    if nested:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{nested[-1][0]}"')
    return "".join(chars), ents


_MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenEnt:
    type: str
    argument: str
    start: int
    raw_index: int


def _parse_markdown_v2(text: str) -> tuple[str, list[_Ent]]:
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    def boff(k: int) -> int:
        return _byte_offset(text, k)

    def escaped(k: int) -> bool:
        return at(k) == "\\" and k + 1 < n and 0 < ord(text[k + 1]) <= 126

    chars: list[str] = []
    nested: list[_OpenEnt] = []
    ents: list[_Ent] = []
    quote_start: int | None = None
    quote_expandable = False

    def close_quote(end: int) -> None:
        nonlocal quote_start
        if quote_start is not None and end > quote_start:
            kind = "expandable_blockquote" if quote_expandable else "blockquote"
            ents.append(_Ent(kind, quote_start, end))
        quote_start = None

    i = 0
    while i < n:
        c = text[i]
        in_code = bool(nested) and nested[-1].type in ("code", "pre", "pre_code")
        if not in_code and (i == 0 or text[i - 1] == "\n"):
            if quote_start is None:
                if text.startswith("**>", i):
                    quote_start, quote_expandable = len(chars), True
                    i += 3
                    continue
                if c == ">":
                    quote_start, quote_expandable = len(chars), False
                    i += 1
                    continue
            elif c == ">":
                i += 1
                continue
            else:
                close_quote(len(chars) - 1 if chars and chars[-1] == "\n" else len(chars))
        if escaped(i):
            chars.append(text[i + 1])
            i += 2
            continue
        if (
            quote_start is not None
            and quote_expandable
            and not in_code
            and text.startswith("||", i)
            and (i + 2 == n or text[i + 2] == "\n")
            and not (nested and nested[-1].type == "spoiler")
        ):
            close_quote(len(chars))
            i += 2
            continue
        reserved = "`" if in_code else _MD2_RESERVED
        if c not in reserved:
            chars.append(c)
            i += 1
            continue
        ends_entity = False
        if nested:
            top_type = nested[-1].type
            ends_entity = (
                (top_type == "bold" and c == "*")
                or (top_type == "italic" and c == "_" and at(i + 1) != "_")
                or (top_type == "code" and c == "`")
                or (top_type in ("pre", "pre_code") and text.startswith("```", i))
                or (top_type in ("text_link", "custom_emoji") and c == "]")
                or (top_type == "underline" and text.startswith("__", i))
                or (top_type == "strikethrough" and c == "~")
                or (top_type == "spoiler" and text.startswith("||", i))
            )
        if not ends_entity:
            raw_index = i
            argument = ""
            if c == "_":
                if at(i + 1) == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|" and at(i + 1) == "|":
                i += 1
                kind = "spoiler"
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                if text.startswith("```", i):
                    i += 3
                    kind = "pre"
                    lang_end = i
                    while at(lang_end) not in _SPACES and at(lang_end) != "`":
                        lang_end += 1
                    if i != lang_end and lang_end < n and at(lang_end) != "`":
                        kind = "pre_code"
                        argument = text[i:lang_end]
                        i = lang_end
                    if at(i) in "\n\r" and at(i) != "\0":
                        if at(i + 1) in "\n\r" and at(i + 1) != "\0" and at(i) != at(i + 1):
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    kind = "code"
            elif c == "!" and at(i + 1) == "[":
                i += 1
                kind = "custom_emoji"
            else:
                raise _entities_error(
                    f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )
            nested.append(_OpenEnt(kind, argument, len(chars), raw_index))
            i += 1
            continue
        top = nested.pop()
        extra: JSONDict = {}
        kind = top.type
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind in ("pre", "pre_code"):
            i += 2
            if kind == "pre_code":
                extra["language"] = top.argument
            kind = "pre"
        elif kind in ("text_link", "custom_emoji"):
            if at(i + 1) != "(":
                if kind == "custom_emoji":
                    raise _entities_error("Custom emoji entity must contain a tg://emoji URL")
                url = "".join(chars[top.start :])
            else:
                i += 2
                url_begin = i
                buf: list[str] = []
                while i < n and text[i] != ")":
                    if escaped(i):
                        buf.append(text[i + 1])
                        i += 2
                        continue
                    buf.append(text[i])
                    i += 1
                if at(i) != ")":
                    raise _entities_error(
                        f"Can't find end of a URL at byte offset {boff(url_begin)}"
                    )
                url = "".join(buf)
            if kind == "custom_emoji":
                match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if match is None:
                    raise _entities_error("Invalid custom emoji URL specified")
                extra["custom_emoji_id"] = match.group(1)
            else:
                checked = _check_url(url)
                if checked is None:
                    kind = ""
                else:
                    extra["url"] = checked
        i += 1
        if kind and len(chars) > top.start:
            ents.append(_Ent(kind, top.start, len(chars), extra))
    if nested:
        top = nested[-1]
        raise _entities_error(
            f"Can't find end of {_MD2_NAMES[top.type]} entity at byte offset {boff(top.raw_index)}"
        )
    close_quote(len(chars))
    return "".join(chars), ents


def _parse_markdown(text: str) -> tuple[str, list[_Ent]]:
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    chars: list[str] = []
    ents: list[_Ent] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and at(i + 1) in "_*`[" and at(i + 1) != "\0":
            chars.append(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            chars.append(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and at(i) == "`" and at(i + 1) == "`":
            i += 2
            is_pre = True
            lang_end = i
            while at(lang_end) not in _SPACES and at(lang_end) != "`":
                lang_end += 1
            if i != lang_end and lang_end < n and at(lang_end) != "`":
                language = text[i:lang_end]
                i = lang_end
            if at(i) in "\n\r" and at(i) != "\0":
                if at(i + 1) in "\n\r" and at(i + 1) != "\0" and at(i) != at(i + 1):
                    i += 2
                else:
                    i += 1
        start = len(chars)
        while i < n and (
            text[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))
        ):
            chars.append(text[i])
            i += 1
        if i == n:
            raise _entities_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        url: str | None = None
        if c == "[":
            if at(i + 1) == "(":
                i += 2
                url_begin = i
                buf: list[str] = []
                while i < n and text[i] != ")":
                    buf.append(text[i])
                    i += 1
                if at(i) != ")":
                    raise _entities_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, url_begin)}"
                    )
                url = "".join(buf)
            else:
                url = "".join(chars[start:])
        if len(chars) > start:
            if c == "_":
                ents.append(_Ent("italic", start, len(chars)))
            elif c == "*":
                ents.append(_Ent("bold", start, len(chars)))
            elif c == "`":
                extra = {"language": language} if is_pre and language else {}
                ents.append(_Ent("pre" if is_pre else "code", start, len(chars), extra))
            elif url is not None:
                checked = _check_url(url)
                if checked is not None:
                    ents.append(_Ent("text_link", start, len(chars), {"url": checked}))
        if is_pre:
            i += 2
        i += 1
    return "".join(chars), ents


_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)),
    (
        "email",
        re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)"),
    ),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)
_NO_NESTING = frozenset({"code", "pre", "text_link", "custom_emoji"})


def _auto_entities(text: str, existing: list[_Ent]) -> list[_Ent]:
    """Telegram detects commands, links, mentions, e-mails and hashtags by itself."""
    taken = [(e.start, e.end) for e in existing if e.type in _NO_NESTING]
    found: list[_Ent] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)]}'\"":
                    end -= 1
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append(_Ent(kind, start, end))
    return found


def _entities_json(text: str, ents: list[_Ent]) -> list[JSONDict]:
    prefix = _utf16_prefix(text)
    ordered = sorted(ents, key=lambda e: (e.start, -(e.end - e.start)))
    result: list[JSONDict] = []
    for ent in ordered:
        item: JSONDict = {
            "type": ent.type,
            "offset": prefix[ent.start],
            "length": prefix[ent.end] - prefix[ent.start],
        }
        item.update({k: v for k, v in ent.extra.items() if not k.startswith("_")})
        result.append(item)
    return result


def format_text(
    text: str, parse_mode: str | None, *, strict_html: bool = True
) -> tuple[str, list[JSONDict]]:
    """Parse ``text`` like Telegram does for ``parse_mode``; returns (plain text, entities).

    The plain text is trimmed of leading and trailing whitespace, as Telegram trims messages.
    Raises :class:`ApiError` with Telegram's description on a parse error.
    """
    mode = (parse_mode or "").strip().lower()
    ents: list[_Ent]
    if mode == "":
        plain, ents = text, []
    elif mode == "html":
        plain, ents = _parse_html(text, strict=strict_html)
    elif mode == "markdownv2":
        plain, ents = _parse_markdown_v2(text)
    elif mode == "markdown":
        plain, ents = _parse_markdown(text)
    else:
        raise _bad("unsupported parse_mode")
    stripped = plain.lstrip()
    lead = len(plain) - len(stripped)
    final = stripped.rstrip()
    trimmed: list[_Ent] = []
    for ent in ents:
        start, end = max(0, ent.start - lead), min(len(final), ent.end - lead)
        if end > start:
            trimmed.append(_Ent(ent.type, start, end, ent.extra))
    trimmed.extend(_auto_entities(final, trimmed))
    return final, _entities_json(final, trimmed)


# --------------------------------------------------------------------------------------------
# Reply markup
# --------------------------------------------------------------------------------------------

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_MARKUP_JSON_ERROR = "can't parse reply keyboard markup JSON object"


def parse_reply_markup(raw: Any, *, inline_only: bool) -> tuple[Any, JSONDict | None]:
    """Validate a reply_markup parameter like Telegram.

    Returns (decoded markup, inline keyboard as a Message carries it or None).
    """
    if raw is None or raw == "":
        return None, None
    markup = raw
    if isinstance(raw, str):
        try:
            markup = json.loads(raw)
        except ValueError:
            raise _bad(_MARKUP_JSON_ERROR) from None
    if not isinstance(markup, dict):
        raise _bad(_MARKUP_JSON_ERROR)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        count = 0
        out_rows: list[list[JSONDict]] = []
        for row in rows:
            out_row: list[JSONDict] = []
            for button in row:
                out_row.append(_check_inline_button(button))
                count += 1
            if out_row:
                out_rows.append(out_row)
        if count > MAX_INLINE_BUTTONS:
            raise _bad("reply markup is too long")
        return markup, {"inline_keyboard": out_rows}
    if inline_only:
        raise _bad("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    continue
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
        return markup, None
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup, None
    raise _bad(_MARKUP_JSON_ERROR)


def _check_inline_button(button: Any) -> JSONDict:
    if not isinstance(button, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise _bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or _check_url(url) is None:
            raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return dict(button)


# --------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------

_INT_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "max_connections",
        "cache_time",
        "message_thread_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "is_personal",
        "disable_web_page_preview",
        "has_spoiler",
        "disable_content_type_detection",
        "allow_paid_broadcast",
        "show_caption_above_media",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "results",
        "allowed_updates",
        "menu_button",
        "link_preview_options",
        "reply_parameters",
        "message_ids",
        "button",
        "media",
    }
)
_INT_RE = re.compile(r"^\s*-?\d+\s*$")


def normalize_params(raw: JSONDict) -> JSONDict:
    """Decode the JSON-encoded strings of a form/query request (as PTB sends them)."""
    out: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _INT_PARAMS and _INT_RE.match(value):
                value = int(value)
            elif key in _BOOL_PARAMS and value.strip().lower() in ("true", "false", "1", "0"):
                value = value.strip().lower() in ("true", "1")
            elif key in _JSON_PARAMS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
        out[key] = value
    return out


class _Params:
    def __init__(self, data: JSONDict) -> None:
        self.data = data

    def has(self, name: str) -> bool:
        value = self.data.get(name)
        return value is not None and value != ""

    def get(self, name: str) -> Any:
        return self.data.get(name)

    def opt_str(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def text(self, name: str) -> str:
        return self.opt_str(name) or ""

    def opt_int(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise _bad(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value):
            return int(value)
        raise _bad(f"invalid {name} specified")

    def integer(self, name: str, default: int) -> int:
        value = self.opt_int(name)
        return default if value is None else value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return default

    def json(self, name: str) -> Any:
        value = self.data.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(f"can't parse {name} JSON object") from None
        return value


# --------------------------------------------------------------------------------------------
# Per-bot state
# --------------------------------------------------------------------------------------------


@dataclass
class _Stored:
    data: JSONDict
    from_bot: bool
    deleted: bool = False


class _Chat:
    def __init__(self, data: JSONDict) -> None:
        self.data = data
        self.next_message_id = 1
        self.messages: dict[int, _Stored] = {}

    @property
    def id(self) -> int:
        chat_id = self.data["id"]
        assert isinstance(chat_id, int)
        return chat_id


@dataclass
class _Query:
    payload: JSONDict
    answered: bool = False
    answer: JSONDict | None = None


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None
    task: asyncio.Task[None] | None = None


class _Poller:
    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.conflict = False


class _BotState:
    def __init__(self, token: str | None) -> None:
        self.token = token or ""
        self.bot_id = _bot_id(token) if token else 0
        self.updates: list[JSONDict] = []
        self.next_update_id = 1
        self.pollers: list[_Poller] = []
        self.wakers: set[asyncio.Event] = set()
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.chats: dict[int, _Chat] = {}
        self.users: dict[int, JSONDict] = {}
        self.callback_queries: dict[str, _Query] = {}
        self.inline_queries: dict[str, _Query] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook: _Webhook | None = None
        self.flood_events: deque[tuple[float, int]] = deque()
        self.flood_blocked: dict[int | None, float] = {}
        self.last_poll_mono: float | None = None

    def bind(self, token: str) -> None:
        self.token = token
        self.bot_id = _bot_id(token)

    def wake_all(self) -> None:
        for event in self.wakers:
            event.set()
        for poller in self.pollers:
            poller.wake.set()


def _bot_id(token: str) -> int:
    match = TOKEN_RE.match(token)
    if match is None:
        raise ValueError(f"{token!r} is not shaped like a bot token (123456:ABC...)")
    return int(match.group(1))


def _update_type(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


def _copy_json(value: Any) -> Any:
    """copy.deepcopy for JSON-shaped data (dicts, lists, scalars), several times faster:
    every sent message is copied into the chat's store and the request record."""
    kind = type(value)
    if kind is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if kind is list:
        return [_copy_json(item) for item in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


def _strip_reply(message: JSONDict) -> JSONDict:
    out = copy.deepcopy(message)
    out.pop("reply_to_message", None)
    return out


class _RequestContext:
    """Per-request connection state, so waits end when the client hangs up."""

    def __init__(self) -> None:
        self.closed = False
        self.arrival_wall = time.time()
        self.arrival_mono = time.monotonic()
        self._wakers: set[asyncio.Event] = set()

    def close(self) -> None:
        self.closed = True
        for event in self._wakers:
            event.set()

    @contextlib.contextmanager
    def waking(self, event: asyncio.Event) -> Iterator[None]:
        self._wakers.add(event)
        if self.closed:
            event.set()
        try:
            yield
        finally:
            self._wakers.discard(event)


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    drop: bool = False


class _Described:
    """A successful result that also carries a description (as setWebhook's answer does)."""

    def __init__(self, result: Any, description: str) -> None:
        self.result = result
        self.description = description


async def _wait_event(event: asyncio.Event, timeout: float) -> bool:  # noqa: ASYNC109
    if event.is_set():
        return True
    if timeout <= 0:
        return False
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


_Handler = Callable[[_BotState, _Params, _RequestContext], Awaitable[Any]]

_CONTROL_ACTIONS = frozenset(
    {
        "user_sends_text",
        "user_sends",
        "user_edits_text",
        "channel_post",
        "push_update",
        "user_presses",
        "user_inline_query",
        "register_chat",
        "block_chat",
        "unblock_chat",
        "messages",
        "flood_limits",
        "disable_flood_limits",
        "reset",
    }
)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class BotApiStandIn:
    """A local Telegram Bot API server with a scriptable user side.

    Use ``async with BotApiStandIn() as server:`` (or ``await start()`` / ``await stop()``) and
    give PTB ``base_url=server.base_url``. All methods must be called from the event loop the
    server was started in.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        default_token: str | None = None,
        check_chats: bool = True,
        strict_html_entities: bool = True,
        bot_first_name: str = BOT_FIRST_NAME,
        bot_username: str = BOT_USERNAME,
        request_log_limit: int = 10_000,
        deliver_webhooks: bool = True,
    ) -> None:
        if default_token is not None:
            _bot_id(default_token)
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self.default_token = default_token
        #: Answer "chat not found" for chats no user message came from (switch at run time).
        self.check_chats = check_chats
        #: Reject a bare "&" / an entity without ";" in HTML (real Telegram passes them on).
        self.strict_html_entities = strict_html_entities
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.deliver_webhooks = deliver_webhooks

        #: Every message the bot sent or edited, in arrival order.
        self.sent: list[RecordedMessage] = []
        #: Every request answered (capped; see clear_requests()).
        self.requests: deque[RequestRecord] = deque(maxlen=request_log_limit)
        self.chat_actions: list[ChatActionRecord] = []
        #: (wall time, chat_id, message_id) of every message the bot deleted.
        self.deletions: list[tuple[float, int, int]] = []
        #: Exceptions raised inside the stand-in itself (a bug here, not in the bot).
        self.internal_errors: list[BaseException] = []

        self._bots: dict[str, _BotState] = {}
        self._unbound: _BotState | None = None
        self._blocked: set[int] = set()
        self._fault_hook: FaultHook | None = None
        self._flood_per_chat: float | None = None
        self._flood_overall: float | None = None
        self._flood_retry_after: int | None = None
        self._seq = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._returned_messages: set[int] = set()
        self._returned_edits: set[int] = set()
        self._returned_actions: set[int] = set()
        self._returned_requests: set[int] = set()
        self._inflight = 0
        self._active = 0
        self._drained = asyncio.Event()
        self._last_activity = time.monotonic()
        self._stopping = False
        self._stop_wakers: set[asyncio.Event] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._http_client: tornado.httpclient.AsyncHTTPClient | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name, handler in self._method_table():
            self._methods[name.lower()] = (name, handler)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        self._stopping = False
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]*)", _ApiHandler, {"standin": self}),
                (r"/standin/([A-Za-z_]+)", _ControlHandler, {"standin": self}),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=_no_access_log,
            compress_response=False,
        )
        sockets = tornado.netutil.bind_sockets(self._requested_port, address=self.host)
        self._port = sockets[0].getsockname()[1]
        server = tornado.httpserver.HTTPServer(app, idle_connection_timeout=600.0)
        server.add_sockets(sockets)
        self._server = server

    async def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._stopping = True
        for event in self._stop_wakers:
            event.set()
        for state in self._all_states():
            state.wake_all()
        for task in self._tasks:
            task.cancel()
        server.stop()
        if self._active > 0:
            self._drained = asyncio.Event()
            await _wait_event(self._drained, 2.0)
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await server.close_all_connections()
        if self._http_client is not None:
            self._http_client.close()
            self._http_client = None
        self._server = None
        self._notify()

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the stand-in has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """What PTB's ``base_url`` should be: ``http://HOST:PORT/bot``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/bot"

    @property
    def running(self) -> bool:
        return self._server is not None

    def reset(self) -> None:
        """Forget all bots, chats, records and switches (the server keeps running)."""
        for state in self._all_states():
            state.wake_all()
            if state.webhook is not None and state.webhook.task is not None:
                state.webhook.task.cancel()
        self._bots.clear()
        self._unbound = None
        self._blocked.clear()
        self.sent.clear()
        self.requests.clear()
        self.chat_actions.clear()
        self.deletions.clear()
        self.internal_errors.clear()
        self._returned_messages.clear()
        self._returned_edits.clear()
        self._returned_actions.clear()
        self._returned_requests.clear()
        self._fault_hook = None
        self.disable_flood_limits()
        self._notify()

    # -- switches ----------------------------------------------------------------------------

    def set_fault(self, hook: FaultHook | None) -> None:
        """Install (or remove with None) a hook ``hook(method, params) -> Fault | int | float |
        None`` consulted before every request; see :class:`Fault`."""
        self._fault_hook = hook

    def flood_limits(
        self,
        per_chat_per_second: float | None = 1.0,
        overall_per_second: float | None = 30.0,
        retry_after: int | None = None,
    ) -> None:
        """Turn flood control on: sends and edits beyond these counts within a sliding second
        answer 429 "Too Many Requests: retry after N" and the scope stays blocked for N
        seconds. ``retry_after=None`` computes N from the window. None for a limit disables it.
        """
        self._flood_per_chat = per_chat_per_second
        self._flood_overall = overall_per_second
        self._flood_retry_after = retry_after
        for state in self._all_states():
            state.flood_events.clear()
            state.flood_blocked.clear()

    def disable_flood_limits(self) -> None:
        self.flood_limits(None, None, None)

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat answer 403."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def clear_requests(self) -> None:
        self.requests.clear()
        self._returned_requests.clear()

    def clear_records(self) -> None:
        """Forget recorded messages, chat actions, deletions and requests (state stays)."""
        self.sent.clear()
        self.chat_actions.clear()
        self.deletions.clear()
        self._returned_messages.clear()
        self._returned_edits.clear()
        self._returned_actions.clear()
        self.clear_requests()

    # -- state lookup ------------------------------------------------------------------------

    def _all_states(self) -> list[_BotState]:
        states = list(self._bots.values())
        if self._unbound is not None:
            states.append(self._unbound)
        return states

    def _states_for(self, token: str | None) -> list[_BotState]:
        if token is not None:
            state = self._bots.get(token)
            return [state] if state is not None else []
        return self._all_states()

    def _state_for_request(self, token: str) -> _BotState:
        state = self._bots.get(token)
        if state is not None:
            return state
        if (
            self._unbound is not None
            and not self._bots
            and (self.default_token is None or self.default_token == token)
        ):
            state, self._unbound = self._unbound, None
            state.bind(token)
        else:
            state = _BotState(token)
        self._bots[token] = state
        return state

    def _writer_state(self, token: str | None) -> _BotState:
        """The bot a user-side action addresses."""
        if token is None:
            token = self.default_token
        if token is not None:
            _bot_id(token)
            return self._state_for_request(token)
        if len(self._bots) == 1 and self._unbound is None:
            return next(iter(self._bots.values()))
        if not self._bots:
            if self._unbound is None:
                self._unbound = _BotState(None)
            return self._unbound
        raise ValueError("several bots use this stand-in: pass token=...")

    def bot_user(self, token: str | None = None) -> JSONDict:
        """The bot's User object (as getMe returns it)."""
        return self._bot_user(self._writer_state(token), full=True)

    def _bot_user(self, state: _BotState, *, full: bool = False) -> JSONDict:
        user: JSONDict = {
            "id": state.bot_id,
            "is_bot": True,
            "first_name": state.names.get("", self.bot_first_name),
            "username": self.bot_username,
        }
        if full:
            user.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=True,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return user

    # -- change notification and waiting -----------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for(
        self,
        find: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(describe())
            await _wait_event(self._changed, remaining)

    async def _sleep(self, seconds: float, ctx: _RequestContext | None) -> bool:
        """Sleep; False when interrupted by the client hanging up or the server stopping."""
        event = asyncio.Event()
        self._stop_wakers.add(event)
        if self._stopping:
            event.set()
        try:
            if ctx is None:
                return not await _wait_event(event, seconds)
            with ctx.waking(event):
                return not await _wait_event(event, seconds)
        finally:
            self._stop_wakers.discard(event)

    def _failed_requests_text(self, chat_id: int | None = None, limit: int = 5) -> str:
        failed = [
            r
            for r in self.requests
            if not r.ok and (chat_id is None or r.params.get("chat_id") == chat_id)
        ][-limit:]
        if not failed:
            return ""
        lines = [f"  {r.method} -> {r.status} {r.description}" for r in failed]
        return "\nfailed requests:\n" + "\n".join(lines)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[JSONDict], bool] | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """The next message the bot sent to ``chat_id`` that no earlier call returned (the
        Message object as sent). Non-matching messages stay available to later calls."""

        def find() -> JSONDict | None:
            for record in self.sent:
                if (
                    record.method in SEND_METHODS
                    and record.chat_id == chat_id
                    and record.seq not in self._returned_messages
                    and (token is None or record.token == token)
                    and record.message is not None
                    and (predicate is None or predicate(record.message))
                ):
                    self._returned_messages.add(record.seq)
                    return copy.deepcopy(record.message)
            return None

        def describe() -> str:
            got = [
                f"  #{r.message_id}: {r.plain_text!r}"
                + (" (already returned)" if r.seq in self._returned_messages else "")
                for r in self.sent
                if r.method in SEND_METHODS and r.chat_id == chat_id
            ]
            what = "matching " if predicate is not None else ""
            return (
                f"no new {what}bot message in chat {chat_id} within {timeout}s; "
                f"messages received in that chat: "
                + ("\n" + "\n".join(got) if got else "none")
                + self._failed_requests_text(chat_id)
            )

        return await self._wait_for(find, timeout, describe)

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[JSONDict], bool] | None = None,
    ) -> JSONDict:
        """The next edit of that message no earlier call returned (the edited Message)."""

        def find() -> JSONDict | None:
            for record in self.sent:
                if (
                    record.is_edit
                    and record.chat_id == chat_id
                    and record.message_id == message_id
                    and record.seq not in self._returned_edits
                    and record.message is not None
                    and (predicate is None or predicate(record.message))
                ):
                    self._returned_edits.add(record.seq)
                    return copy.deepcopy(record.message)
            return None

        def describe() -> str:
            edits = [
                f"  {r.method}: {r.plain_text!r}"
                for r in self.sent
                if r.is_edit and r.chat_id == chat_id and r.message_id == message_id
            ]
            return (
                f"no new edit of message {message_id} in chat {chat_id} within {timeout}s; "
                "edits seen: "
                + ("\n" + "\n".join(edits) if edits else "none")
                + self._failed_requests_text(chat_id)
            )

        return await self._wait_for(find, timeout, describe)

    async def wait_for_callback_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """The answerCallbackQuery parameters once the bot answered that query."""
        return await self._wait_for_answer("callback", query_id, timeout)

    async def wait_for_inline_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """The answerInlineQuery parameters once the bot answered that inline query."""
        return await self._wait_for_answer("inline", query_id, timeout)

    async def _wait_for_answer(
        self,
        kind: str,
        query_id: str,
        timeout: float,  # noqa: ASYNC109
    ) -> JSONDict:
        def find() -> JSONDict | None:
            for state in self._all_states():
                queries = state.callback_queries if kind == "callback" else state.inline_queries
                query = queries.get(query_id)
                if query is not None and query.answer is not None:
                    return copy.deepcopy(query.answer)
            return None

        def describe() -> str:
            return (
                f"{kind} query {query_id} not answered within {timeout}s"
                + self._failed_requests_text()
            )

        return await self._wait_for(find, timeout, describe)

    async def wait_for_chat_action(
        self,
        chat_id: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        action: str | None = None,
    ) -> ChatActionRecord:
        """The next sendChatAction for that chat no earlier call returned."""

        def find() -> ChatActionRecord | None:
            for record in self.chat_actions:
                if (
                    record.chat_id == chat_id
                    and record.seq not in self._returned_actions
                    and (action is None or record.action == action)
                ):
                    self._returned_actions.add(record.seq)
                    return record
            return None

        def describe() -> str:
            seen = [r.action for r in self.chat_actions if r.chat_id == chat_id]
            return f"no new chat action in chat {chat_id} within {timeout}s; seen: {seen}"

        return await self._wait_for(find, timeout, describe)

    async def wait_for_request(
        self,
        method: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[RequestRecord], bool] | None = None,
    ) -> RequestRecord:
        """The next answered request of ``method`` (case-insensitive) no earlier call returned."""
        wanted = method.lower()

        def find() -> RequestRecord | None:
            for record in self.requests:
                if (
                    record.method.lower() == wanted
                    and record.seq not in self._returned_requests
                    and (predicate is None or predicate(record))
                ):
                    self._returned_requests.add(record.seq)
                    return record
            return None

        def describe() -> str:
            recent = [f"{r.method}->{r.status}" for r in list(self.requests)[-10:]]
            return f"no {method} request within {timeout}s; recent requests: {recent}"

        return await self._wait_for(find, timeout, describe)

    def pending_updates(self, token: str | None = None) -> list[JSONDict]:
        """Updates queued and not yet confirmed by the bot."""
        return [copy.deepcopy(u) for s in self._states_for(token) for u in s.updates]

    def is_idle(self, *, settle: float = 0.05, token: str | None = None) -> bool:
        """No unconfirmed updates, no request in flight (long polls aside), and nothing
        happened for ``settle`` seconds."""
        if any(state.updates for state in self._states_for(token)):
            return False
        if self._inflight:
            return False
        return time.monotonic() - self._last_activity >= settle

    async def wait_until_idle(
        self,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        settle: float = 0.05,
        token: str | None = None,
    ) -> None:
        """Wait until the bot fetched and confirmed every queued update and has no request in
        flight for ``settle`` seconds (its handlers ran, as far as HTTP shows)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.is_idle(settle=settle, token=token):
            remaining = deadline - loop.time()
            if remaining <= 0:
                details = []
                for state in self._states_for(token):
                    polled = (
                        "never polled"
                        if state.last_poll_mono is None
                        else f"last getUpdates {time.monotonic() - state.last_poll_mono:.2f}s ago"
                    )
                    hook = state.webhook
                    details.append(
                        f"bot {state.bot_id}: {len(state.updates)} unconfirmed updates, {polled}"
                        + (f", webhook error {hook.last_error_message!r}" if hook else "")
                    )
                raise AssertionError(
                    f"stand-in not idle within {timeout}s: {self._inflight} requests in flight; "
                    + "; ".join(details)
                    + self._failed_requests_text()
                )
            await _wait_event(self._changed, min(remaining, settle))

    def messages(self, chat_id: int, *, token: str | None = None) -> list[JSONDict]:
        """All the bot's (not deleted) messages in that chat with their current content."""
        out: list[JSONDict] = []
        for state in self._states_for(token):
            chat = state.chats.get(chat_id)
            if chat is None:
                continue
            for message_id in sorted(chat.messages):
                stored = chat.messages[message_id]
                if stored.from_bot and not stored.deleted:
                    out.append(copy.deepcopy(stored.data))
        return out

    def message(self, chat_id: int, message_id: int, *, token: str | None = None) -> JSONDict:
        """The current state of one stored message (bot's or user's); KeyError if unknown."""
        for state in self._states_for(token):
            chat = state.chats.get(chat_id)
            if chat is not None and message_id in chat.messages:
                return copy.deepcopy(chat.messages[message_id].data)
        raise KeyError(f"no message {message_id} in chat {chat_id}")

    def commands(
        self,
        *,
        scope: JSONDict | None = None,
        language_code: str = "",
        token: str | None = None,
    ) -> list[JSONDict]:
        state = self._writer_state(token)
        return copy.deepcopy(state.commands.get((_scope_key(scope), language_code), []))

    def webhook_info(self, token: str | None = None) -> JSONDict:
        return self._webhook_info(self._writer_state(token))

    # -- user side ---------------------------------------------------------------------------

    def register_chat(
        self,
        chat_id: int,
        *,
        chat_type: str = "private",
        first_name: str = "Alex",
        username: str | None = None,
        title: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """Make a chat known without a user message (so sends to it don't fail)."""
        state = self._writer_state(token)
        return copy.deepcopy(
            self._ensure_chat(state, chat_id, chat_type, first_name, username, title).data
        )

    def _ensure_chat(
        self,
        state: _BotState,
        chat_id: int,
        chat_type: str,
        first_name: str,
        username: str | None,
        title: str | None,
    ) -> _Chat:
        chat = state.chats.get(chat_id)
        if chat_type == "private":
            data: JSONDict = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            data = {"id": chat_id, "type": chat_type, "title": title or "Test chat"}
        if username:
            data["username"] = username
        if chat is None:
            chat = _Chat(data)
            state.chats[chat_id] = chat
        elif chat.data.get("type") == chat_type:
            chat.data.update(data)
        return chat

    def _ensure_user(
        self,
        state: _BotState,
        user_id: int,
        first_name: str,
        username: str | None,
        language_code: str | None,
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        state.users[user_id] = user
        return copy.deepcopy(user)

    def _known_user(self, state: _BotState, chat_id: int, user_id: int | None) -> JSONDict:
        if user_id is None:
            chat = state.chats.get(chat_id)
            if chat is not None and chat.data.get("type") == "private":
                user_id = chat_id
            else:
                last = None
                if chat is not None:
                    for stored in chat.messages.values():
                        sender = stored.data.get("from")
                        if not stored.from_bot and isinstance(sender, dict):
                            last = sender
                if last is not None:
                    return copy.deepcopy(last)
                user_id = chat_id if chat_id > 0 else 100_000_001
        user = state.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": "Alex", "language_code": "en"}
            state.users[user_id] = user
        return copy.deepcopy(user)

    def _user_message(
        self,
        state: _BotState,
        chat_id: int,
        content: JSONDict,
        *,
        user_id: int | None,
        chat_type: str,
        first_name: str,
        username: str | None,
        language_code: str | None,
        title: str | None,
        reply_to_message_id: int | None,
    ) -> JSONDict:
        if chat_type == "private" and user_id is not None and user_id != chat_id:
            raise ValueError("in a private chat the user id is the chat id")
        chat = self._ensure_chat(state, chat_id, chat_type, first_name, username, title)
        sender_id = user_id if user_id is not None else (chat_id if chat_id > 0 else 100_000_001)
        user = self._ensure_user(state, sender_id, first_name, username, language_code)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "from": user,
            "chat": copy.deepcopy(chat.data),
            "date": int(time.time()),
        }
        message.update(content)
        if reply_to_message_id is not None:
            target = chat.messages.get(reply_to_message_id)
            if target is None or target.deleted:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat_id}")
            message["reply_to_message"] = _strip_reply(target.data)
        chat.messages[message_id] = _Stored(copy.deepcopy(message), from_bot=False)
        self._push(state, {"message": copy.deepcopy(message)})
        return message

    def user_sends_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Alex",
        username: str | None = None,
        language_code: str | None = "en",
        reply_to_message_id: int | None = None,
        title: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A user writes ``text`` in ``chat_id``; queues a ``message`` update and returns the
        Message (with bot_command/url/mention entities as Telegram detects them)."""
        state = self._writer_state(token)
        content: JSONDict = {"text": text}
        entities = _entities_json(text, _auto_entities(text, []))
        if entities:
            content["entities"] = entities
        return self._user_message(
            state,
            chat_id,
            content,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            username=username,
            language_code=language_code,
            title=title,
            reply_to_message_id=reply_to_message_id,
        )

    def user_sends(
        self,
        chat_id: int,
        kind: str,
        *,
        caption: str | None = None,
        payload: JSONDict | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Alex",
        username: str | None = None,
        language_code: str | None = "en",
        reply_to_message_id: int | None = None,
        title: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A user sends a non-text message: sticker, photo, voice, location, document, video,
        audio, animation, video_note, contact or dice. ``payload`` overrides/extends the
        generated object."""
        state = self._writer_state(token)
        seq = next(self._seq)
        uid = f"AgAD{seq:06d}"

        def file(prefix: str, **extra: Any) -> JSONDict:
            return {"file_id": f"{prefix}{seq:08d}standin", "file_unique_id": uid, **extra}

        objects: dict[str, Any] = {
            "sticker": file(
                "CAACAgIAAx",
                type="regular",
                width=512,
                height=512,
                is_animated=False,
                is_video=False,
                emoji="👍",
                file_size=23_000,
            ),
            "photo": [
                file("AgACAgIAAx", width=90, height=67, file_size=1_200),
                file("AgACAgIAAy", width=1280, height=960, file_size=98_000),
            ],
            "voice": file("AwACAgIAAx", duration=3, mime_type="audio/ogg", file_size=8_000),
            "location": {"latitude": 52.520008, "longitude": 13.404954},
            "document": file(
                "BQACAgIAAx", file_name="notes.pdf", mime_type="application/pdf", file_size=20_480
            ),
            "video": file("BAACAgIAAx", width=640, height=360, duration=5, file_size=300_000),
            "audio": file("CQACAgIAAx", duration=30, mime_type="audio/mpeg", file_size=400_000),
            "animation": file("CgACAgIAAx", width=320, height=240, duration=2, file_size=50_000),
            "video_note": file("DQACAgIAAx", length=240, duration=4, file_size=60_000),
            "contact": {
                "phone_number": "+10000000000",
                "first_name": first_name,
                "user_id": user_id if user_id is not None else chat_id,
            },
            "dice": {"emoji": "🎲", "value": 4},
        }
        if kind not in objects:
            raise ValueError(f"unknown message kind {kind!r}; one of {sorted(objects)}")
        obj = objects[kind]
        if payload:
            obj = {**obj, **payload} if isinstance(obj, dict) else payload.get(kind, obj)
        content: JSONDict = {kind: obj}
        if kind == "animation":
            content["document"] = obj
        if caption is not None:
            content["caption"] = caption
            entities = _entities_json(caption, _auto_entities(caption, []))
            if entities:
                content["caption_entities"] = entities
        return self._user_message(
            state,
            chat_id,
            content,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            username=username,
            language_code=language_code,
            title=title,
            reply_to_message_id=reply_to_message_id,
        )

    def user_edits_text(
        self, chat_id: int, message_id: int, text: str, *, token: str | None = None
    ) -> JSONDict:
        """The user edits one of their text messages: queues an ``edited_message`` (or
        ``edited_channel_post``) update and returns the edited Message."""
        state = self._writer_state(token)
        chat = state.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat is not None else None
        if stored is None or stored.deleted or stored.from_bot:
            raise LookupError(f"no user message {message_id} in chat {chat_id}")
        stored.data["text"] = text
        entities = _entities_json(text, _auto_entities(text, []))
        if entities:
            stored.data["entities"] = entities
        else:
            stored.data.pop("entities", None)
        stored.data["edit_date"] = int(time.time())
        kind = (
            "edited_channel_post" if stored.data["chat"]["type"] == "channel" else "edited_message"
        )
        self._push(state, {kind: copy.deepcopy(stored.data)})
        return copy.deepcopy(stored.data)

    def channel_post(
        self,
        chat_id: int,
        text: str,
        *,
        title: str = "Channel",
        username: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A post in a channel the bot administers: queues a ``channel_post`` update."""
        state = self._writer_state(token)
        chat = self._ensure_chat(state, chat_id, "channel", "", username, title)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "sender_chat": copy.deepcopy(chat.data),
            "chat": copy.deepcopy(chat.data),
            "date": int(time.time()),
            "text": text,
        }
        entities = _entities_json(text, _auto_entities(text, []))
        if entities:
            message["entities"] = entities
        chat.messages[message_id] = _Stored(copy.deepcopy(message), from_bot=False)
        self._push(state, {"channel_post": copy.deepcopy(message)})
        return message

    def push_update(self, update: JSONDict, *, token: str | None = None) -> int:
        """Queue any update; ``update_id`` is assigned when missing. Returns the update_id."""
        state = self._writer_state(token)
        update = copy.deepcopy(update)
        if "update_id" in update:
            state.next_update_id = max(state.next_update_id, int(update["update_id"]) + 1)
        pushed = self._push(state, update)
        return int(pushed["update_id"])

    def user_presses(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        strict: bool = True,
        token: str | None = None,
    ) -> str:
        """A user presses an inline button of a bot message; queues a ``callback_query``
        update (its ``message`` is the message as it is now) and returns the query id.

        With ``strict`` the message must exist and currently carry a button with that
        callback_data (LookupError otherwise); ``strict=False`` simulates stale buttons."""
        state = self._writer_state(token)
        chat = state.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat is not None else None
        if stored is None or stored.deleted:
            if strict:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            chat_data = chat.data if chat is not None else {"id": chat_id, "type": "private"}
            message: JSONDict = {
                "chat": copy.deepcopy(chat_data),
                "message_id": message_id,
                "date": 0,
            }
        else:
            if strict:
                rows = stored.data.get("reply_markup", {}).get("inline_keyboard", [])
                data = [b.get("callback_data") for row in rows for b in row]
                if callback_data not in data:
                    raise LookupError(
                        f"message {message_id} in chat {chat_id} has no button with "
                        f"callback_data {callback_data!r}; it has {data}"
                    )
            message = copy.deepcopy(stored.data)
        user = self._known_user(state, chat_id, user_id)
        query_id = str(4_611_686_018_427_387_904 + next(self._query_ids))
        query: JSONDict = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(-(abs(hash((state.bot_id, chat_id))) % 10**18)),
            "data": callback_data,
        }
        state.callback_queries[query_id] = _Query(copy.deepcopy(query))
        self._push(state, {"callback_query": query})
        return query_id

    def user_inline_query(
        self,
        user_id: int,
        query: str,
        *,
        offset: str = "",
        chat_type: str | None = "sender",
        token: str | None = None,
    ) -> str:
        """A user types ``@bot query``; queues an ``inline_query`` update, returns its id."""
        state = self._writer_state(token)
        user = state.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": "Alex",
            "language_code": "en",
        }
        query_id = str(2_305_843_009_213_693_952 + next(self._query_ids))
        inline: JSONDict = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            inline["chat_type"] = chat_type
        state.inline_queries[query_id] = _Query(copy.deepcopy(inline))
        self._push(state, {"inline_query": inline})
        return query_id

    def _push(self, state: _BotState, update: JSONDict) -> JSONDict:
        if "update_id" not in update:
            update = {"update_id": state.next_update_id, **update}
        state.next_update_id = max(state.next_update_id, int(update["update_id"]) + 1)
        state.updates.append(update)
        state.wake_all()
        self._notify()
        return update

    # -- HTTP entry point --------------------------------------------------------------------

    async def _serve(
        self, token: str, method: str, raw_params: JSONDict, ctx: _RequestContext
    ) -> _Response:
        self._active += 1
        try:
            return await self._serve_request(token, method, raw_params, ctx)
        finally:
            self._active -= 1
            if self._active == 0:
                self._drained.set()

    async def _serve_request(
        self, token: str, method: str, raw_params: JSONDict, ctx: _RequestContext
    ) -> _Response:
        wall, mono = time.time(), time.monotonic()
        ctx.arrival_wall, ctx.arrival_mono = wall, mono
        params = normalize_params(raw_params)
        if not TOKEN_RE.match(token):
            error = ApiError(401, "Unauthorized")
            self._record_request(
                token, method, params, error.code, error.description, None, wall, mono
            )
            return _json_response(error.code, error.payload())
        entry = self._methods.get(method.lower())
        if entry is None:
            error = ApiError(404, "Not Found")
            self._record_request(
                token, method, params, error.code, error.description, None, wall, mono
            )
            return _json_response(error.code, error.payload())
        name, handler = entry
        state = self._state_for_request(token)
        polling = name == "getUpdates"
        if not polling:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            fault = self._consult_fault(name, params)
            if fault is not None and fault.delay > 0:
                completed = await self._sleep(fault.delay, ctx)
                if not completed and ctx.closed:
                    self._record_request(
                        token,
                        name,
                        params,
                        499,
                        "client closed the connection",
                        None,
                        wall,
                        mono,
                        fault,
                    )
                    return _Response(499, drop=True)
            if fault is not None and fault.interrupts and not fault.after_processing:
                response = _fault_response(fault)
                self._record_request(
                    token, name, params, response.status, "injected fault", None, wall, mono, fault
                )
                return response
            status, payload = await self._call(state, name, handler, params, ctx)
            description = payload.get("description") if status != 200 else None
            self._record_request(
                token, name, params, status, description, payload.get("result"), wall, mono, fault
            )
            if fault is not None and fault.interrupts:
                return _fault_response(fault)
            return _json_response(status, payload)
        finally:
            if not polling:
                self._inflight -= 1
                self._last_activity = time.monotonic()
                self._notify()

    async def _call(
        self,
        state: _BotState,
        name: str,
        handler: _Handler,
        params: JSONDict,
        ctx: _RequestContext,
    ) -> tuple[int, JSONDict]:
        try:
            result = await handler(state, _Params(params), ctx)
        except ApiError as error:
            return error.code, error.payload()
        except Exception as exc:
            _log.exception("stand-in failed on %s", name)
            self.internal_errors.append(exc)
            return 500, ApiError(500, "Internal Server Error").payload()
        if isinstance(result, _Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    def _consult_fault(self, method: str, params: JSONDict) -> Fault | None:
        if self._fault_hook is None:
            return None
        try:
            return _as_fault(self._fault_hook(method, params))
        except Exception as exc:
            _log.exception("fault hook failed")
            self.internal_errors.append(exc)
            return None

    def _record_request(
        self,
        token: str,
        method: str,
        params: JSONDict,
        status: int,
        description: str | None,
        result: Any,
        wall: float,
        mono: float,
        fault: Fault | None = None,
    ) -> None:
        self.requests.append(
            RequestRecord(
                seq=next(self._seq),
                token=token,
                method=method,
                params=params,
                status=status,
                description=description,
                result=result,
                wall_time=wall,
                mono_time=mono,
                duration=time.monotonic() - mono,
                fault=fault,
            )
        )
        self._notify()

    async def call(self, token: str, method: str, params: JSONDict | None = None) -> JSONDict:
        """Call a Bot API method in-process (no HTTP); returns the JSON answer."""
        response = await self._serve(token, method, dict(params or {}), _RequestContext())
        answer = json.loads(response.body) if response.body else {}
        assert isinstance(answer, dict)
        return answer

    # -- control API (standalone use) --------------------------------------------------------

    def _control(self, action: str, body: JSONDict) -> Any:
        if action not in _CONTROL_ACTIONS:
            raise KeyError(action)
        result = getattr(self, action)(**body)
        return result

    def _control_listing(self, action: str) -> Any:
        if action == "sent":
            return [dataclasses.asdict(r) for r in self.sent]
        if action == "requests":
            return [
                {k: v for k, v in dataclasses.asdict(r).items() if k != "fault"}
                for r in self.requests
            ]
        if action == "chat_actions":
            return [dataclasses.asdict(r) for r in self.chat_actions]
        if action == "updates":
            return self.pending_updates()
        raise KeyError(action)

    # -- helpers for the Bot API methods -----------------------------------------------------

    def _lookup_chat(self, state: _BotState, p: _Params) -> _Chat:
        raw = p.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        if isinstance(raw, str):
            text = raw.strip()
            if text.startswith("@"):
                wanted = text[1:].lower()
                for candidate in state.chats.values():
                    if str(candidate.data.get("username", "")).lower() == wanted:
                        return candidate
                raise _bad("chat not found")
            if not _INT_RE.match(text):
                raise _bad("chat not found")
            raw = int(text)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _bad("chat not found")
        chat = state.chats.get(raw)
        if chat is None:
            if self.check_chats:
                raise _bad("chat not found")
            if raw > 0:
                data: JSONDict = {"id": raw, "type": "private", "first_name": "User"}
            else:
                kind = "supergroup" if str(raw).startswith("-100") else "group"
                data = {"id": raw, "type": kind, "title": "Chat"}
            chat = _Chat(data)
            state.chats[raw] = chat
        return chat

    def _chat_for_send(self, state: _BotState, p: _Params) -> _Chat:
        chat = self._lookup_chat(state, p)
        if chat.id in self._blocked:
            kind = chat.data.get("type")
            if kind == "private":
                description = "Forbidden: bot was blocked by the user"
            elif kind == "channel":
                description = "Forbidden: bot is not a member of the channel chat"
            else:
                description = f"Forbidden: bot was kicked from the {kind} chat"
            raise ApiError(403, description)
        return chat

    def _flood_check(self, state: _BotState, chat_id: int) -> None:
        per_chat, overall = self._flood_per_chat, self._flood_overall
        if per_chat is None and overall is None:
            return
        now = time.monotonic()
        events = state.flood_events
        while events and events[0][0] <= now - 1.0:
            events.popleft()
        for scope in (None, chat_id):
            until = state.flood_blocked.get(scope)
            if until is not None:
                if until > now:
                    raise _flood_error(until - now)
                del state.flood_blocked[scope]
        in_chat = [t for t, c in events if c == chat_id]
        blocked_scope: int | None
        if overall is not None and len(events) >= overall:
            blocked_scope, oldest = None, events[0][0] if events else now - 1.0
        elif per_chat is not None and len(in_chat) >= per_chat:
            blocked_scope, oldest = chat_id, in_chat[0] if in_chat else now - 1.0
        else:
            events.append((now, chat_id))
            return
        if self._flood_retry_after is not None:
            wait = float(self._flood_retry_after)
        else:
            wait = float(max(1, math.ceil(oldest + 1.0 - now)))
        state.flood_blocked[blocked_scope] = now + wait
        raise _flood_error(wait)

    def _format(
        self,
        p: _Params,
        *,
        text_key: str,
        entities_key: str,
        limit: int,
        empty_error: str | None,
        long_error: str,
    ) -> tuple[str, list[JSONDict]]:
        raw = p.text(text_key)
        if empty_error is not None and not raw.strip():
            raise _bad(empty_error)
        explicit = p.json(entities_key)
        if explicit:
            if not isinstance(explicit, list) or not all(isinstance(e, dict) for e in explicit):
                raise _bad(f"can't parse {entities_key} JSON object")
            plain, entities = raw.rstrip(), [dict(e) for e in explicit]
        else:
            plain, entities = format_text(
                raw, p.opt_str("parse_mode"), strict_html=self.strict_html_entities
            )
        if empty_error is not None and not plain:
            raise _bad(empty_error)
        if len(plain) > limit:
            raise _bad(long_error)
        return plain, entities

    def _format_text_param(self, p: _Params) -> tuple[str, list[JSONDict]]:
        return self._format(
            p,
            text_key="text",
            entities_key="entities",
            limit=TEXT_LIMIT,
            empty_error="message text is empty",
            long_error="message is too long",
        )

    def _format_caption(self, p: _Params) -> tuple[str, list[JSONDict]]:
        return self._format(
            p,
            text_key="caption",
            entities_key="caption_entities",
            limit=CAPTION_LIMIT,
            empty_error=None,
            long_error="message caption is too long",
        )

    def _reply_target(self, chat: _Chat, p: _Params) -> JSONDict | None:
        allow = p.boolean("allow_sending_without_reply")
        reply_parameters = p.json("reply_parameters")
        message_id: Any
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow = bool(reply_parameters.get("allow_sending_without_reply", allow))
        else:
            message_id = p.opt_int("reply_to_message_id")
        if message_id is None:
            return None
        if isinstance(message_id, bool) or not isinstance(message_id, int | str):
            raise _bad("message to be replied not found")
        try:
            stored = chat.messages.get(int(message_id))
        except ValueError:
            raise _bad("message to be replied not found") from None
        if stored is None or stored.deleted:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return _strip_reply(stored.data)

    def _store_bot_message(
        self,
        state: _BotState,
        chat: _Chat,
        ctx: _RequestContext,
        p: _Params,
        *,
        method: str,
        content: JSONDict,
        inline: JSONDict | None,
        reply_to: JSONDict | None,
        text: str | None,
    ) -> JSONDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "from": self._bot_user(state),
            "chat": _copy_json(chat.data),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if inline is not None:
            message["reply_markup"] = inline
        chat.messages[message_id] = _Stored(_copy_json(message), from_bot=True)
        self._record_message(state, ctx, p, method, chat.id, message_id, text, message)
        return message

    def _record_message(
        self,
        state: _BotState,
        ctx: _RequestContext,
        p: _Params,
        method: str,
        chat_id: int | str,
        message_id: int | None,
        text: str | None,
        message: JSONDict | None,
    ) -> None:
        self.sent.append(
            RecordedMessage(
                seq=next(self._seq),
                token=state.token,
                method=method,
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                parse_mode=p.opt_str("parse_mode"),
                reply_markup=p.json("reply_markup"),
                disable_notification=p.boolean("disable_notification"),
                wall_time=ctx.arrival_wall,
                mono_time=ctx.arrival_mono,
                message=_copy_json(message) if message is not None else None,
                params=dict(p.data),
            )
        )
        self._notify()

    def _edit_target(
        self, state: _BotState, p: _Params, not_found: str
    ) -> tuple[_Chat, _Stored] | None:
        if p.has("inline_message_id"):
            return None
        chat = self._lookup_chat(state, p)
        message_id = p.opt_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise _bad(not_found)
        return chat, stored

    def _webhook_info(self, state: _BotState) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(state.updates),
        }
        hook = state.webhook
        if hook is not None:
            info["url"] = hook.url
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if hook.allowed_updates:
                info["allowed_updates"] = list(hook.allowed_updates)
        return info

    # -- Bot API methods ---------------------------------------------------------------------

    def _method_table(self) -> list[tuple[str, _Handler]]:
        return [
            ("getMe", self._m_get_me),
            ("logOut", self._m_true),
            ("close", self._m_true),
            ("getUpdates", self._m_get_updates),
            ("setWebhook", self._m_set_webhook),
            ("deleteWebhook", self._m_delete_webhook),
            ("getWebhookInfo", self._m_get_webhook_info),
            ("sendMessage", self._m_send_message),
            ("sendPhoto", self._m_send_photo),
            ("sendDocument", self._m_send_document),
            ("editMessageText", self._m_edit_message_text),
            ("editMessageCaption", self._m_edit_message_caption),
            ("editMessageReplyMarkup", self._m_edit_message_reply_markup),
            ("deleteMessage", self._m_delete_message),
            ("deleteMessages", self._m_delete_messages),
            ("answerCallbackQuery", self._m_answer_callback_query),
            ("answerInlineQuery", self._m_answer_inline_query),
            ("sendChatAction", self._m_send_chat_action),
            ("setMyCommands", self._m_set_my_commands),
            ("getMyCommands", self._m_get_my_commands),
            ("deleteMyCommands", self._m_delete_my_commands),
            ("setMyDescription", self._m_set_my_description),
            ("getMyDescription", self._m_get_my_description),
            ("setMyShortDescription", self._m_set_my_short_description),
            ("getMyShortDescription", self._m_get_my_short_description),
            ("setMyName", self._m_set_my_name),
            ("getMyName", self._m_get_my_name),
            ("setChatMenuButton", self._m_set_chat_menu_button),
            ("getChatMenuButton", self._m_get_chat_menu_button),
        ]

    async def _m_true(self, state: _BotState, p: _Params, ctx: _RequestContext) -> bool:
        return True

    async def _m_get_me(self, state: _BotState, p: _Params, ctx: _RequestContext) -> JSONDict:
        return self._bot_user(state, full=True)

    async def _m_get_updates(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> list[JSONDict]:
        state.last_poll_mono = time.monotonic()
        if state.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = p.opt_int("offset")
        limit = min(100, max(1, p.integer("limit", 100)))
        try:
            timeout = max(0.0, float(p.opt_str("timeout") or 0))
        except ValueError:
            timeout = 0.0
        allowed = _allowed_updates(p)
        if allowed is not None:
            state.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        if offset is not None:
            self._confirm(state, offset)
        poller = _Poller()
        for older in state.pollers:
            older.conflict = True
            older.wake.set()
        state.pollers = [poller]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            with ctx.waking(poller.wake):
                while True:
                    if poller.conflict:
                        raise ApiError(409, CONFLICT_POLL)
                    batch = self._deliverable(state, limit)
                    if batch or ctx.closed or self._stopping:
                        return batch
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        return []
                    poller.wake.clear()
                    await _wait_event(poller.wake, remaining)
        finally:
            if poller in state.pollers:
                state.pollers.remove(poller)
            state.last_poll_mono = time.monotonic()

    def _confirm(self, state: _BotState, offset: int) -> None:
        before = len(state.updates)
        if offset < 0:
            state.updates = state.updates[offset:]
        else:
            state.updates = [u for u in state.updates if int(u["update_id"]) >= offset]
        if len(state.updates) != before:
            self._last_activity = time.monotonic()
            self._notify()

    def _deliverable(self, state: _BotState, limit: int) -> list[JSONDict]:
        kept = [u for u in state.updates if _update_type(u) in state.allowed_updates]
        if len(kept) != len(state.updates):
            state.updates = kept
            self._notify()
        return copy.deepcopy(kept[:limit])

    async def _m_set_webhook(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> _Described:
        url = p.text("url").strip()
        if p.boolean("drop_pending_updates"):
            state.updates.clear()
        if not url:
            return self._delete_webhook(state)
        try:
            parts = urlsplit(url)
            _ = parts.port
        except ValueError:
            raise _bad("bad webhook: Failed to resolve host: Name or service not known") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not parts.hostname:
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        secret = p.opt_str("secret_token")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        allowed = _allowed_updates(p)
        if allowed is not None:
            state.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        old = state.webhook
        same = old is not None and old.url == url and old.secret_token == (secret or None)
        if old is not None and old.task is not None:
            old.task.cancel()
        hook = _Webhook(
            url=url,
            secret_token=secret or None,
            max_connections=min(100, max(1, p.integer("max_connections", 40))),
            allowed_updates=allowed or None,
            ip_address=p.opt_str("ip_address"),
        )
        state.webhook = hook
        for poller in state.pollers:
            poller.conflict = True
            poller.wake.set()
        if self.deliver_webhooks and not self._stopping:
            task = asyncio.get_running_loop().create_task(self._webhook_loop(state, hook))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            hook.task = task
        self._notify()
        return _Described(True, "Webhook is already set" if same else "Webhook was set")

    def _delete_webhook(self, state: _BotState) -> _Described:
        hook = state.webhook
        if hook is None:
            return _Described(True, "Webhook is already deleted")
        if hook.task is not None:
            hook.task.cancel()
        state.webhook = None
        state.wake_all()
        self._notify()
        return _Described(True, "Webhook was deleted")

    async def _m_delete_webhook(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> _Described:
        if p.boolean("drop_pending_updates"):
            state.updates.clear()
            self._notify()
        return self._delete_webhook(state)

    async def _m_get_webhook_info(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict:
        return self._webhook_info(state)

    async def _m_send_message(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict:
        chat = self._chat_for_send(state, p)
        plain, entities = self._format_text_param(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=False)
        reply_to = self._reply_target(chat, p)
        self._flood_check(state, chat.id)
        content: JSONDict = {"text": plain}
        if entities:
            content["entities"] = entities
        preview = p.json("link_preview_options")
        if isinstance(preview, dict):
            content["link_preview_options"] = preview
        return self._store_bot_message(
            state,
            chat,
            ctx,
            p,
            method="sendMessage",
            content=content,
            inline=inline,
            reply_to=reply_to,
            text=p.text("text"),
        )

    async def _send_media(
        self, state: _BotState, p: _Params, ctx: _RequestContext, method: str, kind: str
    ) -> JSONDict:
        chat = self._chat_for_send(state, p)
        media = p.get(kind)
        if media is None or media == "":
            raise _bad(f"there is no {kind} in the request")
        caption, entities = self._format_caption(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=False)
        reply_to = self._reply_target(chat, p)
        self._flood_check(state, chat.id)
        seq = next(self._seq)
        unique = f"AQAD{seq:06d}"
        obj: Any
        if kind == "photo":
            obj = [
                {
                    "file_id": f"AgACAgIAAxkBAAI{seq:08d}s",
                    "file_unique_id": unique,
                    "width": 90,
                    "height": 90,
                    "file_size": 1_500,
                },
                {
                    "file_id": f"AgACAgIAAxkBAAI{seq:08d}m",
                    "file_unique_id": unique + "m",
                    "width": 800,
                    "height": 800,
                    "file_size": media.size if isinstance(media, Upload) else 64_000,
                },
            ]
        else:
            obj = {
                "file_id": f"BQACAgIAAxkBAAI{seq:08d}",
                "file_unique_id": unique,
                "file_name": media.filename if isinstance(media, Upload) else "document",
                "mime_type": (
                    media.content_type if isinstance(media, Upload) else "application/octet-stream"
                ),
                "file_size": media.size if isinstance(media, Upload) else 1_024,
            }
        content: JSONDict = {kind: obj}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._store_bot_message(
            state,
            chat,
            ctx,
            p,
            method=method,
            content=content,
            inline=inline,
            reply_to=reply_to,
            text=p.opt_str("caption"),
        )

    async def _m_send_photo(self, state: _BotState, p: _Params, ctx: _RequestContext) -> JSONDict:
        return await self._send_media(state, p, ctx, "sendPhoto", "photo")

    async def _m_send_document(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict:
        return await self._send_media(state, p, ctx, "sendDocument", "document")

    def _finish_edit(
        self,
        state: _BotState,
        ctx: _RequestContext,
        p: _Params,
        method: str,
        chat: _Chat,
        stored: _Stored,
        changes: JSONDict,
        text: str | None,
    ) -> JSONDict:
        data = stored.data
        for key, value in changes.items():
            if value is None or value == []:
                data.pop(key, None)
            else:
                data[key] = value
        data["edit_date"] = int(time.time())
        self._record_message(state, ctx, p, method, chat.id, int(data["message_id"]), text, data)
        return copy.deepcopy(data)

    def _inline_edit(
        self, state: _BotState, ctx: _RequestContext, p: _Params, method: str
    ) -> bool:
        self._record_message(
            state, ctx, p, method, p.text("inline_message_id"), None, p.opt_str("text"), None
        )
        return True

    async def _m_edit_message_text(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict | bool:
        target = self._edit_target(state, p, "message to edit not found")
        plain, entities = self._format_text_param(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=True)
        if target is None:
            return self._inline_edit(state, ctx, p, "editMessageText")
        chat, stored = target
        if not stored.from_bot:
            raise _bad("message can't be edited")
        if "text" not in stored.data:
            raise _bad("there is no text in the message to edit")
        if (
            stored.data["text"] == plain
            and stored.data.get("entities", []) == entities
            and stored.data.get("reply_markup") == inline
        ):
            raise _bad(NOT_MODIFIED)
        self._flood_check(state, chat.id)
        changes = {"text": plain, "entities": entities, "reply_markup": inline}
        return self._finish_edit(
            state, ctx, p, "editMessageText", chat, stored, changes, p.text("text")
        )

    async def _m_edit_message_caption(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict | bool:
        target = self._edit_target(state, p, "message to edit not found")
        caption, entities = self._format_caption(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=True)
        if target is None:
            return self._inline_edit(state, ctx, p, "editMessageCaption")
        chat, stored = target
        if not stored.from_bot:
            raise _bad("message can't be edited")
        if "text" in stored.data:
            raise _bad("there is no caption in the message to edit")
        if (
            stored.data.get("caption", "") == caption
            and stored.data.get("caption_entities", []) == entities
            and stored.data.get("reply_markup") == inline
        ):
            raise _bad(NOT_MODIFIED)
        self._flood_check(state, chat.id)
        changes = {
            "caption": caption or None,
            "caption_entities": entities,
            "reply_markup": inline,
        }
        return self._finish_edit(
            state, ctx, p, "editMessageCaption", chat, stored, changes, p.opt_str("caption")
        )

    async def _m_edit_message_reply_markup(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict | bool:
        target = self._edit_target(state, p, "message to edit not found")
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=True)
        if target is None:
            return self._inline_edit(state, ctx, p, "editMessageReplyMarkup")
        chat, stored = target
        if not stored.from_bot:
            raise _bad("message can't be edited")
        if stored.data.get("reply_markup") == inline:
            raise _bad(NOT_MODIFIED)
        self._flood_check(state, chat.id)
        return self._finish_edit(
            state, ctx, p, "editMessageReplyMarkup", chat, stored, {"reply_markup": inline}, None
        )

    async def _m_delete_message(self, state: _BotState, p: _Params, ctx: _RequestContext) -> bool:
        chat = self._lookup_chat(state, p)
        message_id = p.opt_int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise _bad("message to delete not found")
        stored.deleted = True
        self.deletions.append((time.time(), chat.id, message_id))
        self._notify()
        return True

    async def _m_delete_messages(self, state: _BotState, p: _Params, ctx: _RequestContext) -> bool:
        chat = self._lookup_chat(state, p)
        ids = p.json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message_ids must be a non-empty list of at most 100 identifiers")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise _bad("message_ids must be a non-empty list of at most 100 identifiers")
        deleted = 0
        for message_id in ids:
            stored = chat.messages.get(message_id)
            if stored is not None and not stored.deleted:
                stored.deleted = True
                deleted += 1
                self.deletions.append((time.time(), chat.id, message_id))
        if not deleted:
            raise _bad("message to delete not found")
        self._notify()
        return True

    async def _m_answer_callback_query(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> bool:
        query_id = p.text("callback_query_id")
        query = state.callback_queries.get(query_id)
        if query is None or query.answered:
            raise _bad(QUERY_TOO_OLD)
        text = p.opt_str("text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": p.boolean("show_alert"),
            "url": p.opt_str("url"),
            "cache_time": p.integer("cache_time", 0),
        }
        self._notify()
        return True

    async def _m_answer_inline_query(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> bool:
        query_id = p.text("inline_query_id")
        query = state.inline_queries.get(query_id)
        if query is None or query.answered:
            raise _bad(QUERY_TOO_OLD)
        results = p.json("results")
        if not isinstance(results, list):
            raise _bad("can't parse results JSON object")
        if len(results) > 50:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict) or not isinstance(result.get("type"), str):
                raise _bad("can't parse InlineQueryResult JSON object")
            result_id = result.get("id")
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
        query.answered = True
        query.answer = {
            "inline_query_id": query_id,
            "results": results,
            "cache_time": p.integer("cache_time", 300),
            "is_personal": p.boolean("is_personal"),
            "next_offset": p.opt_str("next_offset"),
            "button": p.json("button"),
        }
        self._notify()
        return True

    async def _m_send_chat_action(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> bool:
        chat = self._chat_for_send(state, p)
        action = p.text("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append(
            ChatActionRecord(
                seq=next(self._seq),
                token=state.token,
                chat_id=chat.id,
                action=action,
                wall_time=ctx.arrival_wall,
                mono_time=ctx.arrival_mono,
            )
        )
        self._notify()
        return True

    async def _m_set_my_commands(self, state: _BotState, p: _Params, ctx: _RequestContext) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        clean: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand: Object expected")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command, "description": description})
        key = (_scope_key(p.json("scope")), p.text("language_code"))
        if clean:
            state.commands[key] = clean
        else:
            state.commands.pop(key, None)
        return True

    async def _m_get_my_commands(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> list[JSONDict]:
        key = (_scope_key(p.json("scope")), p.text("language_code"))
        return copy.deepcopy(state.commands.get(key, []))

    async def _m_delete_my_commands(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> bool:
        state.commands.pop((_scope_key(p.json("scope")), p.text("language_code")), None)
        return True

    @staticmethod
    def _set_text(store: dict[str, str], p: _Params, key: str, limit: int) -> bool:
        value = p.text(key)
        if len(value) > limit:
            raise _bad(f"{key.replace('_', ' ')} is too long")
        language = p.text("language_code")
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    async def _m_set_my_description(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> bool:
        return self._set_text(state.descriptions, p, "description", 512)

    async def _m_get_my_description(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict:
        return {"description": state.descriptions.get(p.text("language_code"), "")}

    async def _m_set_my_short_description(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> bool:
        return self._set_text(state.short_descriptions, p, "short_description", 120)

    async def _m_get_my_short_description(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict:
        return {"short_description": state.short_descriptions.get(p.text("language_code"), "")}

    async def _m_set_my_name(self, state: _BotState, p: _Params, ctx: _RequestContext) -> bool:
        return self._set_text(state.names, p, "name", 64)

    async def _m_get_my_name(self, state: _BotState, p: _Params, ctx: _RequestContext) -> JSONDict:
        language = p.text("language_code")
        return {"name": state.names.get(language, state.names.get("", self.bot_first_name))}

    async def _m_set_chat_menu_button(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> bool:
        key = self._lookup_chat(state, p).id if p.has("chat_id") else None
        button = p.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or not isinstance(button.get("type"), str):
            raise _bad("can't parse menu button JSON object")
        state.menu_buttons[key] = button
        return True

    async def _m_get_chat_menu_button(
        self, state: _BotState, p: _Params, ctx: _RequestContext
    ) -> JSONDict:
        key = self._lookup_chat(state, p).id if p.has("chat_id") else None
        button = state.menu_buttons.get(key)
        if button is None or button.get("type") == "default":
            button = state.menu_buttons.get(None) or {"type": "commands"}
            if button.get("type") == "default":
                button = {"type": "commands"}
        return copy.deepcopy(button)

    # -- webhook delivery --------------------------------------------------------------------

    async def _webhook_loop(self, state: _BotState, hook: _Webhook) -> None:
        host = urlsplit(hook.url).hostname or ""
        if host not in ("localhost", "::1") and not host.startswith("127."):
            hook.last_error_date = int(time.time())
            hook.last_error_message = "stand-in delivers webhooks to loopback hosts only"
            return
        backoff = 0.05
        while not self._stopping and state.webhook is hook:
            self._deliverable(state, 1)
            if not state.updates:
                event = asyncio.Event()
                state.wakers.add(event)
                try:
                    await event.wait()
                finally:
                    state.wakers.discard(event)
                continue
            update = state.updates[0]
            error = await self._deliver(state, hook, update)
            if state.webhook is not hook:
                return
            if error is None:
                if state.updates and state.updates[0] is update:
                    state.updates.pop(0)
                backoff = 0.05
                self._last_activity = time.monotonic()
                self._notify()
            else:
                hook.last_error_date = int(time.time())
                hook.last_error_message = error
                self._notify()
                await self._sleep(backoff, None)
                backoff = min(1.0, backoff * 2)

    async def _deliver(self, state: _BotState, hook: _Webhook, update: JSONDict) -> str | None:
        if self._http_client is None:
            self._http_client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        request = tornado.httpclient.HTTPRequest(
            hook.url,
            method="POST",
            body=json.dumps(update, ensure_ascii=False).encode(),
            headers=headers,
            connect_timeout=5.0,
            request_timeout=10.0,
        )
        try:
            response = await self._http_client.fetch(request, raise_error=False)
        except ConnectionRefusedError:
            return "Connection refused"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        if not 200 <= response.code < 300:
            return f"Wrong response from the webhook: {response.code} {response.reason}"
        if response.body:
            with contextlib.suppress(ValueError):
                answer = json.loads(response.body)
                if isinstance(answer, dict) and isinstance(answer.get("method"), str):
                    params = {k: v for k, v in answer.items() if k != "method"}
                    await self._serve(state.token, answer["method"], params, _RequestContext())
        return None


def _allowed_updates(p: _Params) -> list[str] | None:
    allowed = p.json("allowed_updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise _bad("can't parse allowed_updates JSON object")
    return allowed


def _scope_key(scope: Any) -> str:
    if not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True)


def _flood_error(seconds: float) -> ApiError:
    wait = max(1, math.ceil(seconds))
    return ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})


def _json_response(status: int, payload: JSONDict) -> _Response:
    return _Response(status, json.dumps(payload, ensure_ascii=False, default=str).encode())


def _fault_response(fault: Fault) -> _Response:
    if fault.drop_connection:
        return _Response(0, drop=True)
    status = fault.status or 502
    body = fault.body if fault.body is not None else _proxy_page(status)
    if isinstance(body, str):
        body = body.encode()
    return _Response(status, body, fault.content_type)


# --------------------------------------------------------------------------------------------
# HTTP layer (tornado)
# --------------------------------------------------------------------------------------------


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    return None


class _BaseHandler(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Server", "nginx/1.18.0")

    def compute_etag(self) -> str | None:
        return None

    def _send(self, response: _Response) -> None:
        self.set_status(response.status)
        self.set_header("Content-Type", response.content_type)
        self.finish(response.body)


class _ApiHandler(_BaseHandler):
    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin
        self.ctx = _RequestContext()

    def on_connection_close(self) -> None:
        self.ctx.close()

    async def get(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def _handle(self, token: str, method: str) -> None:
        try:
            params = self._collect_params()
        except ApiError as error:
            self._send(_json_response(error.code, error.payload()))
            return
        response = await self.standin._serve(token, method, params, self.ctx)
        if response.drop or self.ctx.closed:
            self.detach().close()
            return
        self._send(response)

    def _collect_params(self) -> JSONDict:
        request = self.request
        params: JSONDict = {
            key: values[-1].decode("utf-8", "replace")
            for key, values in request.query_arguments.items()
            if values
        }
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            if request.body.strip():
                try:
                    body = json.loads(request.body)
                except ValueError:
                    raise _bad("can't parse JSON encoded request body") from None
                if not isinstance(body, dict):
                    raise _bad("JSON encoded request body must be an Object")
                params.update(body)
            return params
        for key, values in request.body_arguments.items():
            if values:
                params[key] = values[-1].decode("utf-8", "replace")
        uploads = {
            key: Upload(f[-1].filename, f[-1].content_type, f[-1].body)
            for key, f in request.files.items()
            if f
        }
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                name = value[len("attach://") :]
                if name in uploads:
                    params[key] = uploads.pop(name)
        params.update(uploads)
        return params


class _ControlHandler(_BaseHandler):
    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    async def get(self, action: str) -> None:
        try:
            result = self.standin._control_listing(action)
        except KeyError:
            self._send(_json_response(404, ApiError(404, "Not Found").payload()))
            return
        self._send(_json_response(200, {"ok": True, "result": result}))

    async def post(self, action: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise TypeError("the body must be a JSON object")
            result = self.standin._control(action, body)
            if isinstance(result, Awaitable):
                result = await result
        except KeyError:
            self._send(_json_response(404, ApiError(404, "Not Found").payload()))
            return
        except (TypeError, ValueError, LookupError) as exc:
            self._send(_json_response(400, ApiError(400, f"Bad Request: {exc}").payload()))
            return
        self._send(_json_response(200, {"ok": True, "result": result}))


class _NotFoundHandler(_BaseHandler):
    def prepare(self) -> None:
        self._send(_json_response(404, ApiError(404, "Not Found").payload()))


# --------------------------------------------------------------------------------------------
# Standalone
# --------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def running_standin(**kwargs: Any) -> AsyncIterator[BotApiStandIn]:
    """``async with running_standin(port=8081) as server: ...``"""
    server = BotApiStandIn(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def _serve_until_signalled(args: argparse.Namespace) -> None:
    async with running_standin(
        host=args.host,
        port=args.port,
        default_token=args.token,
        check_chats=not args.no_chat_check,
    ) as server:
        if args.flood:
            server.flood_limits(args.flood_per_chat, args.flood_overall, args.flood_retry_after)
        print(server.base_url, flush=True)
        print(
            f"Bot API stand-in running; drive users with POST "
            f"http://{args.host}:{server.port}/standin/<action>; Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        freezer = asyncio.create_task(_freeze_gc(args.freeze_gc)) if args.freeze_gc else None
        await stop.wait()
        if freezer is not None:
            freezer.cancel()


async def _freeze_gc(every: float) -> None:
    """Keep the stand-in's pauses short under benchmark load.

    The stand-in keeps every message it was sent, so its heap only grows, and each full
    collection walks all of it: pauses of 70-130 ms after a few thousand messages, which a
    benchmark would charge to the bot. Every ``every`` seconds the young generations are
    collected and the survivors moved out of the collector's sight (``gc.freeze``). The stored
    messages are plain JSON data without cycles, freed by reference counting as before; a
    cycle still alive at a freeze is never collected, a small leak a benchmark can afford.
    """
    while True:
        await asyncio.sleep(every)
        gc.collect(1)
        gc.freeze()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.standin", description="Local stand-in for the Telegram Bot API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="the bot the /standin/ actions address")
    parser.add_argument("--no-chat-check", action="store_true", help='no "chat not found"')
    parser.add_argument("--flood", action="store_true", help="enable flood control")
    parser.add_argument("--flood-per-chat", type=float, default=1.0)
    parser.add_argument("--flood-overall", type=float, default=30.0)
    parser.add_argument("--flood-retry-after", type=int, default=None)
    parser.add_argument(
        "--freeze-gc",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="for benchmarks: freeze surviving objects every SECONDS (no long GC pauses)",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_until_signalled(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
