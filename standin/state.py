"""Per-bot state the stand-in keeps: chats and their messages, queries, webhook, pollers.

One :class:`BotState` per bot token; the user side writes into it, the Bot API methods read and
change it.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from standin.protocol import DEFAULT_ALLOWED_UPDATES, TOKEN_RE, JSONDict


@dataclass
class StoredMessage:
    data: JSONDict
    from_bot: bool
    deleted: bool = False


class Chat:
    def __init__(self, data: JSONDict) -> None:
        self.data = data
        self.next_message_id = 1
        self.messages: dict[int, StoredMessage] = {}

    @property
    def id(self) -> int:
        chat_id = self.data["id"]
        assert isinstance(chat_id, int)
        return chat_id


@dataclass
class Query:
    payload: JSONDict
    answered: bool = False
    answer: JSONDict | None = None


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None
    task: asyncio.Task[None] | None = None


class Poller:
    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.conflict = False


class BotState:
    def __init__(self, token: str | None) -> None:
        self.token = token or ""
        self.bot_id = parse_bot_id(token) if token else 0
        self.updates: list[JSONDict] = []
        self.next_update_id = 1
        self.pollers: list[Poller] = []
        self.wakers: set[asyncio.Event] = set()
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, JSONDict] = {}
        self.callback_queries: dict[str, Query] = {}
        self.inline_queries: dict[str, Query] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook: Webhook | None = None
        self.flood_events: deque[tuple[float, int]] = deque()
        self.flood_blocked: dict[int | None, float] = {}
        self.last_poll_mono: float | None = None

    def bind(self, token: str) -> None:
        self.token = token
        self.bot_id = parse_bot_id(token)

    def wake_all(self) -> None:
        for event in self.wakers:
            event.set()
        for poller in self.pollers:
            poller.wake.set()


def parse_bot_id(token: str) -> int:
    match = TOKEN_RE.match(token)
    if match is None:
        raise ValueError(f"{token!r} is not shaped like a bot token (123456:ABC...)")
    return int(match.group(1))


def update_type(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


def copy_json(value: Any) -> Any:
    """copy.deepcopy for JSON-shaped data (dicts, lists, scalars), several times faster:
    every sent message is copied into the chat's store and the request record."""
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


def strip_reply(message: JSONDict) -> JSONDict:
    out = copy.deepcopy(message)
    out.pop("reply_to_message", None)
    return out


def describe_webhook(state: BotState) -> JSONDict:
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


def scope_key(scope: Any) -> str:
    if not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True)
