"""Request parameters: decoding form/query values as PTB sends them, typed access by name."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from standin.protocol import JSONDict, bad_request

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
INT_RE = re.compile(r"^\s*-?\d+\s*$")


def normalize_params(raw: JSONDict) -> JSONDict:
    """Decode the JSON-encoded strings of a form/query request (as PTB sends them)."""
    out: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _INT_PARAMS and INT_RE.match(value):
                value = int(value)
            elif key in _BOOL_PARAMS and value.strip().lower() in ("true", "false", "1", "0"):
                value = value.strip().lower() in ("true", "1")
            elif key in _JSON_PARAMS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
        out[key] = value
    return out


class Params:
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
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and INT_RE.match(value):
            return int(value)
        raise bad_request(f"invalid {name} specified")

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
                raise bad_request(f"can't parse {name} JSON object") from None
        return value
