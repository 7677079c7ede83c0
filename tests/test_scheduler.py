"""The due-time scheduler sleeps until the earliest due item and wakes early on change."""

from __future__ import annotations

import asyncio
import time

from bot.scheduler import DueScheduler


class Timetable:
    def __init__(self, name: str = "test") -> None:
        self.name = name
        self.due: list[float] = []
        self.fired: list[tuple[float, float]] = []

    async def next_due(self) -> float | None:
        return min(self.due) if self.due else None

    async def run_due(self, now: float) -> None:
        for due in sorted(item for item in self.due if item <= now):
            self.due.remove(due)
            self.fired.append((due, time.time()))


async def test_items_fire_on_time_and_in_order() -> None:
    table = Timetable()
    start = time.time()
    table.due = [start + 0.15, start + 0.05, start + 0.10]
    scheduler = DueScheduler([table])
    await scheduler.start()
    await asyncio.sleep(0.3)
    await scheduler.stop()
    assert [due for due, _ in table.fired] == sorted(due for due, _ in table.fired)
    assert len(table.fired) == 3
    assert all(0 <= fired - due < 0.1 for due, fired in table.fired)


async def test_wake_picks_up_an_earlier_item() -> None:
    table = Timetable()
    scheduler = DueScheduler([table], max_sleep=30)
    await scheduler.start()
    await asyncio.sleep(0.02)
    table.due.append(time.time() + 0.05)
    scheduler.wake("test")
    await asyncio.sleep(0.2)
    await scheduler.stop()
    assert len(table.fired) == 1


async def test_a_failing_source_does_not_stop_the_others() -> None:
    class Broken(Timetable):
        async def run_due(self, now: float) -> None:
            raise RuntimeError("boom")

    good, broken = Timetable("good"), Broken("broken")
    good.due = [time.time() + 0.05]
    broken.due = [time.time()]
    scheduler = DueScheduler([good, broken], error_backoff=0.01)
    await scheduler.start()
    await asyncio.sleep(0.2)
    await scheduler.stop()
    assert len(good.fired) == 1


async def test_a_source_added_after_start_runs() -> None:
    scheduler = DueScheduler()
    await scheduler.start()
    table = Timetable("late")
    table.due = [time.time()]
    scheduler.add(table)
    await asyncio.sleep(0.1)
    await scheduler.stop()
    assert len(table.fired) == 1
