"""The rotating reminder lines (content/reminders/lines.yaml): read, checked, picked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.catalog.files import CONTENT_DIR, ContentError, read_yaml

LINES_PATH = CONTENT_DIR / "reminders" / "lines.yaml"
MAX_LINE = 200


def load_lines(
    path: Path = LINES_PATH, known_ids: Mapping[str, object] | None = None
) -> tuple[str, ...]:
    """Read and validate the rotating reminder lines.

    Raises:
        ContentError: naming every problem (missing file, empty, too long, unknown source).
    """
    source = f"content/reminders/{path.name}"
    unreadable: list[str] = []
    data = read_yaml(path, source, unreadable)
    if unreadable:
        raise ContentError(unreadable)
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list) or not data["lines"]:
        raise ContentError([f"{source}: expected a non-empty list under 'lines:'"])
    problems: list[str] = []
    lines: list[str] = []
    for number, raw in enumerate(data["lines"], start=1):
        where = f"{source} line {number}"
        if not isinstance(raw, dict) or set(raw) - {"text", "from"}:
            problems.append(f"{where}: expected 'text:' and optionally 'from:'")
            continue
        text = str(raw.get("text") or "").strip()
        if not text or len(text) > MAX_LINE:
            problems.append(f"{where}: text must be 1 to {MAX_LINE} characters")
        elif text in lines:
            problems.append(f"{where}: repeats an earlier line")
        origin = raw.get("from")
        if origin is not None and known_ids is not None and origin not in known_ids:
            problems.append(f"{where}: 'from: {origin}' names no content entry")
        lines.append(text)
    if problems:
        raise ContentError(problems)
    return tuple(lines)


def line_for(lines: tuple[str, ...], reminder_id: int, sent_count: int) -> str:
    """The line for this sending: each reminder walks the lines from its own start."""
    return lines[(reminder_id * 7 + sent_count) % len(lines)]
