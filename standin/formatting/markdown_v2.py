"""Telegram's MarkdownV2 parse mode: a port of tdlib's parse_markdown_v2.

Own code for the same reason as the HTML parser: the error texts and offsets must be Telegram's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from standin.formatting.entities import SPACES, Entity, byte_offset, check_url, entities_error
from standin.protocol import JSONDict

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


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    def boff(k: int) -> int:
        return byte_offset(text, k)

    def escaped(k: int) -> bool:
        return at(k) == "\\" and k + 1 < n and 0 < ord(text[k + 1]) <= 126

    chars: list[str] = []
    nested: list[_OpenEnt] = []
    ents: list[Entity] = []
    quote_start: int | None = None
    quote_expandable = False

    def close_quote(end: int) -> None:
        nonlocal quote_start
        if quote_start is not None and end > quote_start:
            kind = "expandable_blockquote" if quote_expandable else "blockquote"
            ents.append(Entity(kind, quote_start, end))
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
                    while at(lang_end) not in SPACES and at(lang_end) != "`":
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
                raise entities_error(
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
                    raise entities_error("Custom emoji entity must contain a tg://emoji URL")
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
                    raise entities_error(
                        f"Can't find end of a URL at byte offset {boff(url_begin)}"
                    )
                url = "".join(buf)
            if kind == "custom_emoji":
                match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if match is None:
                    raise entities_error("Invalid custom emoji URL specified")
                extra["custom_emoji_id"] = match.group(1)
            else:
                checked = check_url(url)
                if checked is None:
                    kind = ""
                else:
                    extra["url"] = checked
        i += 1
        if kind and len(chars) > top.start:
            ents.append(Entity(kind, top.start, len(chars), extra))
    if nested:
        top = nested[-1]
        raise entities_error(
            f"Can't find end of {_MD2_NAMES[top.type]} entity at byte offset {boff(top.raw_index)}"
        )
    close_quote(len(chars))
    return "".join(chars), ents
