"""A due-time scheduler: the database is the timetable, this only decides when to look.

Each source (guided-session steps, reminders, ...) tells when its earliest item falls due
and processes what is due. The scheduler runs one loop per source, so a slow fan-out of
reminders never delays a session step, and sleeps until the earliest due time, woken early
when a source's timetable changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

Clock = Callable[[], float]
# The longest pause after repeated failures: a fixed database is noticed within this.
MAX_BACKOFF = 10.0


class Waker(Protocol):
    """The part of the scheduler a service needs: look at a timetable again now."""

    def wake(self, name: str | None = None) -> None:
        """Wake the loop of source ``name`` (every loop when None)."""


class DueSource(Protocol):
    """Something with a timetable in the database."""

    name: str

    async def next_due(self) -> float | None:
        """Unix time of the earliest pending item, or None when nothing is pending."""

    async def run_due(self, now: float) -> None:
        """Handle every item due at or before ``now``."""


class DueScheduler:
    """Runs one wake-up loop per source; ``wake`` makes a loop look again at once."""

    def __init__(
        self,
        sources: list[DueSource] | None = None,
        *,
        clock: Clock = time.time,
        max_sleep: float = 60.0,
        error_backoff: float = 1.0,
    ) -> None:
        self._sources: dict[str, DueSource] = {}
        self._events: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._running = False
        self._clock = clock
        self._max_sleep = max_sleep
        self._error_backoff = error_backoff
        for source in sources or []:
            self.add(source)

    def add(self, source: DueSource) -> None:
        if source.name in self._sources:
            raise ValueError(f"a source named {source.name!r} is already scheduled")
        self._sources[source.name] = source
        self._events[source.name] = asyncio.Event()
        if self.running:
            self._start(source)

    @property
    def running(self) -> bool:
        return self._running

    def wake(self, name: str | None = None) -> None:
        """Look at one source's timetable (or every source's) again now."""
        for source_name, event in self._events.items():
            if name is None or source_name == name:
                event.set()

    async def start(self) -> None:
        self._running = True
        for source in self._sources.values():
            self._start(source)

    def _start(self, source: DueSource) -> None:
        self._tasks[source.name] = asyncio.create_task(
            self._run(source), name=f"scheduler:{source.name}"
        )

    async def stop(self) -> None:
        self._running = False
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, source: DueSource) -> None:
        event = self._events[source.name]
        failures = 0
        while True:
            event.clear()
            try:
                await source.run_due(self._clock())
                due = await source.next_due()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # A locked or full database fails every pass until it is fixed: back off
                # (doubling, at most MAX_BACKOFF) and log the traceback once, not every second.
                failures += 1
                backoff = min(self._error_backoff * 2 ** (failures - 1), MAX_BACKOFF)
                if failures == 1:
                    log.exception("scheduler source %s failed; retrying shortly", source.name)
                else:
                    log.warning(
                        "scheduler source %s failed again (%s); next try in %.0f s",
                        source.name,
                        error,
                        backoff,
                    )
                due = self._clock() + backoff
            else:
                if failures:
                    log.info("scheduler source %s works again", source.name)
                failures = 0
            delay = self._max_sleep if due is None else due - self._clock()
            if delay <= 0:
                # Something fell due while we were busy: yield once, then run again.
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=min(delay, self._max_sleep))
