"""Small text helpers every feature's replies use: HTML escaping and durations in words."""

from __future__ import annotations

from html import escape


def html_text(text: str) -> str:
    """Escape a dynamic string for Telegram's HTML parse mode."""
    return escape(text, quote=False)


def format_minutes(seconds: int) -> str:
    """Say a duration the way a person would: '45 s', '2 min', '2 min 30 s'."""
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
