"""Every reminder text a person reads: answers, questions, error messages and the nudge.

All of it is HTML; anything a person typed or a stored zone name is escaped here.
"""

from __future__ import annotations

from datetime import datetime

from bot import callbacks as cb
from bot.messaging import Button, Reply
from bot.reminders.records import Added, NeedZone, NoRoom, Reminder, ZoneSet
from bot.reminders.schedule import (
    MAX_REMINDERS,
    WEEKDAYS,
    WEEKENDS,
    Schedule,
    local_clock,
    zone_for,
)
from bot.text import html_text

ACCEPTED = (
    "Send a time like <code>21:30</code>, <code>7:30 weekdays</code> or "
    "<code>9pm mon wed fri</code> (days: mon–sun, mon-fri, weekdays, weekends, every day, "
    "every day except sun; two times: <code>8 and 20</code>)."
)
ZONE_HELP = (
    "Send a city (<i>Berlin</i>, <i>New York</i>), a zone name (<i>Europe/Berlin</i>), "
    "an offset (<i>UTC+2</i>, <i>-5</i>) or an abbreviation (<i>EST</i>, <i>CET</i>)."
)
GONE = "This reminder no longer exists."
SNOOZED = "😴 OK, I'll nudge you again in 15 minutes."
ALL_DELETED = "🔕 All reminders deleted."
DELETED = "🗑 Deleted."
NOT_SET = "OK, I won't set that reminder."

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
QUICK_CHOICES = (
    ("🌙 Every evening at 21:00", Schedule(21, 0)),
    ("☀️ Weekdays at 7:30", Schedule(7, 30, WEEKDAYS)),
    ("🛋 Weekends at 10:00", Schedule(10, 0, WEEKENDS)),
)


def _add_button(label: str, schedule: Schedule) -> Button:
    """A button that adds a reminder on ``schedule``."""
    return Button(label, cb.ReminderNew(schedule.hour, schedule.minute, schedule.weekdays))


# The short routine a reminder offers to start.
QUICK_ROUTINE = "routine.quick-relax"


# -- what was typed could not become a reminder -----------------------------------------------


def no_time_given() -> str:
    return f"When should I remind you? {ACCEPTED}"


def too_long() -> str:
    return f"That is too long for a reminder time. {ACCEPTED}"


def not_understood(words: str) -> str:
    return f"I didn't understand “{html_text(words[:40])}”. {ACCEPTED}"


def need_a_time() -> str:
    return f"I need a time of day. {ACCEPTED}"


def one_time_only() -> str:
    return "One time per reminder, please: send a second /remind for another time."


def too_many_times() -> str:
    return f"That is more than {MAX_REMINDERS} times; I keep at most {MAX_REMINDERS} reminders."


def no_days_left() -> str:
    return f"That leaves no day of the week. {ACCEPTED}"


# Part of the day -> how to ask for its time, and the hours offered as buttons.
_PART_OF_DAY = {
    "a": ("in the morning", (7, 8, 9)),
    "p": ("in the evening", (19, 20, 21)),
    "n": ("at night", (21, 22, 23)),
}


def which_time(part: str) -> str:
    words, hours = _PART_OF_DAY.get(part, _PART_OF_DAY["p"])
    return (
        f"At what time {words}? Tap one, or send it, e.g. <code>remind me at {hours[1]}:30</code>."
    )


def time_choices(part: str, weekdays: int) -> Reply:
    """A part of the day without a time: ask, with a few times as buttons."""
    hours = _PART_OF_DAY.get(part, _PART_OF_DAY["p"])[1]
    choices = [Schedule(hour, 0, weekdays) for hour in hours]
    return Reply(
        f"⏰ {which_time(part)}",
        buttons=tuple((_add_button(f"⏰ {s.describe()}", s),) for s in choices),
    )


def not_a_time(token: str) -> str:
    return f"“{html_text(token[:20])}” is not a time of day. {ACCEPTED}"


def bad_minutes(token: str) -> str:
    return f"“{html_text(token[:20])}” is not a time of day: minutes go from 00 to 59."


def bad_hours(token: str) -> str:
    return (
        f"“{html_text(token[:20])}” is not a time of day: "
        "hours go from 0 to 23 (or 1 to 12 with am/pm)."
    )


def bad_half_day(token: str) -> str:
    return f"“{html_text(token[:20])}” is not a time of day: with am/pm, hours go 1 to 12."


def already_have(schedule: Schedule) -> str:
    return f"You already have a reminder {schedule.describe()}."


def too_many() -> str:
    return (
        f"You already have {MAX_REMINDERS} reminders, the most I keep per chat. "
        "Delete one in /reminders first."
    )


def unknown_zone(query: str = "") -> str:
    if not query:
        return f"I don't know that time zone. {ZONE_HELP}"
    return f"I don't know the time zone “{html_text(query[:40])}”. {ZONE_HELP}"


def no_such_offset() -> str:
    return f"That offset does not exist on Earth. {ZONE_HELP}"


def pseudo_zone(typed: str) -> str:
    return (
        f"“{html_text(typed[:40])}” is a setting of computers, not a place, so it can't "
        f"follow your clock. {ZONE_HELP}"
    )


def unused_offset(name: str, nearest: list[str]) -> str:
    offsets = " or ".join(nearest)
    return (
        f"No place uses {name}. The nearest offsets in use are {offsets}; better still, "
        "send your city (<i>Berlin</i>, <i>New York</i>), so daylight saving is followed too."
    )


def renamed_zone(old: str, new: str) -> str:
    return f"{html_text(old)} is the old name of {html_text(new)}."


def zone_read_as(typed: str, described: str, zone: str, daylight: bool, hint: str) -> str:
    """One line: what an abbreviation or everyday name was taken as (``hint`` is HTML)."""
    dst = "with daylight saving" if daylight else "no daylight saving"
    line = f"I took “{html_text(typed[:20])}” as {described}: {html_text(zone)}, {dst}."
    return f"{line} {hint}" if hint else line


def zone_choice(typed: str, options: tuple[tuple[str, str], ...]) -> Reply:
    """A name several places use: one button per place."""
    buttons = tuple(
        tuple(Button(label, cb.ZoneSet(zone)) for label, zone in options[i : i + 2])
        for i in range(0, len(options), 2)
    )
    return Reply(
        f"🌍 “{html_text(typed[:40])}” is used in more than one place. Which one is yours? "
        "(Or send your city.)",
        buttons=buttons,
    )


def warning(message: str) -> Reply:
    """An error message from this feature (already HTML-safe), as a reply."""
    return Reply(f"⚠️ {message}")


# -- answers ----------------------------------------------------------------------------------


def next_time(reminder: Reminder) -> str:
    return datetime.fromtimestamp(reminder.next_fire_at, zone_for(reminder.zone)).strftime(
        "%a %H:%M"
    )


def zone_question(schedule: Schedule | None) -> Reply:
    """Ask for the chat's time zone, with buttons for common ones."""
    why = (
        f"so that {schedule.clock} means <i>your</i> {schedule.clock}"
        if schedule
        else "for your reminders"
    )
    buttons = tuple(
        tuple(Button(label, cb.ZoneSet(zone)) for label, zone in COMMON_ZONES[i : i + 2])
        for i in range(0, len(COMMON_ZONES), 2)
    )
    return Reply(f"🌍 Which time zone are you in, {why}?\n{ZONE_HELP}", buttons=buttons)


def current_zone(zone: str | None, now: float) -> Reply:
    """/timezone without an argument: the zone so far, and the question."""
    current = (
        f"Your time zone is {html_text(zone)} (it's {local_clock(zone, now)} there now). "
        if zone
        else "You haven't told me your time zone yet. "
    )
    question = zone_question(None)
    return Reply(current + question.text, buttons=question.buttons)


def added_reply(outcome: Added | NeedZone | NoRoom) -> Reply:
    if isinstance(outcome, NeedZone):
        return zone_question(outcome.schedule)
    if isinstance(outcome, NoRoom):
        return no_room_reply(outcome)
    saved = outcome.reminders
    which = " and ".join(r.schedule.describe() for r in saved)
    first = min(saved, key=lambda r: r.next_fire_at)
    lines = [
        f"✅ I'll remind you {which} ({html_text(first.zone)}).",
        f"Next one: {next_time(first)}. /reminders lists them; /remind off stops them all.",
    ]
    if outcome.already:
        had = " and ".join(s.describe() for s in outcome.already)
        lines.append(f"You already had a reminder {had}.")
    if outcome.resumed:
        lines.append("Your paused reminders are back on, too.")
    return Reply("\n".join(lines))


def no_room_reply(outcome: NoRoom) -> Reply:
    """More reminders asked for than fit: which one(s) should I set?"""
    asked = len(outcome.schedules)
    room = "one more" if outcome.free == 1 else f"{outcome.free} more"
    return Reply(
        f"⏰ That is {asked} reminders, and I keep at most {MAX_REMINDERS} per chat: there is "
        f"room for {room}. Which should I set? (Or delete one in /reminders first.)",
        buttons=tuple((_add_button(f"⏰ {s.describe()}", s),) for s in outcome.schedules),
    )


def zone_set_reply(outcome: ZoneSet, now: float, note: str = "") -> Reply:
    """The zone was saved; ``note`` (HTML) says how a typed name was read."""
    lines = [
        f"🌍 Time zone set to {html_text(outcome.zone)} "
        f"(it's {local_clock(outcome.zone, now)} there now)."
    ]
    if note:
        lines.append(note)
    if outcome.created is not None:
        lines.append(added_reply(Added(outcome.created, more=outcome.more)).text)
    elif outcome.moved:
        lines.append(f"Your {outcome.moved} reminder(s) now follow this zone.")
    return Reply("\n".join(lines))


def list_reply(reminders: list[Reminder], zone: str | None, now: float) -> Reply:
    """Every reminder of the chat, with a delete button each."""
    add = (Button("➕ Add a reminder", cb.ReminderMenu()),)
    if not reminders:
        return Reply(f"You have no reminders. {ACCEPTED}", buttons=(add,))
    where = f" ({html_text(zone)}, now {local_clock(zone, now)})" if zone else ""
    lines = [f"⏰ <b>Your reminders</b>{where}"]
    for number, reminder in enumerate(reminders, start=1):
        state = (
            "paused: I couldn't reach you" if reminder.paused else f"next {next_time(reminder)}"
        )
        lines.append(f"{number}. {reminder.schedule.describe()} — {state}")
    rows = [
        (Button(f"🗑 Delete {n}. {r.schedule.describe()}", cb.ReminderAct("delete", r.id)),)
        for n, r in enumerate(reminders, start=1)
    ]
    rows.append((Button("🔕 Delete all", cb.RemindersOff()),))
    if len(reminders) < MAX_REMINDERS:
        rows.append(add)
    return Reply("\n".join(lines), buttons=tuple(rows))


def menu_reply() -> Reply:
    buttons = tuple((_add_button(label, s),) for label, s in QUICK_CHOICES)
    return Reply(
        f"⏰ <b>Daily reminder</b>\nWhen would you like a nudge to relax? Pick one, or {ACCEPTED}",
        buttons=buttons,
    )


def deleted_all_reply(count: int) -> Reply:
    text = f"🔕 Deleted your {count} reminder(s)." if count else "You had no reminders."
    return Reply(f"{text} /remind sets a new one.")


def stopped_reply(gone: Reminder | None) -> Reply:
    text = f"🔕 Stopped your reminder {gone.schedule.describe()}." if gone else GONE
    return Reply(f"{text} /reminders shows any others.")


def nudge(reminder: Reminder, line: str) -> Reply:
    """The reminder message: a rotating line and the three buttons."""
    return Reply(
        f"⏰ <b>Time to relax</b>\n{html_text(line)}",
        buttons=(
            (Button("▶️ Start a 5-minute session", cb.SessionStart(QUICK_ROUTINE)),),
            (
                Button("😴 Snooze 15 min", cb.ReminderAct("snooze", reminder.id)),
                Button("🔕 Stop these reminders", cb.ReminderAct("stop", reminder.id)),
            ),
        ),
    )
