"""What people type for a reminder time -> one or more Schedules.

'21:30', '7:30 weekdays', '9pm mon wed fri', 'every evening at 9', 'Mo-Fr 19h',
'monday to friday at 7', 'every day except sunday at 8', 'at 8 morning and evening',
'half past nine at night', 'at nine pm'. Own code: dateutil and dateparser read one date,
not a recurring 'weekdays at 7:30', and neither knows that '1 at night' means 01:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.reminders import replies
from bot.reminders.schedule import (
    EVERY_DAY,
    MAX_REMINDERS,
    WEEKDAYS,
    WEEKENDS,
    ReminderError,
    Schedule,
)


class NeedTime(ReminderError):
    """A part of the day without a time ('remind me tonight'): ask which time."""

    def __init__(self, part: str, weekdays: int) -> None:
        super().__init__(replies.which_time(part))
        self.part = part
        self.weekdays = weekdays


_DAY_WORDS: dict[str, int] = {}
for _bit, _names in enumerate(
    (
        ("mon", "monday", "mo"),
        ("tue", "tues", "tuesday", "tu"),
        ("wed", "weds", "wednesday", "we"),
        ("thu", "thur", "thurs", "thursday", "th"),
        ("fri", "friday", "fr"),
        ("sat", "saturday", "sa"),
        ("sun", "sunday", "su"),
    )
):
    for _name in _names:
        _DAY_WORDS[_name] = 1 << _bit
        if len(_name) > 2:
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
    "week": EVERY_DAY,
}
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ],
        start=1,
    )
}
_MINUTE_WORDS = {
    "oh-five": 5,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
}
# Parts of the day: 'a' morning, 'p' afternoon/evening, 'n' night (small hours or late).
_PARTS = {
    "morning": "a",
    "mornings": "a",
    "afternoon": "p",
    "afternoons": "p",
    "evening": "p",
    "evenings": "p",
    "night": "n",
    "nights": "n",
    "tonight": "n",
    "nightly": "n",
}
_RANGE_WORDS = {"-", "to", "through", "thru", "till", "until"}
_EXCEPT_WORDS = {"except", "excluding", "not", "apart", "besides", "without"}
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
    "an",
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
    "reminders",
    "set",
    "my",
    "for",
    "all",
    "twice",
    "then",
    "also",
    "both",
    "daily-reminder",
    "but",
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "–": "-", "—": "-"})
_OCLOCK = re.compile(r"\bo\s*'?\s*clock\b")
_DOTTED_HALF = re.compile(r"(?<![a-z])([ap])\.\s?m\b\.?")
_TOKEN = re.compile(r"\d+(?:[:.h]\d+)*h?\s*(?:[ap]m\b)?|[a-z]+(?:-[a-z]+)*|\S")
_TIME = re.compile(r"^(\d+)(?:[:.h](\d+))?(?:[:.h](\d+))?h?\s*([ap])?m?$")


@dataclass
class _Time:
    """A time as typed: hour, minute, am/pm if given, and the parts of day that apply."""

    hour: int
    minute: int | None
    raw: str
    suffix: str | None = None  # 'a' or 'p', typed right after the time
    fixed: bool = False  # noon, midnight: no part of the day changes them
    parts: list[str] = field(default_factory=list)


@dataclass
class _Reading:
    """What the words of one message said, before they become schedules."""

    times: list[_Time] = field(default_factory=list)
    days: int = 0
    excluded: int = 0
    parts: list[str] = field(default_factory=list)  # in the order typed
    waiting_parts: list[str] = field(default_factory=list)  # seen before any time
    unknown: list[str] = field(default_factory=list)


def parse_schedules(text: str) -> list[Schedule]:
    """Every reminder one message asks for: '21:30', 'at 8 and at 20', 'mon-fri 7:30'.

    Raises:
        NeedTime: a part of the day but no time ('remind me tonight').
        ReminderError: saying what was not understood and what is accepted.
    """
    cleaned = _clean(text)
    if not cleaned:
        raise ReminderError(replies.no_time_given())
    if len(cleaned) > 200:
        raise ReminderError(replies.too_long())
    reading = _read([token.strip() for token in _TOKEN.findall(cleaned)])
    if reading.unknown:
        raise ReminderError(replies.not_understood(" ".join(reading.unknown)))
    days = (reading.days or EVERY_DAY) & ~reading.excluded
    if not days:
        raise ReminderError(replies.no_days_left())
    if not reading.times:
        if reading.parts:
            raise NeedTime(reading.parts[0], days)
        raise ReminderError(replies.need_a_time())
    schedules: list[Schedule] = []
    for clock in _clocks(reading):
        if Schedule(*clock, days) not in schedules:
            schedules.append(Schedule(*clock, days))
    if len(schedules) > MAX_REMINDERS:
        raise ReminderError(replies.too_many_times())
    return schedules


def parse_schedule(text: str) -> Schedule:
    """Exactly one reminder ('21:30', '7:30 weekdays', '9pm mon wed fri').

    Raises:
        ReminderError: not understood, or more than one time.
    """
    schedules = parse_schedules(text)
    if len(schedules) > 1:
        raise ReminderError(replies.one_time_only())
    return schedules[0]


def _clean(text: str) -> str:
    cleaned = text.lower().translate(_APOSTROPHES)
    cleaned = _OCLOCK.sub(" oclock", cleaned)
    return _DOTTED_HALF.sub(r"\1m", cleaned).strip()


def _read(tokens: list[str]) -> _Reading:
    reading = _Reading()
    excluding = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        used = _read_days(tokens, index, reading, excluding)
        if used:
            index += used
            continue
        used = _read_clock(tokens, index, reading)
        if used:
            excluding = False
            index += used
            continue
        if token in _EXCEPT_WORDS:
            excluding = True
        elif token == "but" and index and (tokens[index - 1] in _SET_WORDS):
            excluding = True  # "every day but sunday"
        elif token in _PARTS:
            _add_part(reading, _PARTS[token])
        elif token in ("am", "pm") and reading.times and reading.times[-1].suffix is None:
            reading.times[-1].suffix = token[0]
            reading.times[-1].raw += token
        elif token in ("noon", "midnight"):
            _add_named(reading, token, after_time=index > 0 and _is_time(tokens[index - 1]))
        elif token in _FILLER or token in ",;&'.!/+":
            pass
        elif "-" in token and all(_known(part) for part in token.split("-")):
            tokens[index : index + 1] = _split(token)
            continue
        else:
            reading.unknown.append(token)
        index += 1
    return reading


def _known(word: str) -> bool:
    return (
        word in _DAY_WORDS
        or word in _SET_WORDS
        or word in _PARTS
        or word in _FILLER
        or word in _NUMBER_WORDS
        or word in ("noon", "midnight")
    )


def _split(token: str) -> list[str]:
    parts: list[str] = []
    for word in token.split("-"):
        parts.extend((word, ","))
    return parts[:-1]


def _read_days(tokens: list[str], index: int, reading: _Reading, excluding: bool) -> int:
    """Days at ``tokens[index]``: a day, a range ('mon-fri', 'monday to friday') or a set
    ('weekdays'); how many tokens they took (0: none there)."""
    token = tokens[index]
    mask, used = 0, 0
    if token in _DAY_WORDS:
        after = tokens[index + 1 : index + 3]
        if len(after) == 2 and after[0] in _RANGE_WORDS and after[1] in _DAY_WORDS:
            mask, used = _day_range(token, after[1]), 3
        else:
            mask, used = _DAY_WORDS[token], 1
    elif "-" in token and token.count("-") == 1:
        first, last = token.split("-")
        if first in _DAY_WORDS and last in _DAY_WORDS:
            mask, used = _day_range(first, last), 1
    elif token in _SET_WORDS:
        # "every day" only matters when no day is named; "every monday" means Mondays.
        mask, used = (_SET_WORDS[token] if _SET_WORDS[token] != EVERY_DAY else 0), 1
    if excluding:
        reading.excluded |= mask
    else:
        reading.days |= mask
    return used


def _day_range(first: str, last: str) -> int:
    start, end = _DAY_WORDS[first].bit_length() - 1, _DAY_WORDS[last].bit_length() - 1
    mask, day = 0, start
    while True:
        mask |= 1 << day
        if day == end:
            return mask
        day = (day + 1) % 7


def _read_clock(tokens: list[str], index: int, reading: _Reading) -> int:
    """A time at ``tokens[index]`` ('21:30', 'nine thirty', 'half past 7'); tokens used."""
    token = tokens[index]
    nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
    after = tokens[index + 2] if index + 2 < len(tokens) else ""
    if token[0].isdigit():
        _add_time(reading, _read_time(token))
        return 1
    if token in _NUMBER_WORDS:
        hour = _NUMBER_WORDS[token]
        if nxt == "forty" and after == "five":
            _add_time(reading, _Time(hour, 45, f"{token} forty five"))
            return 3
        if nxt in _MINUTE_WORDS:
            _add_time(reading, _Time(hour, _MINUTE_WORDS[nxt], f"{token} {nxt}"))
            return 2
        _add_time(reading, _Time(hour, None, token))
        return 1
    if token in ("half", "quarter") and nxt in ("past", "to") and after:
        hour = _NUMBER_WORDS.get(after) or (int(after) if after.isdigit() else 0)
        if not 1 <= hour <= 12:
            return 0
        if nxt == "past":
            minute = 30 if token == "half" else 15
        elif token == "quarter":
            hour, minute = (hour - 1 or 12), 45
        else:
            return 0  # "half to" is not a time
        _add_time(reading, _Time(hour, minute, f"{token} {nxt} {after}"))
        return 3
    return 0


def _read_time(token: str) -> _Time:
    match = _TIME.match(token.replace(" ", ""))
    if match is None or match[3] is not None:
        raise ReminderError(replies.not_a_time(token))
    hour = int(match[1])
    if match[2] is None and len(match[1]) == 4:
        # "2130", as in military time
        hour, minute4 = divmod(hour, 100)
        if hour > 23 or minute4 > 59:
            raise ReminderError(replies.not_a_time(token))
        return _Time(hour, minute4, token, match[4])
    if match[2] is not None and len(match[2]) != 2:
        raise ReminderError(replies.bad_minutes(token))
    minute = int(match[2]) if match[2] is not None else None
    if minute is not None and minute > 59:
        raise ReminderError(replies.bad_minutes(token))
    if hour > 23:
        raise ReminderError(replies.bad_hours(token))
    return _Time(hour, minute, token, match[4])


def _add_time(reading: _Reading, time: _Time) -> None:
    # A part of the day said before the first time ('every evening at 9') belongs to it.
    if not reading.times and reading.waiting_parts:
        time.parts.extend(reading.waiting_parts)
    reading.times.append(time)


def _is_time(token: str) -> bool:
    return token[0].isdigit() or token in _NUMBER_WORDS


def _add_named(reading: _Reading, word: str, *, after_time: bool) -> None:
    hour = 12 if word == "noon" else 0
    last = reading.times[-1] if reading.times and after_time else None
    if last is not None and last.hour == 12 and not last.minute and last.suffix is None:
        last.hour, last.minute, last.fixed = hour, 0, True  # "12 noon", "12 midnight"
        return
    _add_time(reading, _Time(hour, 0, word, fixed=True))


def _add_part(reading: _Reading, part: str) -> None:
    reading.parts.append(part)
    if not reading.times:
        reading.waiting_parts.append(part)
        return
    last = reading.times[-1]
    if part not in last.parts:
        last.parts.append(part)


def _clocks(reading: _Reading) -> list[tuple[int, int]]:
    """(hour, minute) of every time, one per part of the day it was said with."""
    distinct = list(dict.fromkeys(reading.parts))
    clocks: list[tuple[int, int]] = []
    for time in reading.times:
        # One part of the day for the whole message applies to every time in it
        # ('at 7 and 9 in the evening').
        parts = time.parts or (distinct if len(distinct) == 1 else [])
        if time.fixed or time.suffix:
            parts = []
        hour = _apply_suffix(time) if time.suffix else time.hour
        for part in parts or [""]:
            clocks.append((_apply_part(hour, part, time.raw), time.minute or 0))
    return clocks


def _apply_suffix(time: _Time) -> int:
    if not 1 <= time.hour <= 12:
        raise ReminderError(replies.bad_half_day(time.raw))
    if time.suffix == "p":
        return 12 if time.hour == 12 else time.hour + 12
    return 0 if time.hour == 12 else time.hour


def _apply_part(hour: int, part: str, raw: str) -> int:
    if not part or hour == 0 or hour > 12:
        return hour  # "21:00 in the evening": already unambiguous
    if part == "a":
        return 0 if hour == 12 else hour
    if part == "p":
        return 12 if hour == 12 else hour + 12
    # Night: 12 is midnight, 1 to 5 the small hours, 6 to 11 the late evening.
    if hour == 12:
        return 0
    return hour if hour <= 5 else hour + 12
