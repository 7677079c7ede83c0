"""Shared pieces of the formatting parsers: the entity, offsets, errors and link checking.

Telegram counts entity offsets in UTF-16 code units and reports parse errors with byte offsets
into the UTF-8 text; the helpers here do that arithmetic once for all three parsers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from standin.protocol import ApiError, JSONDict, bad_request

SPACES = frozenset(" \t\r\n\0\v")


@dataclass
class Entity:
    type: str
    start: int  # code point offsets into the parsed text
    end: int
    extra: JSONDict = field(default_factory=dict)


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def utf16_prefix(text: str) -> list[int]:
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + (2 if ord(char) > 0xFFFF else 1))
    return prefix


def utf16_len(text: str) -> int:
    return utf16_prefix(text)[-1]


def entities_error(message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")


def check_url(url: str) -> str | None:
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
