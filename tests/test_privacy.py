"""/privacy and /forget: the core over a real database, and through the real Application."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot import privacy
from bot.messaging import Reply
from bot.reminders.schedule import Schedule
from bot.reminders.service import ReminderService
from bot.reminders.zones import ZoneIndex
from bot.storage import Storage
from handlers.fallback import STALE_BUTTON
from tests.support.app import RunningBot, buttons

JSONDict = dict[str, Any]
CHAT, OTHER = 1001, 2002


@pytest_asyncio.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    store = Storage(tmp_path / "privacy.sqlite3")
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def rows_about(storage: Storage, chat_id: int) -> dict[str, int]:
    """Rows naming the chat, in every table with a chat_id (or *_chat_id) column."""
    found: dict[str, int] = {}
    tables = await storage.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in tables:
        columns = await storage.fetchall("SELECT name FROM pragma_table_info(?)", (table,))
        for (column,) in columns:
            if column == "chat_id" or column.endswith("_chat_id"):
                row = await storage.fetchone(
                    f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ?', (chat_id,)
                )
                assert row is not None
                found[f"{table}.{column}"] = int(row[0])
    return found


async def test_every_table_with_chat_ids_is_found(storage: Storage) -> None:
    tables = dict(await privacy.chat_tables(storage))
    assert {"chats", "sessions", "reminders", "reminder_pending"} <= set(tables)
    assert tables["broadcasts"] == "admin_chat_id"
    assert list(dict(await privacy.chat_tables(storage)))[-1] == "chats"


class Recorder:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.before_send: list[Any] = []

    async def send(self, chat_id: int, reply: Reply) -> int:
        for hook in self.before_send:
            await hook()
        self.before_send.clear()
        self.sent.append(chat_id)
        return len(self.sent)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        self.sent.append(chat_id)

    async def delete(self, chat_id: int, message_id: int) -> None:
        raise AssertionError("not expected")


async def test_forget_during_a_reminder_fan_out_stops_that_chats_nudge(storage: Storage) -> None:
    """The fan-out read both rows before /forget; the guard keeps the second from going."""
    recorder = Recorder()
    service = privacy.PrivacyService(storage, privacy.ForgetGuard(recorder))
    reminders = ReminderService(storage, ("Breathe.",), ZoneIndex(), sender=service.guard)
    reminders._concurrency = 1  # one send at a time: the order below is certain
    for chat in (OTHER, CHAT):
        await storage.touch_chat(chat)
        await reminders.set_zone(chat, "UTC")
        await reminders.add(chat, Schedule(9, 0))
    now = time.time()
    await storage.execute("UPDATE reminders SET next_fire_at = ?, due_at = ?", (now, now))

    async def forget_chat() -> None:
        await service.forget(CHAT, asked_at=int(time.time()))

    recorder.before_send.append(forget_chat)
    await reminders.timetable.run_due(time.time())
    assert recorder.sent == [OTHER]
    assert set((await rows_about(storage, CHAT)).values()) == {0}
    # Writing again lifts the guard.
    service.guard.seen(CHAT)
    assert await service.guard.send(CHAT, Reply("hi")) == 2


async def test_an_old_confirmation_asks_again(storage: Storage) -> None:
    service = privacy.PrivacyService(storage, privacy.ForgetGuard(Recorder()))
    await storage.touch_chat(CHAT)
    reply = await service.forget(CHAT, asked_at=int(time.time() - 2 * privacy.CONFIRM_TTL))
    assert "expired" in reply.text
    assert (await rows_about(storage, CHAT))["chats.chat_id"] == 1


# -- through the real Application -----------------------------------------------------------


async def test_privacy_says_what_is_kept(bot: RunningBot) -> None:
    reply = await bot.say("/privacy")
    for kept in ("chat id", "time zone", "guided sessions", "reminders", "/forget"):
        assert kept in reply["text"]
    assert "do not keep what you write" in reply["text"]


async def test_forget_deletes_everything_and_nothing_more_arrives(bot: RunningBot) -> None:
    assert "Time zone set" in (await bot.say("/timezone Europe/Berlin"))["text"]
    assert "I'll remind you" in (await bot.say("/remind 21:30"))["text"]
    await bot.say("/remind 7:30 weekdays")
    await bot.say("how hard should I press?")
    await bot.say("/session quick")
    checklist = bot.standin.messages(bot.chat_id)[-1]
    await bot.press(checklist, "Start")
    step = await bot.next_message()
    assert step["text"].startswith("Step 1")
    bot.standin.user_sends_text(OTHER, "/start")  # another chat keeps its data
    await bot.next_message(chat_id=OTHER)

    confirm = await bot.say("/forget")
    assert "2 reminders" in confirm["text"] and "1 guided session" in confirm["text"]
    await bot.press(confirm, "Yes, delete")
    done = await bot.standin.wait_for_edit(bot.chat_id, confirm["message_id"])
    assert "I deleted everything" in done["text"] and "2 reminders" in done["text"]
    assert set((await rows_about(bot.services.storage, bot.chat_id)).values()) == {0}
    assert (await rows_about(bot.services.storage, OTHER))["chats.chat_id"] == 1

    # The session was running at 0.01 time scale: its next step would be due within a
    # second. Give the scheduler well over that, then check nothing more was sent.
    count = len(bot.standin.messages(bot.chat_id))
    bot.services.scheduler.wake()
    await asyncio.sleep(2.0)
    assert len(bot.standin.messages(bot.chat_id)) == count
    assert await bot.services.sessions.open_session(bot.chat_id) is None


async def test_keep_changes_nothing(bot: RunningBot) -> None:
    await bot.say("/timezone UTC")
    confirm = await bot.say("/forget")
    await bot.press(confirm, "Keep")
    kept = await bot.standin.wait_for_edit(bot.chat_id, confirm["message_id"])
    assert "keep everything" in kept["text"]
    assert await bot.services.reminders.chat_zone(bot.chat_id) == "UTC"


async def test_forget_with_nothing_stored_has_no_buttons(bot: RunningBot) -> None:
    reply = await bot.say("/forget")
    # remember_chat noted this chat just now, so that row is what there is to delete.
    assert "your settings" in reply["text"]
    assert [b["text"] for b in buttons(reply)] == ["🗑 Yes, delete everything", "Keep my data"]


@pytest.mark.parametrize("data", ["v1:pf", "v1:pf:12", "v1:pz", "priv:forget:12"])
async def test_forged_or_expired_presses_delete_nothing(bot: RunningBot, data: str) -> None:
    await bot.say("/timezone UTC")
    message = bot.standin.messages(bot.chat_id)[-1]
    query = bot.standin.user_presses(bot.chat_id, message["message_id"], data, strict=False)
    answered = await bot.standin.wait_for_callback_answer(query)
    if data == "v1:pf:12":  # well-formed but decades old
        edited = await bot.standin.wait_for_edit(bot.chat_id, message["message_id"])
        assert "expired" in edited["text"]
    else:
        assert answered.get("text") == STALE_BUTTON
    assert await bot.services.reminders.chat_zone(bot.chat_id) == "UTC"
