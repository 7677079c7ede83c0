"""Daily reminders: a nudge to relax at a wall-clock time in the person's time zone.

Where things are:
    schedule.py   a reminder's time and days, a stored zone's tzinfo, when it next fires
    records.py    the records passed around: Reminder, Pending, Added, NeedZone, ZoneSet
    parse.py      what people type ("9pm weekdays") -> a Schedule
    zones.py      what people type ("Berlin", "EST", "UTC+2") -> a stored zone name
    lines.py      the rotating reminder lines from content/reminders/lines.yaml
    store.py      every SQL statement on the reminders tables
    service.py    the use cases handlers call (add, list, delete, snooze, set zone)
    timetable.py  the DueSource that sends due reminders
    replies.py    every reminder text a person reads
    zone_rules.py which copy of the tz database is used (the newest: see its docstring)

"remind me at 9pm" is recognised in `bot.intents`; button data lives in `bot.callbacks`.
"""

from bot.reminders.zone_rules import prefer_newest

# Once per process, before any reminder builds a ZoneInfo (see zone_rules).
RULES = prefer_newest()
