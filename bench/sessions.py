"""Guided-session timing benchmarks; figures go into BENCHMARKS.md.

    .venv/bin/python -m bench.sessions live      # 1,000 sessions against the stand-in
    .venv/bin/python -m bench.sessions realistic # 1,000 sessions, real step lengths, limiter on
    .venv/bin/python -m bench.sessions sends     # CPU per sendMessage at 30/s, limiter on
    .venv/bin/python -m bench.sessions timetable # 100,000 steps, no sending
    .venv/bin/python -m bench.sessions restart   # restart with 10,000 running sessions
    .venv/bin/python -m bench.sessions all

``live`` runs the stand-in in its own process (Telegram is another machine, after all) and
sends through the application's real Bot and Sender, as ``bot.app.build`` wires them (HTML
default, the app's transport; rate limiter off). Lateness is the time the
send *completed* minus the step's due time, so it includes the HTTP round trip.

``realistic`` is the load a real bot meets: the four routines at their own step lengths
(40-150 s, TIME_SCALE=1), 1,000 sessions already under way (each one's next step due at a
random point of its first step's length), RATE_LIMIT_OVERALL=30 as shipped, for 3 minutes.
``sends`` measures the bot's CPU per ``sendMessage`` at Telegram's 30 a second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.catalog.entries import Catalog
from bot.catalog.loader import load_catalog
from bot.config import Settings, load_settings
from bot.messaging import Reply
from bot.services import Services
from bot.sessions.plan import plan_routine, plan_to_json

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def summary(lateness: list[float]) -> str:
    ms = sorted(x * 1000 for x in lateness)
    if not ms:
        return "no samples"
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return (
        f"n={len(ms)} p50={statistics.median(ms):.1f} ms p99={p(0.99):.1f} ms max={ms[-1]:.1f} ms"
    )


def settings(
    database: Path,
    api_url: str = "http://127.0.0.1:1/bot",
    scale: float = 1.0,
    rate_limit: float = 0,
    pictures: bool = False,
) -> Settings:
    return load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": api_url,
            "DATABASE_PATH": str(database),
            "TIME_SCALE": str(scale),
            "RATE_LIMIT_OVERALL": str(rate_limit),
            "PICTURES": "on" if pictures else "off",
        },
        dotenv=None,
    )


class NullSender:
    """Sends nothing: measures the timetable, the database and the state logic alone."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, chat_id: int, reply: Reply) -> int:
        self.sent += 1
        return self.sent

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        return None

    async def delete(self, chat_id: int, message_id: int) -> None:
        return None


async def insert_running(
    services: Services, catalog: Catalog, count: int, due: list[float], *, claimed: int = 0
) -> None:
    """Write ``count`` running sessions whose first step falls due at ``due[i]``."""
    plan = plan_routine(catalog.entries["routine.full-back"])
    steps = plan_to_json(plan.steps)
    rows = [
        (
            10_000 + i,
            plan.entry_id,
            plan.title,
            steps,
            plan.seconds,
            due[i],
            due[i] if i < claimed else None,
            time.time(),
        )
        for i in range(count)
    ]
    async with services.storage.transaction() as db:
        await db.executemany(
            "INSERT INTO sessions (chat_id, kind, entry_id, title, plan, length_seconds, status,"
            " step, next_event, due_at, claimed_at, created_at) "
            "VALUES (?, 'routine', ?, ?, ?, ?, 'running', 0, 'step', ?, ?, ?)",
            rows,
        )


# --------------------------------------------------------------------------------------------


async def upload_pictures(bot: Any, services: Services, entry_ids: set[str]) -> None:
    """The steady state of a running bot: every picture drawn and its file id known."""
    from handlers.pictures import send_reply

    for entry_id in sorted(entry_ids):
        await send_reply(bot, 1, Reply("warm-up", picture=entry_id), services.pictures)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int | str = "self") -> float:
    """CPU time (user + system, all threads) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def standin_process() -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "standin",
        "--port",
        str(port),
        "--no-chat-check",
        "--freeze-gc",
        "1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    base_url = (await process.stdout.readline()).decode().strip()
    try:
        yield base_url, process.pid
    finally:
        process.terminate()
        await process.wait()


async def live(
    sessions: int = 1000,
    seconds: float = 8.0,
    *,
    burst: bool = False,
    pictures: bool = False,
    warm: bool = False,
) -> str:
    """``sessions`` quick-relax sessions with ~1 s steps, started spread over one second."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from bot.app import build

    catalog = load_catalog()
    lateness: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        async with standin_process() as (base_url, standin_pid):
            config = settings(
                Path(folder) / "bench.sqlite3", base_url, scale=0.02, pictures=pictures
            )
            # The application as it runs (its Bot, transport, defaults and Sender), minus
            # polling: the steps are all that is measured.
            app = build(
                config,
                catalog,
                on_session_sent=lambda chat, due, sent: lateness.append(sent - due),
            )
            services = app.bot_data.services
            async with app:
                await services.start()
                plan = plan_routine(catalog.entries["routine.quick-relax"])
                if pictures and warm:
                    await upload_pictures(
                        app.bot, services, {step.technique for step in plan.steps}
                    )
                for chat in range(1, sessions + 1):
                    await services.sessions.offer(chat, plan)
                start = time.time()
                # Start presses: all at once (burst) or spread evenly over one second.
                async with services.storage.transaction() as db:
                    await db.executemany(
                        "UPDATE sessions SET status = 'running', due_at = ? WHERE chat_id = ?",
                        [
                            (start + (0.0 if burst else random.random()), chat)
                            for chat in range(1, sessions + 1)
                        ],
                    )
                services.scheduler.wake("sessions")
                cpu_before = cpu_seconds(), cpu_seconds(standin_pid)
                await asyncio.sleep(seconds)
                cpu_after = cpu_seconds(), cpu_seconds(standin_pid)
                await services.stop()
    steady = lateness[sessions:]  # skip the first step of each session (start-up)
    mode = "all started at the same instant" if burst else "starts spread over 1 s"
    if pictures:
        mode += ", with pictures " + (
            "(drawn and uploaded before)" if warm else "(none drawn or uploaded at the start)"
        )
    bot_cpu, standin_cpu = (
        after - before for after, before in zip(cpu_after, cpu_before, strict=True)
    )
    per_step = 1e6 / max(1, len(lateness))
    return (
        f"live, {sessions} sessions, ~1 s steps, {mode}: {summary(lateness)}; "
        f"after each session's first step: {summary(steady)}; "
        f"{len(lateness) / seconds:.0f} steps/s; CPU while measuring: bot process "
        f"{bot_cpu / seconds:.0%} of a core ({bot_cpu * per_step:.0f} µs/step), stand-in "
        f"{standin_cpu / seconds:.0%} ({standin_cpu * per_step:.0f} µs/step)"
    )


async def realistic(sessions: int = 1000, seconds: float = 180.0, rate: float = 30) -> str:
    """``sessions`` sessions of the four routines at real step lengths, limiter on."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from bot.app import build

    catalog = load_catalog()
    plans = [
        plan_routine(entry) for key, entry in catalog.entries.items() if key.startswith("routine.")
    ]
    sent: list[tuple[float, float]] = []  # (due, completed)
    with tempfile.TemporaryDirectory() as folder:
        async with standin_process() as (base_url, standin_pid):
            config = settings(Path(folder) / "bench.sqlite3", base_url, 1.0, rate)
            app = build(config, catalog)
            services = app.bot_data.services
            async with app:
                services.sessions.on_sent = lambda chat, due, done: sent.append((due, done))
                await services.start()
                for chat in range(1, sessions + 1):
                    await services.sessions.offer(chat, plans[chat % len(plans)])
                start = time.time() + 1.0
                # Sessions already under way: each one's next step falls due somewhere in
                # the length of a step, so the sends arrive as they would in steady use.
                rows = []
                for chat in range(1, sessions + 1):
                    first_step = plans[chat % len(plans)].steps[0].seconds
                    rows.append((start + random.random() * first_step, chat))
                async with services.storage.transaction() as db:
                    await db.executemany(
                        "UPDATE sessions SET status = 'running', due_at = ? WHERE chat_id = ?",
                        rows,
                    )
                services.scheduler.wake("sessions")
                cpu_before = cpu_seconds(), cpu_seconds(standin_pid)
                began = time.perf_counter()
                await asyncio.sleep(seconds)
                elapsed = time.perf_counter() - began
                cpu_after = cpu_seconds(), cpu_seconds(standin_pid)
                await services.stop()
    bot_cpu, standin_cpu = (
        after - before for after, before in zip(cpu_after, cpu_before, strict=True)
    )
    lateness = [done - due for due, done in sent]
    busiest = max(
        (
            sum(1 for due, _ in sent if second <= due - start < second + 1)
            for second in range(int(seconds))
        ),
        default=0,
    )
    return (
        f"realistic, {sessions} sessions of {len(plans)} routines at real step lengths, "
        f"RATE_LIMIT_OVERALL={rate:g}, {elapsed:.0f} s: {summary(lateness)}; "
        f"{len(sent) / elapsed:.1f} sends/s (busiest second {busiest}); CPU: bot process "
        f"{bot_cpu / elapsed:.1%} of a core ({bot_cpu * 1e6 / max(1, len(sent)):.0f} µs/send), "
        f"stand-in {standin_cpu / elapsed:.1%}"
    )


async def sends(rate: float = 30.0, seconds: float = 30.0, chats: int = 600) -> str:
    """The bot's CPU per sendMessage at ``rate`` a second through its own Bot, transport and
    rate limiter (RATE_LIMIT_OVERALL=30), against the stand-in in its own process."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from bot.app import build

    catalog = load_catalog()
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        async with standin_process() as (base_url, standin_pid):
            app = build(settings(Path(folder) / "bench.sqlite3", base_url, 1.0, 30), catalog)
            async with app:
                bot = app.bot

                async def send(number: int) -> None:
                    started = time.perf_counter()
                    await bot.send_message(
                        1 + number % chats, f"<b>Step {number}</b> of the bench"
                    )
                    latencies.append(time.perf_counter() - started)

                for number in range(20):  # warm the connections and the limiter up
                    await send(number)
                latencies.clear()
                total = int(rate * seconds)
                tasks = []
                cpu_before = cpu_seconds(), cpu_seconds(standin_pid)
                began = time.perf_counter()
                for number in range(total):
                    tasks.append(asyncio.create_task(send(number)))
                    await asyncio.sleep(
                        max(0.0, began + (number + 1) / rate - time.perf_counter())
                    )
                await asyncio.gather(*tasks)
                elapsed = time.perf_counter() - began
                cpu_after = cpu_seconds(), cpu_seconds(standin_pid)
    bot_cpu, standin_cpu = (
        after - before for after, before in zip(cpu_after, cpu_before, strict=True)
    )
    return (
        f"sends, {total} sendMessage at {rate:g}/s (RATE_LIMIT_OVERALL=30), {elapsed:.1f} s: "
        f"bot process {bot_cpu / elapsed:.1%} of a core, {bot_cpu * 1e6 / total:.0f} µs of CPU "
        f"per message; stand-in {standin_cpu / elapsed:.1%}; call latency "
        f"{summary(latencies)}"
    )


async def timetable(count: int = 100_000, window: float = 100.0) -> str:
    """``count`` due steps spread over ``window`` seconds, fired with a null sender."""
    catalog = load_catalog()
    lateness: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        services = Services.create(
            settings(Path(folder) / "bench.sqlite3"),
            catalog,
            NullSender(),
            on_session_sent=lambda chat, due, sent: lateness.append(sent - due),
        )
        before = rss_mb()
        await services.storage.open()
        begin = time.time() + 5.0
        due = sorted(begin + random.random() * window for _ in range(count))
        await insert_running(services, catalog, count, due)
        loaded = rss_mb()
        await services.sessions.timetable.recover()
        await services.scheduler.start()
        peak = loaded
        while len(lateness) < count and time.time() < begin + window + 60:
            await asyncio.sleep(0.5)
            peak = max(peak, rss_mb())
        await services.stop()
    return (
        f"timetable, {count} steps over {window:.0f} s, null sender: {summary(lateness)}; "
        f"RSS {before:.0f} MB before, {loaded:.0f} MB with all rows written, "
        f"{peak:.0f} MB peak while firing"
    )


async def restart(count: int = 10_000) -> str:
    """Reopen a database holding ``count`` running sessions (10% left claimed by a kill)."""
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        first = Services.create(settings(path), catalog, NullSender())
        await first.storage.open()
        now = time.time()
        # Half fell due while the bot was down, half are still to come.
        due = [now - 30 + random.random() * 60 for _ in range(count)]
        await insert_running(first, catalog, count, due, claimed=count // 10)
        await first.storage.close()

        sender = NullSender()
        services = Services.create(settings(path), catalog, sender)
        started = time.perf_counter()
        await services.start()
        first_due = await services.sessions.timetable.next_due()
        rescheduled = time.perf_counter() - started
        overdue = sum(1 for d in due if d <= now)
        while sender.sent < overdue and time.perf_counter() - started < 60:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        caught_up = time.perf_counter() - started
        unclaimed = await services.storage.fetchone(
            "SELECT COUNT(*) FROM sessions WHERE claimed_at IS NOT NULL AND due_at > ?",
            (time.time() + 1,),
        )
        await services.stop()
    assert first_due is not None and unclaimed is not None and unclaimed[0] == 0
    return (
        f"restart, {count} running sessions ({count // 10} left claimed by a kill, "
        f"{overdue} overdue): rescheduled (open, migrate, release claims, first wake-up "
        f"computed) in {rescheduled * 1000:.0f} ms; every overdue step fired (null sender) "
        f"after {caught_up * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sessions")
    parser.add_argument(
        "which", choices=("live", "burst", "realistic", "sends", "timetable", "restart", "all")
    )
    parser.add_argument("--sessions", type=int, default=1000, help="for live and burst")
    parser.add_argument("--seconds", type=float, default=180.0, help="for realistic")
    parser.add_argument("--rate", type=float, default=30.0, help="sends a second, for sends")
    parser.add_argument(
        "--pictures", action="store_true", help="live and burst: steps carry their pictures"
    )
    parser.add_argument(
        "--warm", action="store_true", help="with --pictures: drawn and uploaded beforehand"
    )
    args = parser.parse_args()
    runs = {
        "live": lambda: live(args.sessions, pictures=args.pictures, warm=args.warm),
        "burst": lambda: live(args.sessions, burst=True, pictures=args.pictures),
        "realistic": lambda: realistic(args.sessions, args.seconds),
        "sends": lambda: sends(args.rate),
        "timetable": lambda: timetable(),
        "restart": lambda: restart(),
    }
    chosen = list(runs) if args.which == "all" else [args.which]
    for name in chosen:
        print(asyncio.run(runs[name]()), flush=True)
    print(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M %Z")}))


if __name__ == "__main__":
    main()
