"""Property: a reminder fires exactly once on every local day it is set for, also across
daylight-saving changes, in zones drawn from the newest tzdata (the package's rules)."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import date, datetime, time, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.reminders import RULES
from bot.reminders.schedule import EVERY_DAY, Schedule, next_fire
from bot.reminders.zone_rules import data_file

# Every zone a place uses (zone.tab), plus ones with unusual changes.
PLACES = sorted(
    line.split("\t")[2].strip()
    for line in data_file("zone.tab").splitlines()
    if line and not line.startswith("#")
)


@functools.cache
def changes(zone_name: str) -> tuple[date, ...]:
    """Local dates in 2026-2030 on which the zone's UTC offset changes."""
    zone = zoneinfo.ZoneInfo(zone_name)
    found = []
    day = date(2026, 1, 1)
    before = datetime.combine(day, time(), zone).utcoffset()
    while day < date(2031, 1, 1):
        day += timedelta(days=1)
        offset = datetime.combine(day, time(), zone).utcoffset()
        if offset != before:
            found.append(day - timedelta(days=1))
        before = offset
    return tuple(found)


@st.composite
def around_a_change(draw: st.DrawFn) -> tuple[str, date]:
    """A zone and a date a few days before one of its offset changes (any date if none)."""
    name = draw(st.sampled_from(PLACES))
    dates = changes(name)
    if not dates:
        return name, draw(st.dates(date(2026, 1, 1), date(2030, 12, 20)))
    change = draw(st.sampled_from(dates))
    return name, change - timedelta(days=draw(st.integers(0, 3)))


def fires_per_day(schedule: Schedule, zone_name: str, start: date, days: int) -> dict[date, int]:
    zone = zoneinfo.ZoneInfo(zone_name)
    moment = datetime.combine(start, time(), zone).timestamp() - 1
    end = start + timedelta(days=days)
    counts: dict[date, int] = {}
    while True:
        moment = next_fire(schedule, zone, moment)
        local = datetime.fromtimestamp(moment, zone)
        day = local.date()
        if (local.hour, local.minute) != (schedule.hour, schedule.minute):
            # A skipped wall time fires at the first instant after the gap. It belongs to the
            # day of the wall time it stands for, which differs where the gap ends at midnight
            # (America/Scoresbysund, 2026-03-28: 23:00 -> 00:00, the 23:00 of the 28th).
            before = datetime.fromtimestamp(moment - 6 * 3600, zone).utcoffset()
            after = local.utcoffset()
            assert before is not None and after is not None
            day = (local.replace(tzinfo=None) - (after - before)).date()
        if day >= end:
            return counts
        counts[day] = counts.get(day, 0) + 1


@settings(max_examples=400, deadline=None)
@given(
    place=around_a_change(),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 1, 15, 29, 30, 45, 59]),
    weekdays=st.one_of(st.just(EVERY_DAY), st.integers(1, EVERY_DAY)),
)
@example(place=("America/Vancouver", date(2026, 10, 30)), hour=1, minute=30, weekdays=EVERY_DAY)
@example(place=("America/Havana", date(2026, 3, 6)), hour=0, minute=0, weekdays=EVERY_DAY)
@example(place=("Australia/Lord_Howe", date(2026, 4, 3)), hour=1, minute=45, weekdays=EVERY_DAY)
@example(place=("America/Nuuk", date(2026, 3, 26)), hour=22, minute=30, weekdays=EVERY_DAY)
@example(place=("America/Scoresbysund", date(2026, 3, 28)), hour=23, minute=0, weekdays=EVERY_DAY)
@example(place=("Europe/Berlin", date(2026, 3, 27)), hour=2, minute=30, weekdays=EVERY_DAY)
@example(place=("Europe/Berlin", date(2026, 10, 23)), hour=2, minute=30, weekdays=EVERY_DAY)
def test_fires_exactly_once_per_local_day_through_dst(
    place: tuple[str, date], hour: int, minute: int, weekdays: int
) -> None:
    zone_name, start = place
    schedule = Schedule(hour, minute, weekdays)
    counts = fires_per_day(schedule, zone_name, start, days=8)
    expected = {
        start + timedelta(days=n): 1
        for n in range(8)
        if schedule.runs_on((start + timedelta(days=n)).weekday())
    }
    assert counts == expected, (zone_name, changes(zone_name))


def test_the_property_runs_on_the_newest_rules() -> None:
    assert RULES.source == "tzdata package" and len(PLACES) > 300
