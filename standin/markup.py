"""Reply markup validation: inline and reply keyboards checked with Telegram's error texts."""

from __future__ import annotations

import json
from typing import Any

from standin.formatting.entities import check_url
from standin.protocol import CALLBACK_DATA_LIMIT, MAX_INLINE_BUTTONS, JSONDict, bad_request

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
            raise bad_request(_MARKUP_JSON_ERROR) from None
    if not isinstance(markup, dict):
        raise bad_request(_MARKUP_JSON_ERROR)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
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
            raise bad_request("reply markup is too long")
        return markup, {"inline_keyboard": out_rows}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    continue
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request(
                        'can\'t parse keyboard button: Field "text" must be of type String'
                    )
        return markup, None
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup, None
    raise bad_request(_MARKUP_JSON_ERROR)


def _check_inline_button(button: Any) -> JSONDict:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or check_url(url) is None:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return dict(button)
