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
    more: tuple[Schedule, ...] = ()


@dataclass(frozen=True)
class Added:
    """A reminder was saved (and ``more`` when one message asked for several)."""

    reminder: Reminder
    resumed: int = 0
    more: tuple[Reminder, ...] = ()
    already: tuple[Schedule, ...] = ()  # asked for, but the chat had them before

    @property
    def reminders(self) -> tuple[Reminder, ...]:
        return (self.reminder, *self.more)


@dataclass(frozen=True)
class NeedZone:
    """The chat has no time zone yet: the reminders wait in ``reminder_pending``."""

    schedule: Schedule
    more: tuple[Schedule, ...] = ()


@dataclass(frozen=True)
class NoRoom:
    """Several reminders asked for, fewer free places: nothing saved, the person picks."""

    schedules: tuple[Schedule, ...]
    free: int


@dataclass(frozen=True)
class ZoneSet:
    """The chat's zone was saved; maybe a waiting reminder was created and others moved."""

    zone: str
    created: Reminder | None = None
    moved: int = 0
    more: tuple[Reminder, ...] = ()
