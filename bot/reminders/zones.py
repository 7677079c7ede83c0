"""What people type for a time zone -> a stored zone name (or a question, or a refusal).

Read in this order: UTC and its synonyms; pseudo-zones (refused); abbreviations and
everyday names such as EST, Eastern, IST, CET (a region zone that follows daylight saving,
or a question with buttons when the name fits several places); a fixed offset that some
place uses; a tz database name (old names become the current one); a city, also in its
own language (Zürich, München, Tokio); a close misspelling of a city.

Link and place lists come from the rules in use (tzdata.zi, zone.tab), so a rename in a
new tzdata release is followed without touching this file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process, utils

from bot.reminders import replies
from bot.reminders.schedule import NAMED_OFFSET, UTC_NAME
from bot.reminders.zone_rules import data_file


class ZoneError(ValueError):
    """A time zone answer that matches no zone; the message says what is accepted."""


@dataclass(frozen=True)
class ZoneMatch:
    """The zone a name was read as; ``note`` (HTML) says how, when that is not obvious."""

    zone: str
    note: str = ""


@dataclass(frozen=True)
class ZoneChoice:
    """A name several places use: ask which one, with a button each (label, zone)."""

    typed: str
    options: tuple[tuple[str, str], ...]


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
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?:[:.h]?(\d{2}))?\s*h?$")
_UTC_WORDS = {"utc", "gmt", "z", "utc+0", "gmt+0", "+0", "0", "utc0", "zulu", "universal"}
_UTC_WORDS |= {"utc-0", "gmt-0", "-0", "etc/utc", "etc/gmt", "uct", "greenwich", "utc+00:00"}
_PSEUDO = re.compile(r"^(?:localtime|posixrules|factory|(?:posix|right|systemv)/.*)$")
_SUFFIXES = (" standard time", " daylight time", " time zone", " timezone", " time")

# Abbreviations and everyday names -> (zone, what it was read as, a hint for the other
# places that use it). Each zone follows its region's daylight saving, unlike the fixed
# EST/MST/HST entries of the tz database.
_US_EAST = ("America/New_York", "US Eastern time", "")
_US_CENTRAL = ("America/Chicago", "US Central time", "China? send <i>Shanghai</i>.")
_US_MOUNTAIN = ("America/Denver", "US Mountain time", "Arizona? send <i>Phoenix</i>.")
_US_PACIFIC = ("America/Los_Angeles", "US Pacific time", "")
_CET = ("Europe/Berlin", "Central European time", "")
_AUS_EAST = ("Australia/Sydney", "Australian Eastern time", "Queensland? send <i>Brisbane</i>.")
ZONE_WORDS: Mapping[str, tuple[str, str, str]] = {
    **dict.fromkeys(("est", "edt", "et", "eastern", "us eastern", "us/eastern"), _US_EAST),
    **dict.fromkeys(("cst", "cdt", "ct", "central", "us central"), _US_CENTRAL),
    **dict.fromkeys(("mst", "mdt", "mt", "mountain", "us mountain"), _US_MOUNTAIN),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific", "us pacific"), _US_PACIFIC),
    **dict.fromkeys(("akst", "akdt", "alaska"), ("America/Anchorage", "Alaska time", "")),
    **dict.fromkeys(("hst", "hawaii"), ("Pacific/Honolulu", "Hawaii time", "")),
    **dict.fromkeys(("nst", "ndt", "newfoundland"), ("America/St_Johns", "Newfoundland time", "")),
    **dict.fromkeys(("adt", "atlantic"), ("America/Halifax", "Atlantic time", "")),
    "ist": (
        "Asia/Kolkata",
        "India time",
        "Israel? send <i>Jerusalem</i>. Ireland? <i>Dublin</i>.",
    ),
    "bst": ("Europe/London", "British time", "Bangladesh? send <i>Dhaka</i>."),
    **dict.fromkeys(("uk time", "british"), ("Europe/London", "British time", "")),
    **dict.fromkeys(("cet", "cest", "central european", "central europe", "met"), _CET),
    **dict.fromkeys(
        ("wet", "west", "western european"), ("Europe/Lisbon", "Western European time", "")
    ),
    **dict.fromkeys(("msk", "moscow time"), ("Europe/Moscow", "Moscow time", "")),
    **dict.fromkeys(("aest", "aedt", "australian eastern"), _AUS_EAST),
    **dict.fromkeys(("acst", "acdt"), ("Australia/Adelaide", "Australian Central time", "")),
    "awst": ("Australia/Perth", "Australian Western time", ""),
    **dict.fromkeys(("nzst", "nzdt"), ("Pacific/Auckland", "New Zealand time", "")),
    "jst": ("Asia/Tokyo", "Japan time", ""),
    "kst": ("Asia/Seoul", "Korea time", ""),
    "hkt": ("Asia/Hong_Kong", "Hong Kong time", ""),
    "sgt": ("Asia/Singapore", "Singapore time", ""),
    "pkt": ("Asia/Karachi", "Pakistan time", ""),
    "npt": ("Asia/Kathmandu", "Nepal time", ""),
    "ict": ("Asia/Bangkok", "Indochina time", ""),
    "wib": ("Asia/Jakarta", "Western Indonesia time", ""),
    "gst": ("Asia/Dubai", "Gulf time", ""),
    "sast": ("Africa/Johannesburg", "South African time", ""),
    "brt": ("America/Sao_Paulo", "Brasília time", ""),
    "art": ("America/Argentina/Buenos_Aires", "Argentina time", ""),
}
_EASTERN_EUROPE = (
    ("Athens", "Europe/Athens"),
    ("Helsinki", "Europe/Helsinki"),
    ("Kyiv", "Europe/Kyiv"),
    ("Bucharest", "Europe/Bucharest"),
    ("Cairo", "Africa/Cairo"),
    ("Beirut", "Asia/Beirut"),
)
# Names several places with different clocks use: the person picks.
AMBIGUOUS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "ast": (("Atlantic (Halifax)", "America/Halifax"), ("Arabia (Riyadh)", "Asia/Riyadh")),
    "sst": (("Samoa Standard (Pago Pago)", "Pacific/Pago_Pago"), ("Singapore", "Asia/Singapore")),
    "samoa": (("Samoa (Apia)", "Pacific/Apia"), ("American Samoa", "Pacific/Pago_Pago")),
    **dict.fromkeys(("eet", "eest", "eastern european", "eastern europe"), _EASTERN_EUROPE),
}

# Places people name that are not tz database cities, countries with one zone, and
# cities in their own language or an older spelling.
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
    "munchen": "Europe/Berlin",
    "muenchen": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "koln": "Europe/Berlin",
    "koeln": "Europe/Berlin",
    "nurnberg": "Europe/Berlin",
    "nuremberg": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "deutschland": "Europe/Berlin",
    "france": "Europe/Paris",
    "spain": "Europe/Madrid",
    "espana": "Europe/Madrid",
    "barcelona": "Europe/Madrid",
    "sevilla": "Europe/Madrid",
    "italy": "Europe/Rome",
    "italia": "Europe/Rome",
    "roma": "Europe/Rome",
    "milan": "Europe/Rome",
    "milano": "Europe/Rome",
    "napoli": "Europe/Rome",
    "firenze": "Europe/Rome",
    "venezia": "Europe/Rome",
    "geneva": "Europe/Zurich",
    "geneve": "Europe/Zurich",
    "zuerich": "Europe/Zurich",
    "wien": "Europe/Vienna",
    "praha": "Europe/Prague",
    "warszawa": "Europe/Warsaw",
    "krakow": "Europe/Warsaw",
    "lisboa": "Europe/Lisbon",
    "bruxelles": "Europe/Brussels",
    "brussel": "Europe/Brussels",
    "kobenhavn": "Europe/Copenhagen",
    "athina": "Europe/Athens",
    "bucuresti": "Europe/Bucharest",
    "beograd": "Europe/Belgrade",
    "moskva": "Europe/Moscow",
    "moskau": "Europe/Moscow",
    "uk": "Europe/London",
    "england": "Europe/London",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "sankt peterburg": "Europe/Moscow",
    "kiev": "Europe/Kyiv",
    "kyiv": "Europe/Kyiv",
    "india": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "saigon": "Asia/Ho_Chi_Minh",
    "ho chi minh city": "Asia/Ho_Chi_Minh",
    "china": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "peking": "Asia/Shanghai",
    "japan": "Asia/Tokyo",
    "tokio": "Asia/Tokyo",
    "osaka": "Asia/Tokyo",
    "montreal": "America/Toronto",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "ciudad de mexico": "America/Mexico_City",
    "american samoa": "Pacific/Pago_Pago",
}


_FOLD = str.maketrans({"ø": "o", "ł": "l", "æ": "ae", "đ": "d", "ı": "i"})


def fold(text: str) -> str:
    """Lower case without accents: 'Zürich' -> 'zurich', 'Kraków' -> 'krakow'."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.translate(_FOLD)


def _links() -> dict[str, str]:
    """Link name -> target zone, from the tzdata.zi of the rules in use."""
    links: dict[str, str] = {}
    for line in data_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            links[name] = target
    return links


def _places() -> set[str]:
    """The zone names zone.tab lists: one or more per country, in current spelling."""
    return {
        line.split("\t")[2].strip()
        for line in data_file("zone.tab").splitlines()
        if line and not line.startswith("#")
    }


class ZoneIndex:
    """Every zone name and city people may type, built once at start-up."""

    def __init__(self, names: Iterable[str] | None = None) -> None:
        available = sorted(zoneinfo.available_timezones() if names is None else names)
        links, places = _links(), _places()
        self._by_lower = {name.lower(): name for name in available}
        # An old or merged name becomes the place name people know; zone.tab names stay.
        self._canonical = {
            name: name if name in places or name not in links else links[name]
            for name in available
        }
        cities: dict[str, str] = {}
        for name in sorted(available, key=lambda n: self._canonical[n] != n):
            if name.startswith(_AREAS):
                city = fold(name.rsplit("/", 1)[1].replace("_", " "))
                cities.setdefault(city, self._canonical[name])
        for alias, name in CITY_ALIASES.items():
            if name.lower() in self._by_lower:
                cities[alias] = self._by_lower[name.lower()]
        self._cities = cities
        self._city_names = tuple(cities)
        self._place_names = tuple(n for n in available if n in places)

    @functools.cached_property
    def _offsets(self) -> set[int]:
        # Built on the first offset typed, not at start-up: it loads every place's rules.
        return _offsets_in_use(self._place_names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._by_lower.values() or _is_offset(name))

    def resolve(self, text: str) -> str:
        """The zone for a name, city or offset (the first option when several fit).

        Raises:
            ZoneError: nothing matched well enough.
        """
        found = self.read(text)
        return found.zone if isinstance(found, ZoneMatch) else found.options[0][1]

    def read(self, text: str) -> ZoneMatch | ZoneChoice:
        """How a zone answer reads: one zone (maybe with a note), or a question.

        Raises:
            ZoneError: a pseudo-zone, an offset no place uses, or nothing close enough.
        """
        query = " ".join(text.strip().split())
        lower = fold(query).removeprefix("in ").strip()
        if not query or len(query) > 60:
            raise ZoneError(replies.unknown_zone())
        if lower in _UTC_WORDS:
            return ZoneMatch(UTC_NAME)
        if _PSEUDO.match(lower):
            raise ZoneError(replies.pseudo_zone(query))
        named = self._named(query, lower)
        if named is not None:
            return named
        offset = _OFFSET.match(lower)
        if offset:
            return ZoneMatch(self._offset(offset[1], int(offset[2]), int(offset[3] or 0)))
        exact = self._by_lower.get(lower.replace(" ", "_"))
        if exact is not None:
            canonical = self._canonical[exact]
            note = replies.renamed_zone(exact, canonical) if canonical != exact else ""
            return ZoneMatch(canonical, note)
        return ZoneMatch(self._city(query, lower.replace("_", " ")))

    def _named(self, query: str, lower: str) -> ZoneMatch | ZoneChoice | None:
        """Abbreviations and everyday names ('EST', 'Eastern time', 'Samoa')."""
        key = lower
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and key != suffix.strip():
                key = key.removesuffix(suffix)
                break
        if key in AMBIGUOUS:
            return ZoneChoice(query, AMBIGUOUS[key])
        if key not in ZONE_WORDS:
            return None
        zone, described, hint = ZONE_WORDS[key]
        daylight = len(_offsets_in_use([zone])) > 1
        return ZoneMatch(zone, replies.zone_read_as(query, described, zone, daylight, hint))

    def _offset(self, sign: str, hours: int, minutes: int) -> str:
        sign = "-" if sign == "−" else sign
        name = _offset_name(sign, hours, minutes)
        if name == UTC_NAME:
            return name
        total = (hours * 60 + minutes) * (1 if sign == "+" else -1)
        if total not in self._offsets:
            nearest = sorted(self._offsets, key=lambda used: (abs(used - total), used))[:2]
            raise ZoneError(replies.unused_offset(name, [_name_of(n) for n in sorted(nearest)]))
        return name

    def _city(self, query: str, city: str) -> str:
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


def _offsets_in_use(names: Iterable[str]) -> set[int]:
    """UTC offsets in minutes the zones use over the coming year."""
    year = datetime.now().year
    seen: set[int] = set()
    for name in names:
        zone = zoneinfo.ZoneInfo(name)
        for month in (1, 4, 7, 10):
            offset = datetime(year, month, 15, tzinfo=zone).utcoffset()
            if offset is not None:
                seen.add(int(offset.total_seconds()) // 60)
    return seen


def _name_of(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


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
