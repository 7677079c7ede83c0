"""A chat that can no longer receive messages (403 blocked, 400 chat not found).

Sessions and reminders both send on their own timetable, so either may be the first to
learn that a chat is gone. Whichever it is ends the chat's open session and pauses its
reminders in one transaction and logs one line; the other then finds nothing left to do
and stays quiet. Nothing keeps sending to that chat, so nothing retries in a loop.
Reminders switch back on when the chat talks to the bot again (ReminderService.resume).
"""

from __future__ import annotations

import logging

import aiosqlite

from bot.reminders.store import pause_chat_in
from bot.sessions import store as session_store
from bot.storage import Storage

log = logging.getLogger(__name__)


async def end_chat_in(db: aiosqlite.Connection, chat_id: int, now: float) -> tuple[int, int]:
    """Inside a transaction: end the open session, pause the reminders; returns the counts."""
    sessions = await session_store.end_open_in(db, chat_id, now)
    return sessions, await pause_chat_in(db, chat_id)


def log_ended(chat_id: int, reason: str, sessions: int, reminders: int) -> None:
    """The one line per gone chat (nothing is logged when nothing was left to end)."""
    if sessions or reminders:
        log.info(
            "chat %s cannot be reached (%s): ended %d session(s), paused %d reminder(s)",
            chat_id,
            reason,
            sessions,
            reminders,
        )


async def end_chat(storage: Storage, chat_id: int, now: float, reason: str) -> None:
    """End the chat's session and pause its reminders, all or nothing, logged once."""
    async with storage.transaction() as db:
        sessions, reminders = await end_chat_in(db, chat_id, now)
    log_ended(chat_id, reason, sessions, reminders)
