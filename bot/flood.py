"""Per-chat flood control: a chat that sends too much in a short window is asked to slow down."""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable


class Verdict(enum.Enum):
    """What to do with one incoming message."""

    ALLOW = "allow"
    WARN = "warn"  # the first message over the limit: say "slow down" once
    DROP = "drop"  # further messages in the same window: ignore quietly


class FloodGuard:
    """A sliding window of arrival times per chat; other chats are never slowed.

    Memory stays bounded: a chat's window is forgotten once it has been quiet for a whole
    window, checked on a sweep every ``window`` seconds.
    """

    def __init__(
        self,
        limit: int = 20,
        window: float = 10.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._arrivals: dict[int, deque[float]] = {}
        self._warned_until: dict[int, float] = {}
        self._next_sweep = clock() + window

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def check(self, chat_id: int) -> Verdict:
        """Record one message from ``chat_id`` and say whether to handle it."""
        if not self.enabled:
            return Verdict.ALLOW
        now = self._clock()
        if now >= self._next_sweep:
            self._sweep(now)
        arrivals = self._arrivals.setdefault(chat_id, deque())
        while arrivals and arrivals[0] <= now - self.window:
            arrivals.popleft()
        arrivals.append(now)
        if len(arrivals) <= self.limit:
            return Verdict.ALLOW
        if self._warned_until.get(chat_id, 0.0) > now:
            return Verdict.DROP
        self._warned_until[chat_id] = now + self.window
        return Verdict.WARN

    def _sweep(self, now: float) -> None:
        horizon = now - self.window
        quiet = [chat for chat, times in self._arrivals.items() if times[-1] <= horizon]
        for chat_id in quiet:
            del self._arrivals[chat_id]
        for chat_id in [c for c, until in self._warned_until.items() if until <= now]:
            del self._warned_until[chat_id]
        self._next_sweep = now + self.window

    def __len__(self) -> int:
        return len(self._arrivals)
