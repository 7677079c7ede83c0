"""What people type for a reminder time ('21:30', '9pm mon wed fri') -> a Schedule.

Own code: dateutil and dateparser read dates, not recurring 'weekdays at 7:30'.
"""

from __future__ import annotations

import re

from bot.reminders import replies
from bot.reminders.schedule import EVERY_DAY, WEEKDAYS, WEEKENDS, ReminderError, Schedule

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

_Time = tuple[int, int | None, str | None, str]  # hour, minute, 'a'/'p' or None, as typed


def parse_schedule(text: str) -> Schedule:
    """Read '21:30', '7:30 weekdays', '9pm mon wed fri', 'every evening at 9'.

    Raises:
        ReminderError: saying what was not understood and what is accepted.
    """
    cleaned = text.lower().replace("o'clock", "oclock").replace("’", "'").strip()
    if not cleaned:
        raise ReminderError(replies.no_time_given())
    if len(cleaned) > 200:
        raise ReminderError(replies.too_long())
    times: list[_Time] = []
    days = 0
    half: str | None = None
    unknown: list[str] = []
    for token in _TOKEN.findall(cleaned):
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
            unknown.append(token)
    if unknown:
        raise ReminderError(replies.not_understood(" ".join(unknown)))
    if not times:
        raise ReminderError(replies.need_a_time())
    if len(times) > 1:
        raise ReminderError(replies.one_time_only())
    hour, minute, suffix, raw = times[0]
    hour = (
        _apply_half(hour, suffix, raw, explicit=True) if suffix else _apply_half(hour, half, raw)
    )
    return Schedule(hour, minute or 0, days or EVERY_DAY)


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
        return hour, minute4, match[4], token
    if match[2] is not None and len(match[2]) != 2:
        raise ReminderError(replies.bad_minutes(token))
    minute = int(match[2]) if match[2] is not None else None
    if minute is not None and minute > 59:
        raise ReminderError(replies.bad_minutes(token))
    if hour > 23:
        raise ReminderError(replies.bad_hours(token))
    return hour, minute, match[4], token


def _apply_half(hour: int, half: str | None, raw: str, *, explicit: bool = False) -> int:
    if half is None:
        return hour
    if not 1 <= hour <= 12:
        if not explicit and (hour == 0 or hour > 12):
            return hour  # "21:00 in the evening": already unambiguous
        raise ReminderError(replies.bad_half_day(raw))
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
