"""The one recogniser of plain-word requests: sessions, reminders, or (None) a question.

Every feature asks this module what a message wants, so they cannot disagree: "quit" during a
session stops it, and the same word with no session running falls through to the questions
feature, which points to /session. The words are matched after a light normalisation (case,
curly apostrophes, punctuation) and with polite padding ("please", "ok", "now") removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_REQUEST = 200  # longer messages are questions or stories, never a bare request

ControlAction = Literal["pause", "resume", "skip", "stop"]


@dataclass(frozen=True)
class StartSession:
    """Start a guided session: a routine (fitted to ``minutes``), or "" to choose one."""

    routine_id: str = ""
    minutes: int | None = None


@dataclass(frozen=True)
class ControlSession:
    """Pause, resume, skip a step of, or stop the running session."""

    action: ControlAction


@dataclass(frozen=True)
class ShowHistory:
    """List the chat's recent sessions."""


@dataclass(frozen=True)
class SetReminder:
    """Set daily reminders; ``when`` is the rest of the message ("every day at 9pm")."""

    when: str


@dataclass(frozen=True)
class StopReminders:
    """Delete every reminder of the chat."""


@dataclass(frozen=True)
class ListReminders:
    """List the chat's reminders."""


@dataclass(frozen=True)
class AboutReminders:
    """Mentions being reminded without a time ("can you remind me?"): point to /remind."""


SessionRequest = StartSession | ControlSession | ShowHistory
ReminderRequest = SetReminder | StopReminders | ListReminders | AboutReminders
Request = SessionRequest | ReminderRequest

# Routine ids people reach by a word; the first match wins, so "full" comes before the rest.
_ROUTINE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("routine.full-back", ("full", "whole", "entire", "complete", "upper and lower")),
    ("routine.upper-back", ("upper", "shoulder", "neck", "trapezius")),
    ("routine.lower-back", ("lower", "low back", "lumbar", "waist")),
    ("routine.quick-relax", ("quick", "relax", "unwind", "short", "five minute")),
)
_CONTROLS: dict[str, ControlAction] = {
    **dict.fromkeys(("pause", "pause session", "pause it", "hold on", "wait"), "pause"),
    **dict.fromkeys(
        ("resume", "continue", "go on", "unpause", "carry on", "keep going"), "resume"
    ),
    **dict.fromkeys(("next", "skip", "next step", "skip step", "skip this", "skip it"), "skip"),
    **dict.fromkeys(
        (
            "stop",
            "end",
            "quit",
            "cancel",
            "finish",
            "stop session",
            "end session",
            "stop it",
            "stop the session",
            "end the session",
            "cancel the session",
            "quit the session",
        ),
        "stop",
    ),
}
_HISTORY = ("history", "my sessions", "session history", "show my sessions")
_POLITE = re.compile(r"^(?:(?:please|ok|okay|now|lets|let's) )+|(?: (?:please|now|thanks))+$")
_MINUTES = re.compile(r"\b(\d{1,3}) ?(?:m|min|mins|minute|minutes)?\b")
_SESSION_WORDS = re.compile(r"\bsessions?\b")
_START_VERBS = re.compile(
    r"^(?:let'?s )?(?:start|begin|run|do|guide me through|walk me through|take me through)\b"
)
_QUESTION = re.compile(r"^(?:how|what|why|when|where|which|can|should|is|are|do i|does)\b")

_REMINDERS_OFF = re.compile(
    r"^(?:please\s+)?(?:stop|cancel|turn\s+off|switch\s+off|disable|delete|remove|no\s+more)\s+"
    r"(?:reminding\s+me|(?:my\s+|the\s+|all\s+|these\s+|daily\s+)*reminders?)\b[\s.!]*$"
)
_REMINDERS_LIST = re.compile(r"^(?:show|list|see)?\s*(?:me\s+)?(?:my|all)\s+reminders\??$")
_REMINDER_SET = re.compile(
    r"^(?:please\s+|can\s+you\s+|could\s+you\s+)?"
    r"(?:remind\s+me|set\s+(?:a\s+|an\s+|my\s+)?(?:daily\s+)?reminder)\b(?P<when>.*)$"
)
_TIME_HINT = re.compile(
    r"\d|\b(?:noon|midnight|mornings?|evenings?|nights?|tonight|afternoons?|nightly)\b"
    r"|\b(?:at|for)\s+(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|half|quarter)\b"
)
_REMINDER_WORDS = re.compile(r"\bremind(?:er|ers)?\b|\bnotify me\b|\bnudge me\b")
# "remind me how to knead" asks to be told again, not for a daily reminder.
_REMIND_ME_HOW = re.compile(r"\bremind me (?:how|what|which|why|about how|of how)\b")


def normal_words(text: str) -> str:
    """Lower case, straight apostrophes, hyphens and other punctuation as single spaces."""
    lowered = text.lower().replace("’", "'").replace("-", " ")
    return " ".join(re.sub(r"[^\w\s']", " ", lowered).split())


def recognise(text: str) -> Request | None:
    """The request a message makes, or None when it is (probably) a question."""
    if len(text) > MAX_REQUEST:
        return None
    said = _POLITE.sub("", normal_words(text)).strip()
    if said in _CONTROLS:
        return ControlSession(_CONTROLS[said])
    if said in _HISTORY:
        return ShowHistory()
    # Reminder times keep their punctuation: "7:30", "21.30", "mon–fri", "7 o'clock".
    return _reminder_request(" ".join(text.lower().split())) or _session_request(said)


def session_command(args: list[str]) -> StartSession:
    """``/session``, ``/session upper 10``, ``/session 10 lower back``."""
    words = normal_words(" ".join(args))
    routine_id = routine_for(words)
    return StartSession(routine_id, minutes_in(words) if routine_id else None)


def routine_for(words: str) -> str:
    """The routine id normalised words name, or "" when they name none."""
    for routine_id, keys in _ROUTINE_WORDS:
        if any(re.search(rf"\b{re.escape(key)}", words) for key in keys):
            return routine_id
    return ""


def minutes_in(words: str) -> int | None:
    """The length normalised words ask for ("10 minute", "10min", "10")."""
    match = _MINUTES.search(words.replace("-", " "))
    return int(match[1]) if match else None


def _session_request(said: str) -> StartSession | None:
    routine_id = routine_for(said)
    names_routine = bool(routine_id) and bool(re.search(r"\b(?:routine|massage)\b", said))
    starts = bool(_START_VERBS.search(said))
    generic = starts and bool(re.search(r"\b(?:routine|massage|practice)\b", said))
    if not (_SESSION_WORDS.search(said) or (names_routine and starts) or generic):
        return None
    if _QUESTION.search(said):
        return None  # a question about sessions, for the ask feature
    return StartSession(routine_id, minutes_in(said) if routine_id else None)


def _reminder_request(said: str) -> ReminderRequest | None:
    """Reminder requests in lower-cased words that keep their punctuation."""
    if _REMINDERS_OFF.match(said):
        return StopReminders()
    if _REMINDERS_LIST.match(said):
        return ListReminders()
    match = _REMINDER_SET.match(said)
    if match and _TIME_HINT.search(match["when"]):
        return SetReminder(match["when"].strip(" ,.!"))
    if _REMINDER_WORDS.search(said) and not _REMIND_ME_HOW.search(said):
        return AboutReminders()
    return None
