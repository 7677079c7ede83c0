"""Reminder benchmarks: start-up and memory with 100,000 chats, one minute's due batch, and a
3,000-reminder fan-out through the real Application and the Bot API stand-in (429s on).

    .venv/bin/python -m bench.reminders            # everything (the fan-out takes ~2 min)
    .venv/bin/python -m bench.reminders --skip-fanout
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.harness import limited_bot
from bot.messaging import Reply
from bot.reminders.lines import load_lines
from bot.reminders.schedule import Schedule, next_fire, zone_for
from bot.reminders.service import ReminderService
from bot.reminders.zones import ZoneIndex
from bot.storage import Storage

CHATS = 100_000
DUE_IN_MINUTE = 2_000
FANOUT = 3_000
ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "UTC",
    "UTC+05:30",
)


def populate(path: Path, chats: int, *, seed: int = 1) -> None:
    """Create the schema with the bot's migrations, then one reminder per chat."""

    async def migrate() -> None:
        storage = Storage(path, exclusive=False)
        await storage.open()
        await storage.close()

    asyncio.run(migrate())
    rng = random.Random(seed)
    now = time.time()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO chats (chat_id, first_seen_at, last_seen_at, time_zone) "
            "VALUES (?, ?, ?, ?)",
            ((chat, now, now, ZONES[chat % len(ZONES)]) for chat in range(1, chats + 1)),
        )
        rows = []
        for chat in range(1, chats + 1):
            zone = ZONES[chat % len(ZONES)]
            hour, minute, days = rng.randrange(24), rng.randrange(60), rng.randrange(1, 128)
            fire = next_fire(Schedule(hour, minute, days), zone_for(zone), now)
            rows.append((chat, hour, minute, days, zone, fire, fire, now))
        db.executemany(
            "INSERT INTO reminders (chat_id, hour, minute, weekdays, time_zone, next_fire_at, "
            "due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def startup_probe(path: str) -> None:
    """Run in a fresh process: build the real Application and start its services."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    began = time.perf_counter()
    from bot.app import build
    from bot.catalog.loader import load_catalog
    from bot.config import load_settings

    settings = load_settings(
        {"BOT_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3", "DATABASE_PATH": path},
        dotenv=None,
    )

    async def start() -> dict[str, float]:
        app = build(settings, load_catalog())
        services = app.bot_data.services
        assert services is not None
        imported = time.perf_counter()
        await services.start()  # what post_init does, minus the network calls
        due = await services.reminders.timetable.next_due()
        ready = time.perf_counter()
        assert due is not None and services.scheduler.running
        await services.stop()
        return {"imports_and_build_s": imported - began, "services_ready_s": ready - imported}

    timings = asyncio.run(start())
    rss_kb = max(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith(("VmRSS", "VmHWM"))
    )
    timings["total_s"] = timings["imports_and_build_s"] + timings["services_ready_s"]
    print(json.dumps({**timings, "peak_rss_mb": rss_kb / 1024}))


class NullSender:
    async def send(self, chat_id: int, reply: Reply) -> int:
        return 1

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        return None

    async def delete(self, chat_id: int, message_id: int) -> None:
        return None


async def due_minute(path: Path, repeats: int) -> dict[str, float]:
    """Select and mark one minute's 2,000 due reminders (an instant sender), ``repeats`` times."""
    storage = Storage(path, exclusive=False)
    await storage.open()
    service = ReminderService(storage, load_lines(), ZoneIndex(), sender=NullSender())
    # Before every populated slot, so exactly these 2,000 are due.
    base = time.time() - 86400
    parked = time.time() + 30 * 86400
    selects: list[float] = []
    marks: list[float] = []
    totals: list[float] = []
    for run in range(repeats):
        minute = base + run * 600
        ids = random.Random(run).sample(range(1, CHATS + 1), DUE_IN_MINUTE)
        await storage.db.executemany(
            "UPDATE reminders SET next_fire_at = ?, due_at = ? WHERE id = ?",
            [(minute + i % 60, minute + i % 60, id_) for i, id_ in enumerate(ids)],
        )
        await storage.db.commit()
        now = minute + 60
        began = time.perf_counter()
        due = await service.timetable.due_rows(now)
        selects.append(time.perf_counter() - began)
        assert len(due) == DUE_IN_MINUTE, len(due)
        batch, to_send = service.timetable.plan(due, now)
        batch.sent.extend(mark for _, mark in to_send)  # as if every send succeeded
        await service.timetable.flush(batch)
        marks.append(time.perf_counter() - began)
        # The same again, end to end through run_due with an instant sender.
        await storage.db.executemany(
            "UPDATE reminders SET next_fire_at = ?, due_at = ? WHERE id = ?",
            [(minute + i % 60, minute + i % 60, id_) for i, id_ in enumerate(ids)],
        )
        await storage.db.commit()
        began = time.perf_counter()
        await service.timetable.run_due(now)
        totals.append(time.perf_counter() - began)
        left = await storage.fetchone("SELECT COUNT(*) FROM reminders WHERE due_at <= ?", (now,))
        assert left is not None and left[0] == 0
        await storage.db.executemany(
            "UPDATE reminders SET next_fire_at = ?, due_at = ? WHERE id = ?",
            [(parked, parked, id_) for id_ in ids],
        )
        await storage.db.commit()
    await storage.close()
    return {
        "select_ms_median": statistics.median(selects) * 1000,
        "select_and_mark_ms_median": statistics.median(marks) * 1000,
        "select_and_mark_ms_max": max(marks) * 1000,
        "run_due_instant_sender_ms_median": statistics.median(totals) * 1000,
        "run_due_instant_sender_ms_max": max(totals) * 1000,
    }


async def fanout(path: Path) -> dict[str, float]:
    """3,000 reminders due at once, sent by the real Application through the stand-in."""
    async with limited_bot(path, FANOUT) as (api, services):
        now = time.time()
        began = time.perf_counter()
        await services.storage.execute(
            "UPDATE reminders SET next_fire_at = ?, due_at = ?", (now, now)
        )
        services.scheduler.wake("reminders")
        while True:
            await asyncio.sleep(0.5)
            row = await services.storage.fetchone(
                "SELECT COUNT(*) FROM reminders WHERE due_at <= ?", (now + 60,)
            )
            if row is not None and row[0] == 0:
                break
        elapsed = time.perf_counter() - began
    sends = [r for r in api.requests if r.method == "sendMessage"]
    delivered = Counter(int(r.params["chat_id"]) for r in sends if r.ok)
    first = min(r.mono_time for r in sends)
    last = max(r.mono_time for r in sends if r.ok)
    return {
        "reminders": FANOUT,
        "delivered_chats": len(delivered),
        "sent_twice": sum(1 for count in delivered.values() if count > 1),
        "answered_429": sum(1 for r in sends if r.status == 429),
        "total_s": elapsed,
        "first_to_last_send_s": last - first,
        "ideal_s": FANOUT / 30,
        "rate_per_s": len(delivered) / (last - first),
    }


def fanout_database(path: Path) -> None:
    async def migrate() -> None:
        storage = Storage(path, exclusive=False)
        await storage.open()
        await storage.close()

    asyncio.run(migrate())
    far = time.time() + 86400
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO chats (chat_id, first_seen_at, last_seen_at, time_zone) "
            "VALUES (?, 0, 0, 'UTC')",
            ((chat,) for chat in range(1, FANOUT + 1)),
        )
        db.executemany(
            "INSERT INTO reminders (chat_id, hour, minute, weekdays, time_zone, next_fire_at, "
            "due_at, created_at) VALUES (?, 21, 30, 127, 'UTC', ?, ?, 0)",
            ((chat, far, far) for chat in range(1, FANOUT + 1)),
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        startup_probe(args.probe)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        began = time.perf_counter()
        populate(path, CHATS)
        print(f"populated {CHATS:,} chats with reminders in {time.perf_counter() - began:.1f} s")
        probes = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "bench.reminders", "--probe", str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            probes.append({**json.loads(out), "process_wall_s": time.perf_counter() - began})
        print(
            "start-up (fresh process, imports + build + services.start + first next_due), "
            f"{len(probes)} runs:"
        )
        keys = ("imports_and_build_s", "services_ready_s", "total_s", "process_wall_s")
        for key in (*keys, "peak_rss_mb"):
            values = [probe[key] for probe in probes]
            print(f"  {key}: median {statistics.median(values):.3f}, max {max(values):.3f}")
        print(f"one minute's {DUE_IN_MINUTE:,} due of {CHATS:,}, {args.repeats} runs:")
        for key, value in asyncio.run(due_minute(path, args.repeats)).items():
            print(f"  {key}: {value:.1f}")
        if not args.skip_fanout:
            fan_path = Path(folder) / "fanout.sqlite3"
            fanout_database(fan_path)
            print(f"fan-out of {FANOUT:,} due at once, stand-in 429s on (1/s per chat, 30/s):")
            for key, value in asyncio.run(fanout(fan_path)).items():
                print(f"  {key}: {value:.1f}" if isinstance(value, float) else f"  {key}: {value}")


if __name__ == "__main__":
    main()
