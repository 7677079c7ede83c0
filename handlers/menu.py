"""The bot's commands and main actions in one place: /help, the command menu and /start read it."""

from __future__ import annotations

from dataclasses import dataclass

from bot import callbacks as cb
from bot.messaging import Button


@dataclass(frozen=True)
class Command:
    """A command shown in /help and in Telegram's command menu."""

    name: str
    description: str
    example: str = ""


# Order is the order people see in /help and in the menu.
COMMANDS: tuple[Command, ...] = (
    Command("start", "what I can do, with buttons to begin"),
    Command("help", "every command, one line each"),
    Command("techniques", "browse techniques by part of the back or by kind"),
    Command("tips", "tips for a better massage"),
    Command("prepare", "how to get the room, table and oil ready"),
    Command("session", "a timed, step-by-step massage routine", "/session lower 10"),
    Command("history", "your recent sessions, total minutes and streak"),
    Command("remind", "a daily nudge to relax, in your time zone", "/remind 21:30 weekdays"),
    Command("reminders", "your reminders, with a delete button each"),
    Command("timezone", "show or change your time zone", "/timezone Europe/Berlin"),
    Command("privacy", "what I keep about you, and why"),
    Command("forget", "delete everything I keep about this chat"),
)

# What /start promises; each line is one feature people can use right away.
FEATURES: tuple[str, ...] = (
    "Ask me anything in your own words, e.g. <i>how do I ease shoulder tension</i> "
    "or <i>what oil should I use</i>.",
    "📚 Browse every stroke and tip by part of the back with /techniques.",
    "Follow a guided session: I lead you step by step, on time, e.g. "
    "<i>10 minute lower back session</i> or /session.",
    "A gentle daily reminder to relax, in your time zone: <i>/remind 21:30</i> or "
    "<i>remind me weekdays at 7:30</i>.",
)

# The buttons under /start, one row each.
MAIN_ACTIONS: tuple[tuple[Button, ...], ...] = (
    (
        Button("💬 How to ask", cb.MenuChoice("ask")),
        Button("🛟 Safety first", cb.MenuChoice("safety")),
    ),
    (
        Button("🧘 Guided session", cb.SessionMenu()),
        Button("⏰ Daily reminder", cb.ReminderMenu()),
    ),
    (Button("📚 Browse techniques", cb.BrowseHome()),),
)
