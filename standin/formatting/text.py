"""Formatting a text like Telegram: the parser for its parse mode, trimming, then the
entities Telegram detects by itself (commands, links, mentions, e-mails, hashtags).
"""

from __future__ import annotations

import re

from standin.formatting.entities import Entity, utf16_prefix
from standin.formatting.html import parse_html
from standin.formatting.markdown import parse_markdown
from standin.formatting.markdown_v2 import parse_markdown_v2
from standin.protocol import JSONDict, bad_request

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


def auto_entities(text: str, existing: list[Entity]) -> list[Entity]:
    """Telegram detects commands, links, mentions, e-mails and hashtags by itself."""
    taken = [(e.start, e.end) for e in existing if e.type in _NO_NESTING]
    found: list[Entity] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)]}'\"":
                    end -= 1
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append(Entity(kind, start, end))
    return found


def entities_json(text: str, ents: list[Entity]) -> list[JSONDict]:
    prefix = utf16_prefix(text)
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
    ents: list[Entity]
    if mode == "":
        plain, ents = text, []
    elif mode == "html":
        plain, ents = parse_html(text, strict=strict_html)
    elif mode == "markdownv2":
        plain, ents = parse_markdown_v2(text)
    elif mode == "markdown":
        plain, ents = parse_markdown(text)
    else:
        raise bad_request("unsupported parse_mode")
    stripped = plain.lstrip()
    lead = len(plain) - len(stripped)
    final = stripped.rstrip()
    trimmed: list[Entity] = []
    for ent in ents:
        start, end = max(0, ent.start - lead), min(len(final), ent.end - lead)
        if end > start:
            trimmed.append(Entity(ent.type, start, end, ent.extra))
    trimmed.extend(auto_entities(final, trimmed))
    return final, entities_json(final, trimmed)
