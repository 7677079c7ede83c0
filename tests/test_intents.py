"""The one recogniser of plain-word requests: what each phrase asks of which feature."""

from __future__ import annotations

import pytest

from bot.intents import (
    AboutReminders,
    ControlSession,
    ListReminders,
    Request,
    SetReminder,
    ShowHistory,
    StartSession,
    StopReminders,
    recognise,
    session_command,
)
from bot.reminders.parse import parse_schedule
from bot.reminders.schedule import ReminderError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # controls of a running session, with polite padding and punctuation
        ("pause", ControlSession("pause")),
        ("Pause please", ControlSession("pause")),
        ("hold on", ControlSession("pause")),
        ("resume", ControlSession("resume")),
        ("ok carry on", ControlSession("resume")),
        ("Next", ControlSession("skip")),
        ("skip this", ControlSession("skip")),
        ("stop!", ControlSession("stop")),
        ("quit", ControlSession("stop")),
        ("Cancel", ControlSession("stop")),
        ("end", ControlSession("stop")),
        ("finish", ControlSession("stop")),
        ("please stop", ControlSession("stop")),
        ("end the session", ControlSession("stop")),
        ("history", ShowHistory()),
        # starting one
        ("start a session", StartSession()),
        ("walk me through a massage", StartSession()),
        ("10 minute lower back session", StartSession("routine.lower-back", 10)),
        ("start a 10 minute lower back session", StartSession("routine.lower-back", 10)),
        ("quick relax session", StartSession("routine.quick-relax")),
        ("start a full back massage", StartSession("routine.full-back")),
        ("upper back session, 12 min", StartSession("routine.upper-back", 12)),
        # reminders
        ("remind me every day at 9pm", SetReminder("every day at 9pm")),
        ("Remind me weekdays at 7:30", SetReminder("weekdays at 7:30")),
        ("please remind me every evening at 9", SetReminder("every evening at 9")),
        ("set a reminder for 21:30", SetReminder("for 21:30")),
        ("remind me mon–fri at 7", SetReminder("mon–fri at 7")),
        ("remind me at 7 o’clock", SetReminder("at 7 o’clock")),
        ("stop reminding me", StopReminders()),
        ("Stop my reminders!", StopReminders()),
        ("no more reminders", StopReminders()),
        ("my reminders", ListReminders()),
        ("can you remind me?", AboutReminders()),
        # questions, for the ask feature
        ("remind me how to knead", None),
        ("how long should a session last?", None),
        ("lower back routine", None),
        ("how do I stop a cramp", None),
        ("when should I stop", None),
        ("how do I start a massage", None),
        ("do I need a massage table", None),
        ("how do I ease shoulder tension", None),
        ("x" * 5000, None),
        ("", None),
    ],
)
def test_recognise(text: str, expected: Request | None) -> None:
    assert recognise(text) == expected


def test_session_command_arguments() -> None:
    assert session_command([]) == StartSession()
    assert session_command(["upper", "10"]) == StartSession("routine.upper-back", 10)
    assert session_command(["10", "lower", "back"]) == StartSession("routine.lower-back", 10)
    assert session_command(["nonsense", "10"]) == StartSession()


def test_a_reminder_phrase_with_a_bad_time_is_still_a_reminder_request() -> None:
    request = recognise("remind me at 25:00")
    assert isinstance(request, SetReminder)
    with pytest.raises(ReminderError):
        parse_schedule(request.when)
