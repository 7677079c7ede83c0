"""Every inline button's data: typed, versioned, built and parsed in this module only.

Data reads ``v1:<tag>:<field>:<field>…``: the version lets a later release refuse old buttons
cleanly (they get the stale-button answer) instead of misreading them, and the tag names the
press. Telegram allows 64 bytes; `bot.messaging.Button` checks that where a button is built.

Parsing checks shape only (digits are digits, names use a safe alphabet, actions are known).
Whether the session, reminder or entry a press names still exists is for its feature to say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar, Literal, get_args, get_type_hints

VERSION = "v1"
_NAME = re.compile(r"[A-Za-z0-9_./+:-]{1,50}")
# Whole numbers in their one canonical spelling: no sign, no leading zero, at most 12 digits.
_NUMBER = re.compile(r"0|[1-9][0-9]{0,11}")


class Press:
    """A button press; each subclass is one kind, with its tag and typed fields."""

    tag: ClassVar[str]

    def data(self) -> str:
        """The callback data that stands for this press."""
        values = [str(getattr(self, field.name)) for field in fields(self)]  # type: ignore[arg-type]
        return ":".join([VERSION, self.tag, *values])


# -- main menu ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuChoice(Press):
    """A /start menu button that explains a feature."""

    tag: ClassVar[str] = "menu"
    choice: Literal["ask", "safety"]


# -- ask and browse ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenEntry(Press):
    """Open an entry's card (from a did-you-mean or a related-entries list)."""

    tag: ClassVar[str] = "ask"
    entry_id: str


@dataclass(frozen=True)
class BrowseHome(Press):
    """The list of browse sections."""

    tag: ClassVar[str] = "br"


@dataclass(frozen=True)
class BrowseSection(Press):
    """The entries of one browse section."""

    tag: ClassVar[str] = "brs"
    section: str


@dataclass(frozen=True)
class BrowseEntry(Press):
    """An entry inside the browse menu, with a way back to its section."""

    tag: ClassVar[str] = "bre"
    section: str
    entry_id: str


# -- guided sessions -------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionMenu(Press):
    """The list of routines."""

    tag: ClassVar[str] = "sm"


@dataclass(frozen=True)
class SessionStart(Press):
    """Offer a routine as a guided session."""

    tag: ClassVar[str] = "ss"
    routine_id: str


@dataclass(frozen=True)
class SessionPractice(Press):
    """Offer a short practice drill of one technique."""

    tag: ClassVar[str] = "sp"
    technique_id: str


@dataclass(frozen=True)
class SessionReplace(Press):
    """Replace the running session with another plan (0 minutes: the plan's own length)."""

    tag: ClassVar[str] = "sr"
    kind: Literal["routine", "practice"]
    minutes: int
    entry_id: str


@dataclass(frozen=True)
class SessionKeep(Press):
    """Keep the running session instead of replacing it."""

    tag: ClassVar[str] = "sk"


@dataclass(frozen=True)
class SessionRate(Press):
    """Rate a finished session from 1 to 5 stars."""

    tag: ClassVar[str] = "sy"
    session_id: int
    stars: int

    def __post_init__(self) -> None:
        if not 1 <= self.stars <= 5:
            raise ValueError("stars run from 1 to 5")


@dataclass(frozen=True)
class SessionControl(Press):
    """Pause, resume, skip, stop or start a session, bound to the step the message showed."""

    tag: ClassVar[str] = "sc"
    action: Literal["pause", "resume", "skip", "stop", "go"]
    session_id: int
    step: int


# -- reminders and time zones ------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderMenu(Press):
    """Offer quick choices for a new reminder."""

    tag: ClassVar[str] = "rm"


@dataclass(frozen=True)
class ReminderNew(Press):
    """Add a daily reminder at hour:minute on the weekdays of ``days`` (bit 0 is Monday)."""

    tag: ClassVar[str] = "rn"
    hour: int
    minute: int
    days: int

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60 and 1 <= self.days <= 0b1111111):
            raise ValueError("not a time of day and a set of weekdays")


@dataclass(frozen=True)
class ReminderAct(Press):
    """Snooze, stop or delete one reminder."""

    tag: ClassVar[str] = "ra"
    action: Literal["snooze", "stop", "delete"]
    reminder_id: int


@dataclass(frozen=True)
class RemindersOff(Press):
    """Delete every reminder of the chat."""

    tag: ClassVar[str] = "ro"


@dataclass(frozen=True)
class ZoneSet(Press):
    """Use this IANA time zone for the chat's reminders."""

    tag: ClassVar[str] = "tz"
    zone: str


# -- privacy and admin -------------------------------------------------------------------------


@dataclass(frozen=True)
class ForgetConfirm(Press):
    """Delete the chat's data; ``asked_at`` (Unix seconds) lets an old confirmation expire."""

    tag: ClassVar[str] = "pf"
    asked_at: int


@dataclass(frozen=True)
class PrivacyKeep(Press):
    """Keep the chat's data after all."""

    tag: ClassVar[str] = "pk"


@dataclass(frozen=True)
class BroadcastSend(Press):
    """Send a prepared announcement."""

    tag: ClassVar[str] = "bs"
    broadcast_id: int


@dataclass(frozen=True)
class BroadcastCancel(Press):
    """Drop a prepared announcement."""

    tag: ClassVar[str] = "bc"
    broadcast_id: int


KINDS: tuple[type[Press], ...] = (
    MenuChoice,
    OpenEntry,
    BrowseHome,
    BrowseSection,
    BrowseEntry,
    SessionMenu,
    SessionStart,
    SessionPractice,
    SessionReplace,
    SessionKeep,
    SessionRate,
    SessionControl,
    ReminderMenu,
    ReminderNew,
    ReminderAct,
    RemindersOff,
    ZoneSet,
    ForgetConfirm,
    PrivacyKeep,
    BroadcastSend,
    BroadcastCancel,
)
_BY_TAG: dict[str, type[Press]] = {kind.tag: kind for kind in KINDS}
_HINTS: dict[type[Press], dict[str, object]] = {kind: get_type_hints(kind) for kind in KINDS}


def _value(text: str, annotation: object) -> object:
    if annotation in (int, "int"):
        if not _NUMBER.fullmatch(text):
            raise ValueError(text)
        return int(text)
    choices = get_args(annotation)
    if choices:
        if text not in choices:
            raise ValueError(text)
        return text
    if not _NAME.fullmatch(text):
        raise ValueError(text)
    return text


def parse(data: str) -> Press | None:
    """The press that ``data`` stands for; None for anything forged, old or malformed."""
    version, _, rest = data.partition(":")
    tag, _, values = rest.partition(":")
    kind = _BY_TAG.get(tag)
    if version != VERSION or kind is None:
        return None
    wanted = fields(kind)  # type: ignore[arg-type]
    parts = values.split(":", len(wanted) - 1) if wanted else []
    if len(parts) != len(wanted) or (not wanted and values):
        return None
    try:
        arguments = {
            field.name: _value(part, _HINTS[kind][field.name])
            for field, part in zip(wanted, parts, strict=True)
        }
        press = kind(**arguments)
    except (ValueError, TypeError):
        return None
    # One spelling per press: "v1:br:" or a number with a leading zero is not ours.
    return press if press.data() == data else None


def matches(*kinds: type[Press]) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern that takes the data of these kinds of press."""

    def pattern(data: object) -> bool:
        return isinstance(data, str) and isinstance(parse(data), kinds)

    return pattern
