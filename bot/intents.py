"""Recognise requests for the other features ("start a session", "remind me", "stop").

The session and reminder features handle these themselves (group 0). The ask feature only
needs to know them so it never answers "remind me at 9pm" with a massage technique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.search.normalize import normalize


@dataclass(frozen=True)
class SessionIntent:
    """Start a guided session, maybe of a given length."""

    minutes: int | None = None


@dataclass(frozen=True)
class ReminderIntent:
    """Set up a reminder."""


@dataclass(frozen=True)
class ControlIntent:
    """Control a running session: pause, resume, next, stop."""

    action: str


Intent = SessionIntent | ReminderIntent | ControlIntent

_CONTROL = {
    "pause": "pause",
    "wait": "pause",
    "hold on": "pause",
    "resume": "resume",
    "continue": "resume",
    "go on": "resume",
    "next": "next",
    "skip": "next",
    "next step": "next",
    "stop": "stop",
    "cancel": "stop",
    "end": "stop",
    "quit": "stop",
    "stop the session": "stop",
    "end the session": "stop",
    "stop session": "stop",
}
_POLITE = re.compile(r"^(please |ok |okay |now |lets |let s )+|( please| now| thanks)+$")
_SESSION = re.compile(
    r"^(start|begin|run|do (a|an|the|my|our)|guide me through|walk me through|take me through)"
    r"\b.*\b(session|routine|massage|practice)\b"
)
_MINUTES = re.compile(r"\b(\d{1,2})\s*(?:min|mins|minute|minutes)\b")
_REMINDER = re.compile(r"\bremind(er|ers)?\b|\bnotify me\b|\bnudge me\b")
# "remind me how to knead" asks to be told again, not for a daily reminder.
_REMIND_ME_HOW = re.compile(r"\bremind me (how|what|which|why|about how|of how)\b")


def recognise(text: str) -> Intent | None:
    """The feature a message asks for, or None when it is (probably) a question."""
    said = _POLITE.sub("", normalize(text)).strip()
    if said in _CONTROL:
        return ControlIntent(_CONTROL[said])
    if _REMINDER.search(said) and not _REMIND_ME_HOW.search(said):
        return ReminderIntent()
    if _SESSION.search(said):
        found = _MINUTES.search(said)
        return SessionIntent(int(found.group(1)) if found else None)
    return None
