"""Throughput of the whole bot through the local Bot API stand-in, against PTB's echo floor.

Run: ``.venv/bin/python bench/throughput.py`` (``--messages``/``--chats`` to resize).

Part 1, limit lifted (RATE_LIMIT_OVERALL=0): CHATS users each send a question, wait for the
answer and send the next, until MESSAGES questions were answered. Reported: replies per
second, reply latency p50/p99; then the same load against bench/echo_bot.py, a minimal PTB
echo bot, and the ratio of the two throughputs (target >= 0.8).

Part 2, default limit (RATE_LIMIT_OVERALL=30) with the stand-in enforcing Telegram's 30
messages a second (answering 429 past it): users offer more than 30 questions a second;
reported: replies per second, latency, and how many 429s the bot caused (target 0).

The stand-in and the load generator run in this process; each bot runs in its own process,
so the two share the machine's two cores as they would share a real host.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from standin import BotApiStandIn  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3"
QUESTIONS = [
    "how do I ease shoulder tension",
    "what oil should I use",
    "my lower back is stiff",
    "how hard should I press",
    "knot between my shoulder blades",
    "how long should it take",
    "efleurage",
    "how do I set up the table",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_bot(
    command: list[str], standin: BotApiStandIn, database: Path, limit: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": standin.base_url,
        "DATABASE_PATH": str(database),
        "RATE_LIMIT_OVERALL": limit,
        # 200 users asking as fast as they can would trip the per-chat flood control.
        "FLOOD_LIMIT": "0",
        "LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "true",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen(command, env=env, cwd=REPO)


async def stop_bot(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then wait without blocking the loop: the stand-in must answer the bot's
    last getUpdates while it shuts down."""
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(process.wait, 30)
    except subprocess.TimeoutExpired:
        process.kill()
        await asyncio.to_thread(process.wait)


async def wait_ready(standin: BotApiStandIn, chat_ids: list[int]) -> None:
    """Every chat says hello once, so the bot is polling and every chat is known."""
    for chat_id in chat_ids:
        standin.user_sends_text(chat_id, "hello", user_id=chat_id)
    for chat_id in chat_ids:
        await standin.wait_for_message(chat_id, timeout=60)


async def closed_loop(standin: BotApiStandIn, chat_ids: list[int], total: int) -> dict[str, float]:
    """Each chat asks, waits for the answer, asks again, until ``total`` were answered."""
    remaining = total
    latencies: list[float] = []

    async def user(chat_id: int) -> None:
        nonlocal remaining
        index = chat_id
        while remaining > 0:
            remaining -= 1
            index += 1
            sent = time.perf_counter()
            standin.user_sends_text(chat_id, QUESTIONS[index % len(QUESTIONS)], user_id=chat_id)
            await standin.wait_for_message(chat_id, timeout=60)
            latencies.append(time.perf_counter() - sent)

    started = time.perf_counter()
    await asyncio.gather(*(user(chat_id) for chat_id in chat_ids))
    elapsed = time.perf_counter() - started
    return {
        "replies": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


async def open_loop(
    standin: BotApiStandIn, chat_ids: list[int], rate: float, seconds: float
) -> dict[str, float]:
    """Questions arrive at ``rate`` a second regardless of answers (more than the limit)."""
    sent_at: dict[int, list[float]] = {chat_id: [] for chat_id in chat_ids}
    latencies: list[float] = []
    total = int(rate * seconds)

    async def collect(chat_id: int, count: int) -> None:
        for _ in range(count):
            await standin.wait_for_message(chat_id, timeout=120)
            latencies.append(time.perf_counter() - sent_at[chat_id].pop(0))

    per_chat = [0] * len(chat_ids)
    for number in range(total):
        per_chat[number % len(chat_ids)] += 1
    collectors = [
        asyncio.create_task(collect(c, n)) for c, n in zip(chat_ids, per_chat, strict=True)
    ]
    started = time.perf_counter()
    for number in range(total):
        chat_id = chat_ids[number % len(chat_ids)]
        sent_at[chat_id].append(time.perf_counter())
        standin.user_sends_text(chat_id, QUESTIONS[number % len(QUESTIONS)], user_id=chat_id)
        await asyncio.sleep(max(0.0, started + (number + 1) / rate - time.perf_counter()))
    await asyncio.gather(*collectors)
    elapsed = time.perf_counter() - started
    too_many = sum(1 for record in standin.requests if record.status == 429)
    return {
        "replies": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "http_429": too_many,
    }


async def measure(
    command: list[str], chats: int, messages: int, database: Path
) -> dict[str, float]:
    async with BotApiStandIn(default_token=TOKEN, request_log_limit=100) as standin:
        chat_ids = list(range(50_000, 50_000 + chats))
        process = start_bot(command, standin, database, "0")
        try:
            await wait_ready(standin, chat_ids)
            return await closed_loop(standin, chat_ids, messages)
        finally:
            await stop_bot(process)


async def measure_limited(
    chats: int, rate: float, seconds: float, database: Path
) -> dict[str, float]:
    async with BotApiStandIn(default_token=TOKEN, request_log_limit=100_000) as standin:
        chat_ids = list(range(60_000, 60_000 + chats))
        process = start_bot([sys.executable, "-m", "bot"], standin, database, "30")
        try:
            await wait_ready(standin, chat_ids)
            standin.clear_requests()
            standin.flood_limits(per_chat_per_second=None, overall_per_second=30.0, retry_after=1)
            return await open_loop(standin, chat_ids, rate, seconds)
        finally:
            standin.disable_flood_limits()
            await stop_bot(process)


def show(name: str, result: dict[str, float]) -> None:
    figures = ", ".join(
        f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}"
        for key, value in result.items()
    )
    print(f"{name}: {figures}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--limited-rate", type=float, default=40.0)
    parser.add_argument("--limited-seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ours = await measure(
            [sys.executable, "-m", "bot"], args.chats, args.messages, Path(folder) / "a.sqlite3"
        )
        show("massage-coach (limit lifted)", ours)
        echo = await measure(
            [sys.executable, str(REPO / "bench" / "echo_bot.py")],
            args.chats,
            args.messages,
            Path(folder) / "b.sqlite3",
        )
        show("ptb echo bot (limit lifted)", echo)
        print(f"ratio ours/echo: {ours['per_second'] / echo['per_second']:.2f} (target >= 0.8)")
        limited = await measure_limited(
            args.chats, args.limited_rate, args.limited_seconds, Path(folder) / "c.sqlite3"
        )
        show("massage-coach (RATE_LIMIT_OVERALL=30, stand-in enforcing 30/s)", limited)


if __name__ == "__main__":
    asyncio.run(main())
