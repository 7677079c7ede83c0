"""Admin and privacy costs: the per-question counter, /forget, and the broadcast audience.

    .venv/bin/python -m bench.admin              # everything (the fan-out takes ~30 s)
    .venv/bin/python -m bench.admin --skip-fanout

Reports medians from one run: the counter UPSERT next to one question's ``ask`` (what it is
added to), /forget of a chat with a long history among many chats, and the query that picks
a broadcast's recipients; then a broadcast to 900 chats through the real Application and
the Bot API stand-in (Telegram's flood limits on) while a person keeps asking for /help.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.harness import limited_bot
from bench.sessions import NullSender
from bot import admin, privacy
from bot.ask.service import build_asker
from bot.catalog.loader import load_catalog
from bot.search.lexical import build_searcher
from bot.storage import Storage

CHATS = 10_000
HISTORY = 200  # ended sessions of the chat that asks to be forgotten
ROUNDS = 200
FANOUT = 900
PERSON = 999_999


def median_us(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e6:,.0f} µs"


def populate(path: Path) -> None:
    now = time.time()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO chats (chat_id, first_seen_at, last_seen_at, time_zone) "
            "VALUES (?, ?, ?, 'UTC')",
            ((chat, now, now) for chat in range(1, CHATS + 1)),
        )
        db.executemany(
            "INSERT INTO reminders (chat_id, hour, minute, weekdays, time_zone, next_fire_at, "
            "due_at, created_at) VALUES (?, 9, 0, 127, 'UTC', ?, ?, ?)",
            ((chat, now + 3600, now + 3600, now) for chat in range(1, CHATS + 1)),
        )
        db.executemany(
            "INSERT INTO sessions (chat_id, kind, entry_id, title, plan, length_seconds, "
            "status, created_at, ended_at, steps_done) "
            "VALUES (?, 'routine', 'r', 'R', '[]', 300, 'done', ?, ?, 6)",
            ((chat, now, now) for chat in range(1, CHATS + 1) for _ in range(2)),
        )


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        storage = Storage(path)
        await storage.open()
        await storage.close()
        populate(path)
        await storage.open()
        try:
            catalog = load_catalog()
            asker = build_asker(catalog, build_searcher(catalog))
            asks, bumps = [], []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                answer = asker.ask("how hard should I press on the lower back")
                asks.append(time.perf_counter() - started)
                kind = admin.answer_kind(answer)
                assert kind is not None
                started = time.perf_counter()
                await admin.bump(storage, kind)
                bumps.append(time.perf_counter() - started)
            print(f"ask one question:            median {median_us(asks)}")
            print(f"count it (UPSERT + commit):  median {median_us(bumps)}")

            broadcasts = admin.BroadcastService(storage, NullSender())
            counts = []
            for _ in range(20):
                started = time.perf_counter()
                assert await broadcasts.recipients() == CHATS
                counts.append(time.perf_counter() - started)
            print(f"broadcast audience of {CHATS:,} chats: median {median_us(counts)}")

            service = privacy.PrivacyService(storage, privacy.ForgetGuard(NullSender()))
            forgets = []
            for chat in range(1, 21):
                await storage.execute(
                    "INSERT INTO sessions (chat_id, kind, entry_id, title, plan, "
                    "length_seconds, status, created_at, ended_at, steps_done) "
                    "SELECT ?, 'routine', 'r', 'R', '[]', 300, 'done', 0, 0, 6 "
                    "FROM (SELECT 1 FROM sessions LIMIT ?)",
                    (chat, HISTORY),
                )
                started = time.perf_counter()
                await service.forget(chat, asked_at=int(time.time()))
                forgets.append(time.perf_counter() - started)
            print(
                f"/forget a chat with {HISTORY + 2} sessions and a reminder among "
                f"{CHATS:,} chats: median {median_us(forgets)}"
            )
        finally:
            await storage.close()


async def fanout(path: Path) -> None:
    """A broadcast to FANOUT chats at RATE_LIMIT_OVERALL=30, with /help asked meanwhile."""
    async with limited_bot(path, FANOUT) as (api, services):
        now = time.time()
        # Through the bot's own connection: a second one would wait on the bot's writes.
        async with services.storage.transaction() as db:
            await db.executemany(
                "INSERT INTO chats (chat_id, first_seen_at, last_seen_at) VALUES (?, ?, ?)",
                [(chat, now, now) for chat in range(1, FANOUT + 1)],
            )
        await services.broadcasts.draft(1, "News for everyone")
        began = time.perf_counter()
        await services.broadcasts.confirm(1, None)
        replies: list[float] = []
        while await services.broadcasts.next_due() is not None:
            asked = time.perf_counter()
            api.user_sends_text(PERSON, "/help")
            await api.wait_for_message(PERSON, timeout=30)
            replies.append(time.perf_counter() - asked)
            await asyncio.sleep(1.0)
        elapsed = time.perf_counter() - began
        tally = await services.broadcasts.tally(1)
    sends = [
        r
        for r in api.requests
        if r.method == "sendMessage" and r.params.get("text") == "News for everyone"
    ]
    delivered = Counter(int(r.params["chat_id"]) for r in sends if r.ok)
    print(
        f"broadcast to {FANOUT} chats at 30/s: {elapsed:.1f} s (ideal {FANOUT / 30:.1f} s), "
        f"delivered {len(delivered)}, sent twice {sum(1 for n in delivered.values() if n > 1)}, "
        f"answered 429: {sum(1 for r in sends if r.status == 429)}, tally {tally}"
    )
    print(
        f"/help answered during it: {len(replies)} times, median "
        f"{statistics.median(replies) * 1000:.0f} ms, max {max(replies) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-fanout", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(main())
    if not arguments.skip_fanout:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(fanout(Path(folder) / "fanout.sqlite3"))
