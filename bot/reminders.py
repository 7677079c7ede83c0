"""Daily reminders as pure logic: read what people type, resolve zones, compute fire times.

Nothing here touches the database or the clock; ``bot.reminder_service`` does.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from datetime import time as wall_time

from rapidfuzz import fuzz, process, utils

from bot.text import html_text

MAX_REMINDERS = 5
SNOOZE_SECONDS = 15 * 60
# A reminder that fell due while the bot was down is still worth sending this late, once.
CATCH_UP_SECONDS = 60 * 60
QUICK_ROUTINE = "routine.quick-relax"

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111
WEEKENDS = 0b1100000

ACCEPTED = (
    "Send a time like <code>21:30</code>, <code>7:30 weekdays</code> or "
    "<code>9pm mon wed fri</code> (days: mon–sun, weekdays, weekends, every day)."
)


class ReminderError(ValueError):
    """Input a person typed that cannot become a reminder; the message says why (HTML-safe)."""


class ZoneError(ValueError):
    """A time zone answer that matches no zone; the message says what is accepted."""


# -- schedules --------------------------------------------------------------------------------


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
    return ", ".join(name for bit, name in enumerate(DAY_NAMES) if mask >> bit & 1)


_DAY_WORDS: dict[str, int] = {}
for _bit, _names in enumerate(
    (
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    )
):
    for _name in _names:
        _DAY_WORDS[_name] = 1 << _bit
        _DAY_WORDS[_name + "s"] = 1 << _bit

_SET_WORDS = {
    "weekday": WEEKDAYS,
    "weekdays": WEEKDAYS,
    "workday": WEEKDAYS,
    "workdays": WEEKDAYS,
    "weekend": WEEKENDS,
    "weekends": WEEKENDS,
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
    "day": EVERY_DAY,
    "days": EVERY_DAY,
}
_NAMED_TIMES: dict[str, tuple[int, int, str | None]] = {
    "noon": (12, 0, None),
    "midnight": (0, 0, None),
}
_PM_WORDS = {"evening", "evenings", "night", "nights", "tonight", "afternoon", "afternoons"}
_AM_WORDS = {"morning", "mornings"}
_FILLER = {
    "remind",
    "me",
    "us",
    "every",
    "each",
    "at",
    "on",
    "and",
    "the",
    "in",
    "a",
    "to",
    "relax",
    "please",
    "around",
    "about",
    "oclock",
    "from",
    "of",
    "only",
    "reminder",
    "set",
    "my",
    "daily-reminder",
}

_TOKEN = re.compile(r"\d+(?:[:.h]\d+)*\s*(?:[ap]\.?m\b\.?)?|[a-z]+(?:-[a-z]+)*|\S")
_TIME = re.compile(r"^(\d+)(?:[:.h](\d+))?(?:[:.h](\d+))?\s*([ap])?\.?m?\.?$")


def parse_schedule(text: str) -> Schedule:
    """Read '21:30', '7:30 weekdays', '9pm mon wed fri', 'every evening at 9'.

    Raises:
        ReminderError: saying what was not understood and what is accepted.
    """
    cleaned = text.lower().replace("o'clock", "oclock").replace("’", "'").strip()
    if not cleaned:
        raise ReminderError(f"When should I remind you? {ACCEPTED}")
    if len(cleaned) > 200:
        raise ReminderError(f"That is too long for a reminder time. {ACCEPTED}")
    times: list[tuple[int, int | None, str | None, str]] = []
    days = 0
    half: str | None = None
    unknown: list[str] = []
    tokens = _TOKEN.findall(cleaned)
    for index, token in enumerate(tokens):
        if token[0].isdigit():
            times.append(_read_time(token))
        elif token in _DAY_WORDS:
            days |= _DAY_WORDS[token]
        elif "-" in token and _day_range(token) is not None:
            days |= _day_range(token) or 0
        elif token in _SET_WORDS:
            # "every day" only matters when no day is named; "every monday" means Mondays.
            days |= _SET_WORDS[token] if _SET_WORDS[token] != EVERY_DAY else 0
        elif token in _NAMED_TIMES:
            times.append((*_NAMED_TIMES[token], token))
        elif token in _PM_WORDS:
            half = "p"
        elif token in _AM_WORDS:
            half = "a"
        elif token in ("am", "pm") and times and times[-1][2] is None:
            hour, minute, _, raw = times[-1]
            times[-1] = (hour, minute, token[0], raw + token)
        elif token in _FILLER or token in ",;&'.!":
            continue
        else:
            unknown.append(tokens[index])
    if unknown:
        shown = html_text(" ".join(unknown)[:40])
        raise ReminderError(f"I didn't understand “{shown}”. {ACCEPTED}")
    if not times:
        raise ReminderError(f"I need a time of day. {ACCEPTED}")
    if len(times) > 1:
        raise ReminderError(
            "One time per reminder, please: send a second /remind for another time."
        )
    hour, minute, suffix, raw = times[0]
    hour = (
        _apply_half(hour, suffix, raw, explicit=True) if suffix else _apply_half(hour, half, raw)
    )
    return Schedule(hour, minute or 0, days or EVERY_DAY)


def _read_time(token: str) -> tuple[int, int | None, str | None, str]:
    match = _TIME.match(token.replace(" ", ""))
    if match is None or match[3] is not None:
        raise ReminderError(f"“{html_text(token[:20])}” is not a time of day. {ACCEPTED}")
    hour = int(match[1])
    if match[2] is None and len(match[1]) == 4:
        # "2130", as in military time
        hour, minute4 = divmod(hour, 100)
        if hour > 23 or minute4 > 59:
            raise ReminderError(f"“{html_text(token[:20])}” is not a time of day. {ACCEPTED}")
        return hour, minute4, match[4], token
    if match[2] is not None and len(match[2]) != 2:
        raise ReminderError(
            f"“{html_text(token[:20])}” is not a time of day: minutes go from 00 to 59."
        )
    minute = int(match[2]) if match[2] is not None else None
    if minute is not None and minute > 59:
        raise ReminderError(
            f"“{html_text(token[:20])}” is not a time of day: minutes go from 00 to 59."
        )
    if hour > 23:
        raise ReminderError(
            f"“{html_text(token[:20])}” is not a time of day: "
            "hours go from 0 to 23 (or 1 to 12 with am/pm)."
        )
    return hour, minute, match[4], token


def _apply_half(hour: int, half: str | None, raw: str, *, explicit: bool = False) -> int:
    if half is None:
        return hour
    if not 1 <= hour <= 12:
        if not explicit and (hour == 0 or hour > 12):
            return hour  # "21:00 in the evening": already unambiguous
        raise ReminderError(
            f"“{html_text(raw[:20])}” is not a time of day: with am/pm, hours go 1 to 12."
        )
    if half == "p":
        return 12 if hour == 12 else hour + 12
    return 0 if hour == 12 else hour


def _day_range(token: str) -> int | None:
    first, _, last = token.partition("-")
    if first not in _DAY_WORDS or last not in _DAY_WORDS:
        return None
    start, end = _DAY_WORDS[first].bit_length() - 1, _DAY_WORDS[last].bit_length() - 1
    mask, day = 0, start
    while True:
        mask |= 1 << day
        if day == end:
            return mask
        day = (day + 1) % 7


# -- text intents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    """What a plain-words message asks of the reminder feature."""

    action: str  # "set", "off" or "list"
    rest: str = ""


_OFF = re.compile(
    r"^(?:please\s+)?(?:stop|cancel|turn\s+off|switch\s+off|disable|delete|remove|no\s+more)\s+"
    r"(?:reminding\s+me|(?:my\s+|the\s+|all\s+|these\s+|daily\s+)*reminders?)\b[\s.!]*$"
)
_LIST = re.compile(r"^(?:show|list|see)?\s*(?:me\s+)?(?:my|all)\s+reminders\??$")
_SET = re.compile(
    r"^(?:please\s+|can\s+you\s+|could\s+you\s+)?"
    r"(?:remind\s+me|set\s+(?:a\s+|an\s+|my\s+)?(?:daily\s+)?reminder)\b(?P<rest>.*)$"
)
_TIME_HINT = re.compile(r"\d|\b(?:noon|midnight|morning|evening|night)\b")


def parse_intent(text: str) -> Intent | None:
    """Recognise 'remind me every day at 9pm', 'stop reminding me'; None when not ours."""
    cleaned = " ".join(text.lower().split())
    if len(cleaned) > 200:
        return None
    if _OFF.match(cleaned):
        return Intent("off")
    if _LIST.match(cleaned):
        return Intent("list")
    match = _SET.match(cleaned)
    # "remind me how to knead" is a question, not a reminder: it must mention a time.
    if match and _TIME_HINT.search(match["rest"]):
        return Intent("set", match["rest"].strip(" ,.!"))
    return None


# -- time zones -------------------------------------------------------------------------------

UTC_NAME = "UTC"
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
_NAMED_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")

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

# The zone buttons offered when a chat has none yet: (label, zone name).
COMMON_ZONES: tuple[tuple[str, str], ...] = (
    ("London", "Europe/London"),
    ("Berlin", "Europe/Berlin"),
    ("Moscow", "Europe/Moscow"),
    ("New York", "America/New_York"),
    ("Chicago", "America/Chicago"),
    ("Los Angeles", "America/Los_Angeles"),
    ("India", "Asia/Kolkata"),
    ("Tokyo", "Asia/Tokyo"),
    ("Sydney", "Australia/Sydney"),
    ("UTC", "UTC"),
)

ZONE_HELP = (
    "Send a city (<i>Berlin</i>, <i>New York</i>), a zone name (<i>Europe/Berlin</i>) "
    "or an offset (<i>UTC+2</i>, <i>-5</i>)."
)


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
            raise ZoneError(f"I don't know that time zone. {ZONE_HELP}")
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
        raise ZoneError(f"I don't know the time zone “{html_text(query[:40])}”. {ZONE_HELP}")


def _offset_name(sign: str, hours: int, minutes: int) -> str:
    total = hours * 60 + minutes
    if minutes not in (0, 30, 45) or total > (14 * 60 if sign == "+" else 12 * 60):
        raise ZoneError(f"That offset does not exist on Earth. {ZONE_HELP}")
    if total == 0:
        return UTC_NAME
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _is_offset(name: str) -> bool:
    match = _NAMED_OFFSET.match(name)
    if match is None:
        return False
    try:
        return _offset_name(match[1], int(match[2]), int(match[3])) == name
    except ZoneError:
        return False


def zone_for(name: str) -> tzinfo:
    """The tzinfo of a stored zone name ('Europe/Berlin', 'UTC', 'UTC+05:30')."""
    match = _NAMED_OFFSET.match(name)
    if match:
        minutes = int(match[2]) * 60 + int(match[3])
        return timezone(timedelta(minutes=minutes if match[1] == "+" else -minutes), name)
    if name == UTC_NAME:
        return UTC
    return zoneinfo.ZoneInfo(name)


def local_clock(zone_name: str, now: float) -> str:
    """The time it is now in a zone, as 'HH:MM'."""
    return datetime.fromtimestamp(now, zone_for(zone_name)).strftime("%H:%M")


# -- timing -----------------------------------------------------------------------------------


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


# -- callback data ----------------------------------------------------------------------------


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
