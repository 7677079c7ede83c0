"""At most one flush per key per interval; what arrives meanwhile goes out together.

Telegram allows about one message a second per chat, and edits of one message are limited
too. PTB's rate limiter would only delay each message; here rapid presses become one line
and a burst of step changes one edit (the newest), which a limiter cannot do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Flush = Callable[[int, list[T]], Awaitable[None]]


class Paced(Generic[T]):
    """Calls ``flush(key, items)`` at once, then at most once per ``interval`` per key."""

    def __init__(
        self,
        flush: Flush[T],
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._flush = flush
        self._interval = interval
        self._clock = clock
        self._pending: dict[int, list[T]] = {}
        self._last: dict[int, float] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def submit(self, key: int, item: T) -> None:
        self._pending.setdefault(key, []).append(item)
        task = self._tasks.get(key)
        if task is None or task.done():
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"paced:{key}")

    async def _run(self, key: int) -> None:
        while self._pending.get(key):
            wait = self._last.get(key, float("-inf")) + self._interval - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            items = self._pending.pop(key, [])
            if not items:
                break
            self._last[key] = self._clock()
            try:
                await self._flush(key, items)
            except Exception:
                log.exception("paced send to %s failed", key)
        self._tasks.pop(key, None)
        # Only the last second matters; older entries would just grow the dict.
        now = self._clock()
        for other in [k for k, at in self._last.items() if now - at > self._interval]:
            del self._last[other]

    async def drain(self) -> None:
        """Send what is waiting (called when the bot stops)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
