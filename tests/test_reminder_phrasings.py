"""What people type for a reminder: a table of phrasings with the (time, days) each one
must give, or the refusal it must get. Every phrasing accepted before issue 16 is here too.
"""

from __future__ import annotations

import pytest

from bot.intents import SetReminder, recognise
from bot.reminders.parse import NeedTime, parse_schedules
from bot.reminders.schedule import EVERY_DAY, WEEKDAYS, WEEKENDS, ReminderError

MON, TUE, WED, THU, FRI, SAT, SUN = (1 << day for day in range(7))
ALL = EVERY_DAY

# (typed, [(time, days), ...])
ACCEPTED: list[tuple[str, list[tuple[str, int]]]] = [
    # -- accepted before (must keep working) --
    ("21:30", [("21:30", ALL)]),
    ("7:30 weekdays", [("07:30", WEEKDAYS)]),
    ("9pm mon wed fri", [("21:00", MON | WED | FRI)]),
    ("every day at 9pm", [("21:00", ALL)]),
    ("every evening at 9", [("21:00", ALL)]),
    ("weekdays at 7:30", [("07:30", WEEKDAYS)]),
    ("9:30 PM", [("21:30", ALL)]),
    ("9.30pm", [("21:30", ALL)]),
    ("9 p.m.", [("21:00", ALL)]),
    ("7 am weekends", [("07:00", WEEKENDS)]),
    ("12am", [("00:00", ALL)]),
    ("12pm", [("12:00", ALL)]),
    ("noon", [("12:00", ALL)]),
    ("midnight sundays", [("00:00", SUN)]),
    ("2130", [("21:30", ALL)]),
    ("21h30", [("21:30", ALL)]),
    ("0:05", [("00:05", ALL)]),
    ("mon-fri 6:45", [("06:45", WEEKDAYS)]),
    ("fri-mon 22:00", [("22:00", FRI | SAT | SUN | MON)]),
    ("Tuesday and Thursday at 8 in the morning", [("08:00", TUE | THU)]),
    ("every monday at 7", [("07:00", MON)]),
    ("daily 10 o'clock", [("10:00", ALL)]),
    ("21:00 in the evening", [("21:00", ALL)]),
    ("sat, sun 10:15", [("10:15", WEEKENDS)]),
    ("at 7", [("07:00", ALL)]),
    ("at 20", [("20:00", ALL)]),
    ("9am", [("09:00", ALL)]),
    ("9 AM", [("09:00", ALL)]),
    ("6:30am weekdays", [("06:30", WEEKDAYS)]),
    ("every evening at 9:30", [("21:30", ALL)]),
    ("every morning at 7", [("07:00", ALL)]),
    ("in the afternoon at 3", [("15:00", ALL)]),
    ("at 3 in the afternoon", [("15:00", ALL)]),
    ("at 10 in the morning on saturdays", [("10:00", SAT)]),
    ("wednesdays at 18:00", [("18:00", WED)]),
    ("thurs 8pm", [("20:00", THU)]),
    ("tues and thurs at 7:15", [("07:15", TUE | THU)]),
    ("every day at 21:30", [("21:30", ALL)]),
    ("everyday 22:00", [("22:00", ALL)]),
    ("daily at 8", [("08:00", ALL)]),
    ("weekends 9:30am", [("09:30", WEEKENDS)]),
    ("workdays 17:45", [("17:45", WEEKDAYS)]),
    ("at 9 please", [("09:00", ALL)]),
    ("around 9pm", [("21:00", ALL)]),
    ("only on fridays at 5pm", [("17:00", FRI)]),
    ("sun-thu 23:00", [("23:00", SUN | MON | TUE | WED | THU)]),
    ("0715", [("07:15", ALL)]),
    ("12:30 pm", [("12:30", ALL)]),
    ("12:30am", [("00:30", ALL)]),
    ("11.45 p.m.", [("23:45", ALL)]),
    # -- night words and the small hours --
    ("12 at night", [("00:00", ALL)]),
    ("at 12 tonight", [("00:00", ALL)]),
    ("every night at 12", [("00:00", ALL)]),
    ("at 1 at night", [("01:00", ALL)]),
    ("at 2 in the night", [("02:00", ALL)]),
    ("midnight", [("00:00", ALL)]),
    ("2 in the morning", [("02:00", ALL)]),
    ("tonight at 9", [("21:00", ALL)]),
    ("every night at 10", [("22:00", ALL)]),
    ("at 11 at night", [("23:00", ALL)]),
    ("10:30 at night", [("22:30", ALL)]),
    ("3 at night on weekends", [("03:00", WEEKENDS)]),
    ("nightly at 9", [("21:00", ALL)]),
    ("12 midnight", [("00:00", ALL)]),
    # -- day ranges, lists and exceptions --
    ("monday to friday at 7", [("07:00", WEEKDAYS)]),
    ("from monday to friday at 7", [("07:00", WEEKDAYS)]),
    ("Mo-Fr 7:00", [("07:00", WEEKDAYS)]),
    ("mon–fri 7:30", [("07:30", WEEKDAYS)]),
    ("mon—fri 7:30", [("07:30", WEEKDAYS)]),
    ("mon - fri at 7", [("07:00", WEEKDAYS)]),
    ("monday through friday at 6", [("06:00", WEEKDAYS)]),
    ("monday thru thursday 21:00", [("21:00", MON | TUE | WED | THU)]),
    ("from friday till sunday at 10", [("10:00", FRI | SAT | SUN)]),
    ("Sa-Su 9", [("09:00", WEEKENDS)]),
    ("weekends at 10", [("10:00", WEEKENDS)]),
    ("on weekends at 10am", [("10:00", WEEKENDS)]),
    ("every day except sunday at 8", [("08:00", ALL & ~SUN)]),
    ("every day but sunday at 8", [("08:00", ALL & ~SUN)]),
    ("daily except weekends at 7", [("07:00", WEEKDAYS)]),
    ("weekdays but not friday at 7", [("07:00", MON | TUE | WED | THU)]),
    ("at 9 except saturdays and sundays", [("09:00", WEEKDAYS)]),
    ("mon, wed and fri at 6", [("06:00", MON | WED | FRI)]),
    ("mon/wed/fri 18:30", [("18:30", MON | WED | FRI)]),
    ("sat & sun 10", [("10:00", WEEKENDS)]),
    ("at 9 but only weekdays", [("09:00", WEEKDAYS)]),
    ("every day of the week at 8", [("08:00", ALL)]),
    # -- two (or more) times in one message --
    ("at 8 and at 20", [("08:00", ALL), ("20:00", ALL)]),
    ("morning and evening at 8", [("08:00", ALL), ("20:00", ALL)]),
    ("at 8 morning and evening", [("08:00", ALL), ("20:00", ALL)]),
    ("8 in the morning and 9 in the evening", [("08:00", ALL), ("21:00", ALL)]),
    ("at 7 and 9 in the evening", [("19:00", ALL), ("21:00", ALL)]),
    ("7:30 and 21:00 weekdays", [("07:30", WEEKDAYS), ("21:00", WEEKDAYS)]),
    ("twice a day at 8 and 20", [("08:00", ALL), ("20:00", ALL)]),
    ("9 and 10", [("09:00", ALL), ("10:00", ALL)]),
    ("noon and midnight", [("12:00", ALL), ("00:00", ALL)]),
    ("at 7am and 7pm on weekends", [("07:00", WEEKENDS), ("19:00", WEEKENDS)]),
    ("8, 13 and 18", [("08:00", ALL), ("13:00", ALL), ("18:00", ALL)]),
    ("at 8 and at 8", [("08:00", ALL)]),
    # -- more time forms --
    ("19h", [("19:00", ALL)]),
    ("21.30", [("21:30", ALL)]),
    ("12 noon", [("12:00", ALL)]),
    ("7 o’clock in the evening", [("19:00", ALL)]),
    ("7 o‘clock in the evening", [("19:00", ALL)]),
    ("at 7 o clock", [("07:00", ALL)]),
    ("at 7 oclock", [("07:00", ALL)]),
    ("set a reminder for 9pm", [("21:00", ALL)]),
    ("for 21:30", [("21:30", ALL)]),
    ("at nine pm", [("21:00", ALL)]),
    ("at seven", [("07:00", ALL)]),
    ("eleven pm", [("23:00", ALL)]),
    ("nine thirty pm", [("21:30", ALL)]),
    ("seven fifteen in the morning", [("07:15", ALL)]),
    ("six forty five am", [("06:45", ALL)]),
    ("six forty-five am", [("06:45", ALL)]),
    ("at twelve at night", [("00:00", ALL)]),
    ("half past seven in the evening", [("19:30", ALL)]),
    ("quarter past 9", [("09:15", ALL)]),
    ("quarter to eight", [("07:45", ALL)]),
    ("quarter to 12 at night", [("23:45", ALL)]),
    ("ten pm on weekdays", [("22:00", WEEKDAYS)]),
    ("9P.M.", [("21:00", ALL)]),
    ("9 a.m", [("09:00", ALL)]),
    ("at 8 o'clock in the morning", [("08:00", ALL)]),
]

# (typed, words the refusal must contain)
REFUSED: list[tuple[str, str]] = [
    ("25:00", "hours go from 0 to 23"),
    ("24:00", "hours go from 0 to 23"),
    ("9.75", "minutes go from 00 to 59"),
    ("9:5", "minutes go from 00 to 59"),
    ("tomorrow-ish", "didn't understand “tomorrow-ish”"),
    ("", "When should I remind you"),
    ("weekdays", "need a time of day"),
    ("13pm", "with am/pm, hours go 1 to 12"),
    ("0am", "with am/pm, hours go 1 to 12"),
    ("9:30:15", "not a time of day"),
    ("9 <b>", "&lt;"),
    ("x" * 500, "too long"),
    ("2560", "not a time of day"),
    ("every other day at 9", "didn't understand “other”"),
    ("in 10 minutes", "didn't understand “minutes”"),
    ("tomorrow at 9", "didn't understand “tomorrow”"),
    (
        "every day except monday tuesday wednesday thursday friday saturday sunday at 8",
        "no day of the week",
    ),
    ("6, 7, 8, 9, 10 and 11", "more than 5 times"),
    ("9:61", "minutes go from 00 to 59"),
    ("3 times a day", "didn't understand “times”"),
    ("every 2 hours", "didn't understand “hours”"),
    ("every 2 h", "didn't understand “h”"),
]

# (typed, part of day asked about)
ASKS_FOR_THE_TIME = [
    ("tonight", "n"),
    ("every morning", "a"),
    ("in the evening on weekdays", "p"),
    ("every night", "n"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_accepted_phrasing(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(s.clock, s.weekdays) for s in parse_schedules(text)] == expected


@pytest.mark.parametrize(("text", "says"), REFUSED, ids=[t[:30] for t, _ in REFUSED])
def test_refused_phrasing_says_why_and_what_is_accepted(text: str, says: str) -> None:
    with pytest.raises(ReminderError) as caught:
        parse_schedules(text)
    assert not isinstance(caught.value, NeedTime)
    assert says in str(caught.value)


@pytest.mark.parametrize(("text", "part"), ASKS_FOR_THE_TIME)
def test_a_part_of_the_day_without_a_time_asks_for_it(text: str, part: str) -> None:
    with pytest.raises(NeedTime) as caught:
        parse_schedules(text)
    assert caught.value.part == part and "At what time" in str(caught.value)


def test_the_table_is_large() -> None:
    assert len(ACCEPTED) + len(REFUSED) + len(ASKS_FOR_THE_TIME) >= 100


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("remind me tonight", "tonight"),
        ("remind me at nine pm", "at nine pm"),
        ("set a reminder for 9pm", "for 9pm"),
        ("remind me every morning", "every morning"),
        ("please remind me at half past seven", "at half past seven"),
        ("remind me mon-fri at 7", "mon-fri at 7"),
    ],
)
def test_plain_words_reach_the_parser(text: str, rest: str) -> None:
    assert recognise(text) == SetReminder(rest)
    parse_schedules(rest) if rest not in ("tonight", "every morning") else None


@pytest.mark.parametrize("text", ["remind me one thing", "remind me how to knead"])
def test_questions_starting_with_remind_me_are_not_reminders(text: str) -> None:
    assert not isinstance(recognise(text), SetReminder)
