"""A reminder's wall-clock time and weekdays, a stored zone's tzinfo, and the next fire time.

Own code rather than a cron library: APScheduler's CronTrigger fires twice on repeated
hours and skips days after a spring-forward; one candidate per local date does not.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from datetime import time as wall_time

MAX_REMINDERS = 5
SNOOZE_SECONDS = 15 * 60
# A reminder that fell due while the bot was down is still worth sending this late, once.
CATCH_UP_SECONDS = 60 * 60

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111
WEEKENDS = 0b1100000


class ReminderError(ValueError):
    """Input a person typed that cannot become a reminder; the message says why (HTML-safe)."""


@dataclass(frozen=True)
class Schedule:
    """A wall-clock time on a set of weekdays (bit 0 is Monday)."""

    hour: int
    minute: int
    weekdays: int = EVERY_DAY

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"not a time of day: {self.hour}:{self.minute}")
        if not 1 <= self.weekdays <= EVERY_DAY:
            raise ValueError(f"weekday mask out of range: {self.weekdays}")

    def runs_on(self, weekday: int) -> bool:
        return bool(self.weekdays >> weekday & 1)

    @property
    def clock(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def describe(self) -> str:
        """'every day at 21:30', 'weekdays at 07:30', 'Mon, Wed, Fri at 21:00'."""
        return f"{describe_days(self.weekdays)} at {self.clock}"


def describe_days(mask: int) -> str:
    if mask == EVERY_DAY:
        return "every day"
    if mask == WEEKDAYS:
        return "weekdays"
    if mask == WEEKENDS:
        return "weekends"
    if bin(mask).count("1") == 6:
        return f"every day except {DAY_NAMES[(~mask & EVERY_DAY).bit_length() - 1]}"
    return ", ".join(name for bit, name in enumerate(DAY_NAMES) if mask >> bit & 1)


UTC_NAME = "UTC"
# How a fixed offset is stored: 'UTC+05:30'.
NAMED_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")


def zone_for(name: str) -> tzinfo:
    """The tzinfo of a stored zone name ('Europe/Berlin', 'UTC', 'UTC+05:30')."""
    match = NAMED_OFFSET.match(name)
    if match:
        minutes = int(match[2]) * 60 + int(match[3])
        return timezone(timedelta(minutes=minutes if match[1] == "+" else -minutes), name)
    if name == UTC_NAME:
        return UTC
    return zoneinfo.ZoneInfo(name)


def local_clock(zone_name: str, now: float) -> str:
    """The time it is now in a zone, as 'HH:MM'."""
    return datetime.fromtimestamp(now, zone_for(zone_name)).strftime("%H:%M")


def next_fire(schedule: Schedule, zone: tzinfo, after: float) -> float:
    """The first moment strictly after ``after`` when the schedule's wall clock comes round.

    One candidate per local date, so a repeated hour (autumn) fires once, at its first
    occurrence, and a skipped hour (spring) fires once, an hour later on the wall clock.
    """
    start: date = datetime.fromtimestamp(after, zone).date()
    for offset in range(8):
        day = start + timedelta(days=offset)
        if not schedule.runs_on(day.weekday()):
            continue
        instant = datetime.combine(
            day, wall_time(schedule.hour, schedule.minute), tzinfo=zone
        ).timestamp()
        if instant > after:
            return instant
    raise AssertionError("a non-empty weekday set recurs within 8 days")  # pragma: no cover
