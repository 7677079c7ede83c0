"""Reminder core: every accepted and rejected form, zones, next-fire times across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.parse import parse_schedule
from bot.reminders.schedule import (
    EVERY_DAY,
    WEEKDAYS,
    WEEKENDS,
    ReminderError,
    Schedule,
    next_fire,
    zone_for,
)
from bot.reminders.zones import ZoneError, ZoneIndex

MON, TUE, WED, THU, FRI, SAT, SUN = (1 << day for day in range(7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:30", Schedule(21, 30)),
        ("7:30 weekdays", Schedule(7, 30, WEEKDAYS)),
        ("9pm mon wed fri", Schedule(21, 0, MON | WED | FRI)),
        ("every day at 9pm", Schedule(21, 0)),
        ("every evening at 9", Schedule(21, 0)),
        ("weekdays at 7:30", Schedule(7, 30, WEEKDAYS)),
        ("9:30 PM", Schedule(21, 30)),
        ("9.30pm", Schedule(21, 30)),
        ("9 p.m.", Schedule(21, 0)),
        ("7 am weekends", Schedule(7, 0, WEEKENDS)),
        ("12am", Schedule(0, 0)),
        ("12pm", Schedule(12, 0)),
        ("noon", Schedule(12, 0)),
        ("midnight sundays", Schedule(0, 0, SUN)),
        ("2130", Schedule(21, 30)),
        ("21h30", Schedule(21, 30)),
        ("0:05", Schedule(0, 5)),
        ("mon-fri 6:45", Schedule(6, 45, WEEKDAYS)),
        ("fri-mon 22:00", Schedule(22, 0, FRI | SAT | SUN | MON)),
        ("Tuesday and Thursday at 8 in the morning", Schedule(8, 0, TUE | THU)),
        ("every monday at 7", Schedule(7, 0, MON)),
        ("daily 10 o'clock", Schedule(10, 0)),
        ("21:00 in the evening", Schedule(21, 0)),
        ("sat, sun 10:15", Schedule(10, 15, WEEKENDS)),
    ],
)
def test_accepted_forms(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("25:00", "hours go from 0 to 23"),
        ("24:00", "hours go from 0 to 23"),
        ("9.75", "minutes go from 00 to 59"),
        ("9:5", "minutes go from 00 to 59"),
        ("tomorrow-ish", "didn't understand “tomorrow-ish”"),
        ("", "When should I remind you"),
        ("weekdays", "need a time of day"),
        ("13pm", "with am/pm, hours go 1 to 12"),
        ("0am", "with am/pm, hours go 1 to 12"),
        ("9 and 10", "One time per reminder"),
        ("9:30:15", "not a time of day"),
        ("9 <b>", "&lt;"),  # echoed input is escaped
        ("x" * 500, "too long"),
        ("2560", "not a time of day"),
    ],
)
def test_rejected_forms_say_what_is_accepted(text: str, says: str) -> None:
    with pytest.raises(ReminderError) as caught:
        parse_schedule(text)
    assert says in str(caught.value)


def test_schedule_describes_itself() -> None:
    assert Schedule(21, 30).describe() == "every day at 21:30"
    assert Schedule(7, 5, WEEKDAYS).describe() == "weekdays at 07:05"
    assert Schedule(9, 0, MON | FRI).describe() == "Mon, Fri at 09:00"


# -- zones ------------------------------------------------------------------------------------

ZONES = ZoneIndex()


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("Berln", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New Yrok", "America/New_York"),
        ("in london", "Europe/London"),
        ("Mumbai", "Asia/Kolkata"),
        ("munich", "Europe/Berlin"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("UTC+2", "UTC+02:00"),
        ("utc -5", "UTC-05:00"),
        ("-5", "UTC-05:00"),
        ("+5:30", "UTC+05:30"),
        ("GMT+0545", "UTC+05:45"),
        ("+0", "UTC"),
        ("UTC+14", "UTC+14:00"),
    ],
)
def test_zone_resolution(text: str, zone: str) -> None:
    assert ZONES.resolve(text) == zone
    assert zone in ZONES
    zone_for(zone)  # loads


@pytest.mark.parametrize("text", ["Springfield", "Mars/Olympus", "+15", "-13", "+5:20", "", "ab"])
def test_unknown_zones_are_refused_with_what_is_accepted(text: str) -> None:
    with pytest.raises(ZoneError) as caught:
        ZONES.resolve(text)
    assert "UTC+2" in str(caught.value)


def test_forged_zone_names_are_not_zones() -> None:
    assert "Not/AZone" not in ZONES
    assert "UTC+99:00" not in ZONES and "UTC+02:00" in ZONES


def test_offset_zones_are_fixed() -> None:
    assert zone_for("UTC+05:30").utcoffset(None) == timedelta(hours=5, minutes=30)
    assert zone_for("UTC-05:00").utcoffset(None) == timedelta(hours=-5)


# -- next fire --------------------------------------------------------------------------------


def _fires(schedule: Schedule, zone: str, start: datetime, count: int) -> list[datetime]:
    tz = ZoneInfo(zone)
    moment = start.timestamp()
    fires = []
    for _ in range(count):
        moment = next_fire(schedule, tz, moment)
        fires.append(datetime.fromtimestamp(moment, tz))
    return fires


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
@pytest.mark.parametrize("clock", [(21, 30), (7, 30), (0, 0)])
def test_wall_clock_time_is_kept_across_dst(
    zone: str, spring: date, autumn: date, clock: tuple[int, int]
) -> None:
    for change in (spring, autumn):
        midnight = datetime.combine(
            change - timedelta(days=3), datetime.min.time(), ZoneInfo(zone)
        )
        start = midnight - timedelta(minutes=1)
        fires = _fires(Schedule(*clock), zone, start, 7)
        assert [f.date() for f in fires] == [
            change - timedelta(days=3) + timedelta(days=i) for i in range(7)
        ]
        assert all((f.hour, f.minute) == clock for f in fires)
        gaps = {round((b - a).total_seconds() / 3600) for a, b in pairwise(fires)}
        assert gaps <= {23, 24, 25}


@pytest.mark.parametrize(
    ("zone", "day", "clock", "fires_at"),
    [
        # Spring: 02:30 does not exist that night; it fires once, at 03:30 on the wall clock.
        ("Europe/Berlin", date(2026, 3, 29), (2, 30), (3, 30)),
        ("America/New_York", date(2026, 3, 8), (2, 30), (3, 30)),
        # Autumn: 02:30 (Berlin) and 01:30 (New York) happen twice; it fires once, the first.
        ("Europe/Berlin", date(2026, 10, 25), (2, 30), (2, 30)),
        ("America/New_York", date(2026, 11, 1), (1, 30), (1, 30)),
    ],
)
def test_change_night_times_fire_exactly_once(
    zone: str, day: date, clock: tuple[int, int], fires_at: tuple[int, int]
) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day - timedelta(days=1), datetime.min.time(), tz)
    fires = _fires(Schedule(*clock), zone, start, 3)
    assert [f.date() for f in fires] == [day - timedelta(days=1), day, day + timedelta(days=1)]
    change_night = fires[1]
    assert (change_night.hour, change_night.minute) == fires_at
    assert change_night.fold == 0
    # Asking again from any moment during the repeated hour gives the next day, not a repeat.
    for minutes in range(0, 120, 10):
        later = change_night.timestamp() + minutes * 60
        assert datetime.fromtimestamp(next_fire(Schedule(*clock), tz, later), tz).date() == (
            day + timedelta(days=1)
        )


def test_weekday_sets_skip_other_days() -> None:
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 6, 5, 22, 0, tzinfo=tz)  # a Friday, after 21:30
    fires = _fires(Schedule(21, 30, WEEKDAYS), "Europe/Berlin", start, 5)
    assert [f.strftime("%a %d") for f in fires] == [
        "Mon 08",
        "Tue 09",
        "Wed 10",
        "Thu 11",
        "Fri 12",
    ]
    weekly = _fires(Schedule(9, 0, SUN), "Europe/Berlin", start, 2)
    assert [f.strftime("%a %d %H:%M") for f in weekly] == ["Sun 07 09:00", "Sun 14 09:00"]


def test_next_fire_is_strictly_after() -> None:
    tz = ZoneInfo("UTC")
    at = datetime(2026, 1, 1, 21, 30, tzinfo=UTC).timestamp()
    assert next_fire(Schedule(21, 30), tz, at) == at + 86400
    assert next_fire(Schedule(21, 30), tz, at - 1) == at


def test_offset_zone_next_fire() -> None:
    fire = next_fire(
        Schedule(9, 0), zone_for("UTC+05:30"), datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    )
    assert datetime.fromtimestamp(fire, UTC) == datetime(2026, 1, 1, 3, 30, tzinfo=UTC)


def test_every_day_mask() -> None:
    assert EVERY_DAY == 127 and Schedule(1, 0).weekdays == EVERY_DAY
