"""The callback data of the reminder buttons (rem:…, tz:set:…), built and read here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reminders.schedule import EVERY_DAY, Schedule

QUICK_ROUTINE = "routine.quick-relax"


@dataclass(frozen=True)
class Press:
    """A parsed press on one of this feature's buttons."""

    action: str  # menu, new, snooze, stop, del, off, zone
    reminder_id: int = 0
    schedule: Schedule | None = None
    zone: str = ""


def menu_data() -> str:
    return "rem:menu"


def new_data(schedule: Schedule) -> str:
    return f"rem:new:{schedule.hour:02d}{schedule.minute:02d}:{schedule.weekdays}"


def snooze_data(reminder_id: int) -> str:
    return f"rem:snooze:{reminder_id}"


def stop_data(reminder_id: int) -> str:
    return f"rem:stop:{reminder_id}"


def delete_data(reminder_id: int) -> str:
    return f"rem:del:{reminder_id}"


def off_data() -> str:
    return "rem:off"


def zone_data(zone: str) -> str:
    return f"tz:set:{zone}"


def session_data() -> str:
    return f"ses:start:{QUICK_ROUTINE}"


_PRESS = re.compile(
    r"^(?:rem:(?P<plain>menu|off)"
    r"|rem:(?P<act>snooze|stop|del):(?P<id>\d{1,12})"
    r"|rem:new:(?P<hh>[01]\d|2[0-3])(?P<mm>[0-5]\d):(?P<mask>\d{1,3})"
    r"|tz:set:(?P<zone>[A-Za-z0-9_/+:-]{1,50}))$"
)


def parse_press(data: str) -> Press | None:
    """Read this feature's callback data; None for anything forged or malformed."""
    match = _PRESS.match(data)
    if match is None:
        return None
    if match["plain"]:
        return Press(match["plain"])
    if match["act"]:
        return Press(match["act"], reminder_id=int(match["id"]))
    if match["zone"]:
        return Press("zone", zone=match["zone"])
    mask = int(match["mask"])
    if not 1 <= mask <= EVERY_DAY:
        return None
    return Press("new", schedule=Schedule(int(match["hh"]), int(match["mm"]), mask))
