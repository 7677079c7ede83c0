"""A person's membership of the bot: blocking it stops their timed messages at once."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.scheduler import Waker
from bot.storage import Storage
from bot.unreachable import end_chat

Clock = Callable[[], float]


class MembershipService:
    """What happens when Telegram reports that a private chat blocked the bot."""

    def __init__(self, storage: Storage, scheduler: Waker, *, clock: Clock = time.time) -> None:
        self._storage = storage
        self._scheduler = scheduler
        self._clock = clock

    async def blocked(self, chat_id: int) -> None:
        """End the chat's session and pause its reminders; every timetable looks again."""
        await end_chat(self._storage, chat_id, self._clock(), "blocked the bot")
        self._scheduler.wake()
