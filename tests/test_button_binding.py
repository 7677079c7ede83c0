"""Buttons are bound to their chat: forged data, or another chat's data, changes nothing.

Every button handler acts on the chat the press came from (Telegram attaches the message the
button is on), never on a chat named in the data; ids in the data are looked up within that
chat. These tests press forged and foreign data at every prefix and compare every table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from standin import BotApiStandIn
from tests.support.app import RunningBot, buttons, running_bot

OWNER, STRANGER = 4001, 4002


def snapshot(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table except ones that only record when a chat was last seen."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in ("chats", "sqlite_sequence")
        ]
        return {name: sorted(db.execute(f"SELECT * FROM {name}"), key=repr) for name in tables}


async def _owner_with_reminder_and_session(bot: RunningBot) -> dict[str, str]:
    """The owner sets a zone, a reminder and starts a session; returns their button data."""
    await bot.say("/timezone Europe/Berlin", chat_id=OWNER)
    await bot.say("/remind 21:30", chat_id=OWNER)
    listing = await bot.say("/reminders", chat_id=OWNER)
    checklist = await bot.say("/session quick", chat_id=OWNER)
    await bot.press(checklist, "Start")
    step = await bot.next_message(chat_id=OWNER)
    data = {b["text"]: b["callback_data"] for b in buttons(listing) + buttons(step)}
    assert any(label.startswith("🗑") for label in data), data
    assert any("Pause" in label for label in data), data
    return data


@pytest.mark.parametrize(
    "forged",
    [
        "ses:pause:999999:1",  # the first release's data, now stale
        "v1:sc:pause:999999:1",
        "v1:sc:stop:999999:0",
        "v1:sc:skip:1:99",
        "v1:ss:routine.nope",
        "v1:sp:technique.nope",
        "v1:ra:delete:999999",
        "v1:ra:snooze:1x",
        "v1:rn:99:99:1",
        "v1:tz:Mars/Olympus",
        "v1:bre:nope:nope.nope",
        "v1:ask:nope.nope",
        "v1:menu:nope",
        "v1:bs:1",
        "v1:pf:yes",
        "ses:start:routine.nope",
        "ses:practice:technique.nope",
        "rem:del:999999",
        "rem:snooze:1x",
        "rem:new:9999:1",
        "tz:Mars/Olympus",
        "br:e:nope.nope",
        "ask:nope.nope",
        "menu:nope",
        "adm:bc:yes:1",
        "priv:forget:yes",
        "",
        "x" * 64,
    ],
)
async def test_forged_data_changes_nothing(
    standin: BotApiStandIn, tmp_path: Path, forged: str
) -> None:
    database = tmp_path / "db.sqlite3"
    async with running_bot(standin, database, TIME_SCALE="1") as bot:
        await _owner_with_reminder_and_session(bot)
        await standin.wait_until_idle(timeout=10)
        before = snapshot(database)
        last = standin.messages(OWNER)[-1]
        query = standin.user_presses(OWNER, last["message_id"], forged, strict=False)
        await standin.wait_for_callback_answer(query)
        await standin.wait_until_idle(timeout=10)
        assert snapshot(database) == before


async def test_another_chats_buttons_do_nothing_to_the_owner(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite3"
    async with running_bot(standin, database, TIME_SCALE="1") as bot:
        owner_buttons = await _owner_with_reminder_and_session(bot)
        await standin.wait_until_idle(timeout=10)
        before = snapshot(database)
        greeting = await bot.say("/start", chat_id=STRANGER)
        # The stranger replays every one of the owner's buttons on a message of their own.
        for data in owner_buttons.values():
            query = standin.user_presses(
                STRANGER, greeting["message_id"], data, user_id=STRANGER, strict=False
            )
            await standin.wait_for_callback_answer(query)
        await standin.wait_until_idle(timeout=10)
        after = snapshot(database)
        owner_rows = {
            table: [row for row in rows if OWNER in row] for table, rows in after.items()
        }
        assert owner_rows == {
            table: [row for row in rows if OWNER in row] for table, rows in before.items()
        }


async def test_the_owners_own_press_does_change_state(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    """The control for the tests above: a genuine press shows up in the snapshot."""
    database = tmp_path / "db.sqlite3"
    async with running_bot(standin, database, TIME_SCALE="1") as bot:
        owner_buttons = await _owner_with_reminder_and_session(bot)
        await standin.wait_until_idle(timeout=10)
        before = snapshot(database)
        pause = next(data for label, data in owner_buttons.items() if "Pause" in label)
        step = standin.messages(OWNER)[-1]
        query = standin.user_presses(OWNER, step["message_id"], pause)
        await standin.wait_for_callback_answer(query)
        await standin.wait_until_idle(timeout=10)
        assert snapshot(database) != before
