"""A person who blocks the bot: their session ends and reminders pause at once, not at the
next failed send."""

from __future__ import annotations

import time
from pathlib import Path

from standin import BotApiStandIn
from tests.support.app import running_bot

CHAT = 5005


def _blocked(chat_id: int, status: str) -> dict[str, object]:
    now = int(time.time())
    user = {"id": chat_id, "is_bot": False, "first_name": "Alex"}
    bot_user = {"id": 123456789, "is_bot": True, "first_name": "Massage Coach"}
    return {
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private", "first_name": "Alex"},
            "from": user,
            "date": now,
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": {"status": status, "user": bot_user, "until_date": 0},
        }
    }


async def test_blocking_the_bot_ends_the_session_and_pauses_reminders(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        await bot.say("/timezone Europe/Berlin", chat_id=CHAT)
        await bot.say("/remind 21:30", chat_id=CHAT)
        checklist = await bot.say("/session quick", chat_id=CHAT)
        await bot.press(checklist, "Start")
        await bot.next_message(chat_id=CHAT)  # step 1
        standin.push_update(_blocked(CHAT, "kicked"))
        await standin.wait_until_idle(timeout=10)
        storage = bot.services.storage
        session = await storage.fetchone(
            "SELECT status, due_at FROM sessions WHERE chat_id = ?", (CHAT,)
        )
        assert session is not None and tuple(session) == ("gone", None)
        reminder = await storage.fetchone(
            "SELECT paused, due_at FROM reminders WHERE chat_id = ?", (CHAT,)
        )
        assert reminder is not None and tuple(reminder) == (1, None)


async def test_a_member_update_changes_nothing(standin: BotApiStandIn, tmp_path: Path) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        await bot.say("/timezone Europe/Berlin", chat_id=CHAT)
        await bot.say("/remind 21:30", chat_id=CHAT)
        standin.push_update(_blocked(CHAT, "member"))
        await standin.wait_until_idle(timeout=10)
        reminder = await bot.services.storage.fetchone(
            "SELECT paused FROM reminders WHERE chat_id = ?", (CHAT,)
        )
        assert reminder is not None and reminder[0] == 0
