"""The records the reminder feature passes between its store, service and replies."""

from __future__ import annotations

from dataclasses import dataclass

from bot.reminders.schedule import Schedule


@dataclass(frozen=True)
class Reminder:
    """One stored reminder, as the owner sees it."""

    id: int
    chat_id: int
    schedule: Schedule
    zone: str
    next_fire_at: float
    snooze_at: float | None = None
    paused: bool = False
    sent_count: int = 0


@dataclass(frozen=True)
class Pending:
    """The bot asked this chat for its zone; ``schedule`` is None for a plain /timezone."""

    schedule: Schedule | None


@dataclass(frozen=True)
class Added:
    """A reminder was saved."""

    reminder: Reminder
    resumed: int = 0


@dataclass(frozen=True)
class NeedZone:
    """The chat has no time zone yet: the reminder waits in ``reminder_pending``."""

    schedule: Schedule


@dataclass(frozen=True)
class ZoneSet:
    """The chat's zone was saved; maybe a waiting reminder was created and others moved."""

    zone: str
    created: Reminder | None = None
    moved: int = 0
