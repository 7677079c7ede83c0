"""Plain-word session requests: "pause", "next", "stop", "10 minute lower back session".

It has its own normaliser for now; the project's recognisers are to be merged into one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Routine ids people reach by a word; the first match wins, so "full" comes before the rest.
_ROUTINE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("routine.full-back", ("full", "whole", "entire", "complete", "upper and lower")),
    ("routine.upper-back", ("upper", "shoulder", "neck", "trapezius")),
    ("routine.lower-back", ("lower", "low back", "lumbar", "waist")),
    ("routine.quick-relax", ("quick", "relax", "unwind", "short", "five minute")),
)


@dataclass(frozen=True)
class SessionRequest:
    """What a message asked of the sessions feature."""

    action: str  # menu, start, pause, resume, skip, stop, history
    routine_id: str = ""
    minutes: int | None = None


_CONTROL_PHRASES = {
    "pause": ("pause", "pause session", "pause it", "hold on", "wait"),
    "resume": ("resume", "continue", "go on", "unpause", "carry on", "keep going"),
    "skip": ("next", "skip", "next step", "skip step", "skip this", "skip it"),
    "stop": ("stop", "end", "stop session", "end session", "stop the session", "finish"),
}
_MINUTES = re.compile(r"\b(\d{1,3})\s*-?\s*(?:m|min|mins|minute|minutes)?\b")
_SESSION_WORDS = re.compile(r"\b(session|sessions)\b")
_START_VERBS = re.compile(r"^(?:let'?s\s+)?(?:start|begin|run|do|guide me through)\b")


def _normal(text: str) -> str:
    lowered = text.lower().replace("’", "'").replace("-", " ")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", lowered)).strip()


def routine_for(words: str) -> str:
    """The routine id a phrase names, or "" when it names none."""
    normal = _normal(words)
    for routine_id, keys in _ROUTINE_WORDS:
        if any(re.search(rf"\b{re.escape(key)}", normal) for key in keys):
            return routine_id
    return ""


def minutes_in(words: str) -> int | None:
    match = _MINUTES.search(_normal(words))
    return int(match[1]) if match else None


def parse_session_request(text: str) -> SessionRequest | None:
    """Recognise "pause", "next", "stop", "start a session", "10 minute lower back session".

    Returns None for anything else, so the text can be answered as a question.
    """
    if len(text) > 200:
        return None
    normal = _normal(text)
    for action, phrases in _CONTROL_PHRASES.items():
        if normal in phrases:
            return SessionRequest(action)
    if normal in ("history", "my sessions", "session history", "show my sessions"):
        return SessionRequest("history")
    asks_session = bool(_SESSION_WORDS.search(normal))
    routine_id = routine_for(normal)
    names_routine = bool(routine_id) and bool(re.search(r"\b(routine|massage)\b", normal))
    if not asks_session and not (names_routine and _START_VERBS.search(normal)):
        return None
    if re.search(r"^(how|what|why|when|where|which|can|should|is|are|do i|does)\b", normal):
        return None  # a question about sessions, for the ask feature
    if not routine_id:
        return SessionRequest("menu")
    return SessionRequest("start", routine_id=routine_id, minutes=minutes_in(normal))


def parse_command_args(args: list[str]) -> SessionRequest:
    """``/session``, ``/session upper 10``, ``/session 10 lower back``."""
    words = " ".join(args)
    routine_id = routine_for(words)
    if not routine_id:
        return SessionRequest("menu")
    return SessionRequest("start", routine_id=routine_id, minutes=minutes_in(words))
