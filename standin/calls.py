"""One Bot API call in flight: its connection context, a described result, the handler type."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from standin.params import Params
from standin.state import BotState


class RequestContext:
    """Per-request connection state, so waits end when the client hangs up."""

    def __init__(self) -> None:
        self.closed = False
        self.arrival_wall = time.time()
        self.arrival_mono = time.monotonic()
        self._wakers: set[asyncio.Event] = set()

    def close(self) -> None:
        self.closed = True
        for event in self._wakers:
            event.set()

    @contextlib.contextmanager
    def waking(self, event: asyncio.Event) -> Iterator[None]:
        self._wakers.add(event)
        if self.closed:
            event.set()
        try:
            yield
        finally:
            self._wakers.discard(event)


class Described:
    """A successful result that also carries a description (as setWebhook's answer does)."""

    def __init__(self, result: Any, description: str) -> None:
        self.result = result
        self.description = description


async def wait_event(event: asyncio.Event, timeout: float) -> bool:  # noqa: ASYNC109
    if event.is_set():
        return True
    if timeout <= 0:
        return False
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


Handler = Callable[[BotState, Params, RequestContext], Awaitable[Any]]
