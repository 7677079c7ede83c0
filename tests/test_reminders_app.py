"""Reminders through the real Application against the Bot API stand-in."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from bot import callbacks as cb
from standin import BotApiStandIn
from tests.support.app import RunningBot, button_data, buttons, running_bot

JSONDict = dict[str, Any]


async def set_zone(bot: RunningBot, zone: str = "Europe/Berlin") -> None:
    reply = await bot.say(f"/timezone {zone}")
    assert "Time zone set" in reply["text"]


async def fire_now(bot: RunningBot) -> None:
    """Make every reminder due now and let the scheduler look."""
    now = time.time()
    await bot.services.storage.execute(
        "UPDATE reminders SET next_fire_at = ?, due_at = ? WHERE paused = 0", (now, now)
    )
    bot.services.scheduler.wake("reminders")


async def test_first_reminder_asks_for_a_zone_with_buttons(bot: RunningBot) -> None:
    question = await bot.say("/remind 21:30")
    assert "Which time zone" in question["text"]
    assert "Berlin" in [b["text"] for b in buttons(question)]
    query = await bot.press(question, "Berlin")
    await bot.standin.wait_for_callback_answer(query)
    done = await bot.next_message()
    assert "Time zone set to Europe/Berlin" in done["text"]
    assert "every day at 21:30 (Europe/Berlin)" in done["text"]


async def test_zone_typed_as_free_text_answers_the_question(bot: RunningBot) -> None:
    await bot.say("/remind 7:30 weekdays")
    refused = await bot.say("Springfield")
    assert "don't know the time zone" in refused["text"] and "UTC+2" in refused["text"]
    done = await bot.say("new york")
    assert "America/New_York" in done["text"] and "weekdays at 07:30" in done["text"]
    # The question is answered: the next free text is a question again, not a zone.
    other = await bot.say("berlin")
    assert "Time zone" not in other["text"]


async def test_a_question_while_a_zone_is_pending_falls_through(bot: RunningBot) -> None:
    await bot.say("/remind 21:30")
    reply = await bot.say("how hard should I press on the lower back?")
    assert "pressure" in reply["text"].lower()  # the ask feature's group answered


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("/remind 25:00", "hours go from 0 to 23"),
        ("/remind 9.75", "minutes go from 00 to 59"),
        ("/remind tomorrow-ish", "didn't understand"),
        ("/timezone Atlantis", "don't know the time zone"),
    ],
)
async def test_bad_input_gets_a_clear_answer_and_saves_nothing(
    bot: RunningBot, text: str, says: str
) -> None:
    await set_zone(bot)
    reply = await bot.say(text)
    assert says in reply["text"]
    assert await bot.services.reminders.reminders(bot.chat_id) == []
    assert await bot.services.reminders.chat_zone(bot.chat_id) == "Europe/Berlin"


async def test_sixth_reminder_is_refused(bot: RunningBot) -> None:
    await set_zone(bot)
    for hour in range(6, 11):
        assert "I'll remind you" in (await bot.say(f"/remind {hour}:00"))["text"]
    reply = await bot.say("/remind 22:00")
    assert "already have 5" in reply["text"]
    assert len(await bot.services.reminders.reminders(bot.chat_id)) == 5


async def test_plain_words_set_and_stop_reminders(bot: RunningBot) -> None:
    await set_zone(bot)
    reply = await bot.say("remind me every day at 9pm")
    assert "every day at 21:00" in reply["text"]
    reply = await bot.say("Remind me weekdays at 7:30")
    assert "weekdays at 07:30" in reply["text"]
    reply = await bot.say("stop reminding me")
    assert "Deleted your 2 reminder(s)" in reply["text"]
    reply = await bot.say("remind me how to knead")
    assert "remind" not in reply["text"].lower()  # a question, answered as one
    assert any("Knead" in button["text"] for button in buttons(reply))


async def test_reminders_list_deletes_with_buttons(bot: RunningBot) -> None:
    await set_zone(bot)
    await bot.say("/remind 21:30")
    await bot.say("/remind 7:30 weekdays")
    listing = await bot.say("/reminders")
    assert "weekdays at 07:30" in listing["text"] and "every day at 21:30" in listing["text"]
    query = await bot.press(listing, "Delete 1.")
    await bot.standin.wait_for_callback_answer(query)
    edited = await bot.standin.wait_for_edit(bot.chat_id, listing["message_id"])
    assert "07:30" not in edited["text"] and "21:30" in edited["text"]
    # The old button again (stale): answered as gone, nothing breaks.
    stale = bot.standin.user_presses(
        bot.chat_id, listing["message_id"], button_data(listing, "Delete 1."), strict=False
    )
    assert "no longer exists" in str(await bot.standin.wait_for_callback_answer(stale))
    off = await bot.say("/remind off")
    assert "Deleted your 1 reminder(s)" in off["text"]


async def test_due_reminder_arrives_with_its_buttons_and_snooze_and_stop_work(
    bot: RunningBot,
) -> None:
    await set_zone(bot)
    await bot.say("/remind 21:30")
    await fire_now(bot)
    nudge = await bot.next_message()
    assert "Time to relax" in nudge["text"]
    assert [b["text"] for b in buttons(nudge)] == [
        "▶️ Start a 5-minute session",
        "😴 Snooze 15 min",
        "🔕 Stop these reminders",
    ]
    assert button_data(nudge, "Start") == cb.SessionStart("routine.quick-relax").data()
    query = await bot.press(nudge, "Snooze")
    assert "15 minutes" in str(await bot.standin.wait_for_callback_answer(query))
    (reminder,) = await bot.services.reminders.reminders(bot.chat_id)
    assert reminder.snooze_at is not None and reminder.snooze_at > time.time() + 14 * 60
    query = await bot.press(nudge, "Stop these")
    await bot.standin.wait_for_callback_answer(query)
    stopped = await bot.next_message()
    assert "Stopped your reminder every day at 21:30" in stopped["text"]
    assert await bot.services.reminders.reminders(bot.chat_id) == []


async def test_blocked_chat_disables_its_reminders(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await set_zone(bot)
    await bot.say("/remind 21:30")
    bot.standin.block_chat(bot.chat_id)
    with caplog.at_level(logging.INFO):
        await fire_now(bot)
        await bot.standin.wait_for_request("sendMessage", timeout=5)
        for _ in range(100):
            (reminder,) = await bot.services.reminders.reminders(bot.chat_id)
            if reminder.paused:
                break
            await bot.standin.wait_until_idle()
    assert reminder.paused
    assert sum("cannot be reached" in r.getMessage() for r in caplog.records) == 1
    bot.standin.unblock_chat(bot.chat_id)
    listing = await bot.say("/reminders")  # talking again switches them back on
    assert "next" in listing["text"] and "paused" not in listing["text"]


async def test_timezone_shows_and_changes_the_zone(bot: RunningBot) -> None:
    first = await bot.say("/timezone")
    assert "haven't told me your time zone" in first["text"]
    done = await bot.say("UTC+5:30")
    assert "UTC+05:30" in done["text"]
    await bot.say("/remind 21:30")
    shown = await bot.say("/timezone")
    assert "Your time zone is UTC+05:30" in shown["text"]
    query = await bot.press(shown, "Tokyo")
    await bot.standin.wait_for_callback_answer(query)
    moved = await bot.next_message()
    assert "Asia/Tokyo" in moved["text"] and "1 reminder(s) now follow" in moved["text"]


async def test_start_offers_the_reminder_menu(bot: RunningBot) -> None:
    start = await bot.say("/start")
    query = await bot.press(start, "Daily reminder")
    await bot.standin.wait_for_callback_answer(query)
    menu = await bot.next_message()
    query = await bot.press(menu, "Weekdays at 7:30")
    await bot.standin.wait_for_callback_answer(query)
    question = await bot.next_message()
    assert "Which time zone" in question["text"]
    done = await bot.say("Europe/London")
    assert "weekdays at 07:30 (Europe/London)" in done["text"]


@pytest.mark.parametrize(
    "data", ["v1:ra:snooze:999", "v1:ra:stop:abc", "v1:tz:Mars/Olympus", "rem:snooze:1"]
)
async def test_forged_buttons_are_answered(bot: RunningBot, data: str) -> None:
    reply = await bot.say("/start")
    query = bot.standin.user_presses(bot.chat_id, reply["message_id"], data, strict=False)
    answer = str(await bot.standin.wait_for_callback_answer(query))
    assert "expired" in answer or "no longer exists" in answer
    assert await bot.services.reminders.chat_zone(bot.chat_id) is None


async def test_reminders_survive_a_restart_without_duplicates(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite3"
    async with running_bot(standin, database) as first:
        await set_zone(first)
        await first.say("/remind 21:30")
        await fire_now(first)
        await first.next_message()
    async with running_bot(standin, database) as second:
        (reminder,) = await second.services.reminders.reminders(second.chat_id)
        assert reminder.next_fire_at > time.time() + 60  # tomorrow's slot, already marked
        await second.say("/help")  # the bot has been running and polling meanwhile
        nudges = [m for m in standin.sent if "Time to relax" in (m.plain_text or "")]
        assert len(nudges) == 1


# -- issue 16: what people type -----------------------------------------------------------------


async def clocks(bot: RunningBot) -> list[str]:
    return [r.schedule.describe() for r in await bot.services.reminders.reminders(bot.chat_id)]


async def test_two_times_in_one_message_make_two_reminders(bot: RunningBot) -> None:
    await set_zone(bot)
    reply = await bot.say("remind me at 8 morning and evening")
    assert "every day at 08:00 and every day at 20:00 (Europe/Berlin)" in reply["text"]
    assert await clocks(bot) == ["every day at 08:00", "every day at 20:00"]


async def test_night_words_and_day_ranges_through_the_bot(bot: RunningBot) -> None:
    await set_zone(bot)
    reply = await bot.say("/remind 12 at night Mo-Fr")
    assert "weekdays at 00:00" in reply["text"]
    reply = await bot.say("remind me every day except sunday at half past seven in the evening")
    assert "every day except Sun at 19:30" in reply["text"]


async def test_several_times_before_a_zone_wait_together(bot: RunningBot) -> None:
    question = await bot.say("/remind 7:30 and 21:00 weekdays")
    assert "Which time zone" in question["text"]
    done = await bot.say("Zürich")
    assert "Time zone set to Europe/Zurich" in done["text"]
    assert "weekdays at 07:30 and weekdays at 21:00" in done["text"]
    assert await clocks(bot) == ["weekdays at 07:30", "weekdays at 21:00"]


async def test_more_times_than_places_left_asks_which(bot: RunningBot) -> None:
    await set_zone(bot)
    for hour in (6, 7, 9, 10):
        await bot.say(f"/remind {hour}:00")
    question = await bot.say("/remind 8 and 20")
    assert "room for one more" in question["text"]
    assert len(await clocks(bot)) == 4  # nothing saved yet
    query = await bot.press(question, "20:00")
    await bot.standin.wait_for_callback_answer(query)
    done = await bot.next_message()
    assert "every day at 20:00" in done["text"] and len(await clocks(bot)) == 5


async def test_tonight_without_a_time_asks_with_buttons(bot: RunningBot) -> None:
    await set_zone(bot)
    question = await bot.say("remind me tonight")
    assert "At what time at night?" in question["text"]
    query = await bot.press(question, "22:00")
    await bot.standin.wait_for_callback_answer(query)
    done = await bot.next_message()
    assert "every day at 22:00" in done["text"]


async def test_an_abbreviation_is_confirmed_in_one_line(bot: RunningBot) -> None:
    reply = await bot.say("/timezone EST")
    assert "Time zone set to America/New_York" in reply["text"]
    assert (
        "I took “EST” as US Eastern time: America/New_York, with daylight saving."
        in (reply["text"])
    )
    assert await bot.services.reminders.chat_zone(bot.chat_id) == "America/New_York"


async def test_an_ambiguous_name_asks_with_buttons(bot: RunningBot) -> None:
    question = await bot.say("/timezone Samoa")
    assert "more than one place" in question["text"]
    assert await bot.services.reminders.chat_zone(bot.chat_id) is None
    query = await bot.press(question, "Apia")
    await bot.standin.wait_for_callback_answer(query)
    done = await bot.next_message()
    assert "Time zone set to Pacific/Apia" in done["text"]


async def test_pseudo_zones_are_refused_and_nothing_is_saved(bot: RunningBot) -> None:
    reply = await bot.say("/timezone localtime")
    assert "not a place" in reply["text"]
    reply = await bot.say("/timezone UTC-5:30")
    assert "No place uses UTC-05:30" in reply["text"]
    assert await bot.services.reminders.chat_zone(bot.chat_id) is None
