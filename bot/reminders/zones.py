"""What people type for a time zone ('Berlin', 'Europe/Berlin', 'UTC+2') -> a stored zone name."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process, utils

from bot.reminders import replies
from bot.reminders.schedule import NAMED_OFFSET, UTC_NAME


class ZoneError(ValueError):
    """A time zone answer that matches no zone; the message says what is accepted."""


_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:[:.h]?(\d{2}))?\s*h?$")

# Places people name that are not tz database cities, and countries with one zone.
CITY_ALIASES: Mapping[str, str] = {
    "new york city": "America/New_York",
    "nyc": "America/New_York",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "austin": "America/Chicago",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "france": "Europe/Paris",
    "spain": "Europe/Madrid",
    "barcelona": "Europe/Madrid",
    "italy": "Europe/Rome",
    "milan": "Europe/Rome",
    "geneva": "Europe/Zurich",
    "uk": "Europe/London",
    "england": "Europe/London",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "kiev": "Europe/Kyiv",
    "india": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "china": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "japan": "Asia/Tokyo",
    "osaka": "Asia/Tokyo",
    "montreal": "America/Toronto",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "krakow": "Europe/Warsaw",
}


class ZoneIndex:
    """Every zone name and city people may type, built once at start-up."""

    def __init__(self, names: Iterable[str] | None = None) -> None:
        available = sorted(zoneinfo.available_timezones() if names is None else names)
        self._by_lower = {name.lower(): name for name in available}
        cities: dict[str, str] = {}
        for name in available:
            if name.startswith(_AREAS):
                city = name.rsplit("/", 1)[1].replace("_", " ").lower()
                cities.setdefault(city, name)
        for alias, name in CITY_ALIASES.items():
            if name.lower() in self._by_lower:
                cities.setdefault(alias, self._by_lower[name.lower()])
        self._cities = cities
        self._city_names = tuple(cities)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._by_lower.values() or _is_offset(name))

    def resolve(self, text: str) -> str:
        """The canonical zone for a name, city or offset.

        Raises:
            ZoneError: nothing matched well enough.
        """
        query = " ".join(text.strip().split())
        lower = query.lower()
        if not query or len(query) > 60:
            raise ZoneError(replies.unknown_zone())
        if lower in ("utc", "gmt", "z", "utc+0", "gmt+0", "+0", "0", "utc0"):
            return UTC_NAME
        offset = _OFFSET.match(lower)
        if offset:
            return _offset_name(offset[1], int(offset[2]), int(offset[3] or 0))
        if lower.replace(" ", "_") in self._by_lower:
            return self._by_lower[lower.replace(" ", "_")]
        city = lower.replace("_", " ").removeprefix("in ").strip()
        if city in self._cities:
            return self._cities[city]
        if len(city) >= 4:
            best = process.extractOne(
                city,
                self._city_names,
                scorer=fuzz.ratio,
                processor=utils.default_process,
                score_cutoff=85,
            )
            if best is not None:
                return self._cities[best[0]]
        raise ZoneError(replies.unknown_zone(query))


def _offset_name(sign: str, hours: int, minutes: int) -> str:
    total = hours * 60 + minutes
    if minutes not in (0, 30, 45) or total > (14 * 60 if sign == "+" else 12 * 60):
        raise ZoneError(replies.no_such_offset())
    if total == 0:
        return UTC_NAME
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _is_offset(name: str) -> bool:
    match = NAMED_OFFSET.match(name)
    if match is None:
        return False
    try:
        return _offset_name(match[1], int(match[2]), int(match[3])) == name
    except ZoneError:
        return False
