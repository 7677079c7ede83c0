"""Kill/restart soak: ``python -m bot`` SIGKILLed at random moments, restarted, many times.

    .venv/bin/python -m bench.soak               # 50 sessions, ~200 reminders, 20 kills
    .venv/bin/python -m bench.soak --kills 5     # about the shorter run of tests/test_soak.py
    .venv/bin/python -m bench.soak --time-scale 0.01   # steps 2.5x as dense

The stand-in runs in this process; the bot is a subprocess. Fifty chats each start the
full-back routine (18 steps) and ~200 reminders fall due over the first minute (rows
written through ReminderService before the first start, their next slot moved into the
window). Then, ``kills`` times: wait until the bot is up, sleep 0.2-1.5 s, SIGKILL, restart.
At the end everything is let finish and checked: ``PRAGMA integrity_check``, every step and
every reminder arrived, and repeats per chat, stream and kill (a repeat is counted against
the bot generation that sent it, i.e. the kill just before; a chat's session steps and its
reminders are two streams, each with at most one message in flight at a kill).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.reminders import NullSender
from bot import callbacks
from bot.reminders.lines import load_lines
from bot.reminders.schedule import Schedule
from bot.reminders.service import ReminderService
from bot.reminders.zones import ZoneIndex
from bot.storage import Storage
from standin import BotApiStandIn, RecordedMessage

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3"
REPO = Path(__file__).resolve().parent.parent
SESSION_TEXT = "full back routine session"
FIRST_CHAT = 70_001
REMINDER_ONLY_CHAT = 80_001

Key = tuple[str, int]


@dataclass
class SoakResult:
    kills: int = 0
    sessions: int = 0
    steps_expected: int = 0
    steps_received: int = 0  # distinct (chat, step) pairs that arrived
    timed_messages: int = 0  # every step, halfway cue and aftercare message, repeats included
    step_repeats: int = 0  # session messages (step, halfway, aftercare) that arrived twice
    reminders_due: int = 0
    reminders_received: int = 0
    reminder_repeats: int = 0
    worst_repeats_per_chat_per_kill: int = 0
    kills_with_repeats: int = 0  # kills after which at least one message came twice
    repeats_before_first_kill: int = 0
    lost_steps: list[tuple[int, int]] = field(default_factory=list)
    lost_reminders: list[int] = field(default_factory=list)
    unfinished_sessions: list[int] = field(default_factory=list)
    integrity: str = ""
    seconds: float = 0.0
    startup_seconds: list[float] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"kills: {self.kills} (SIGKILL), restarts: {self.kills}",
            f"sessions: {self.sessions}, steps expected {self.steps_expected}, "
            f"received {self.steps_received}, lost {len(self.lost_steps)}",
            f"timed session messages sent: {self.timed_messages}, repeated: {self.step_repeats}",
            f"reminders due: {self.reminders_due}, received {self.reminders_received}, "
            f"lost {len(self.lost_reminders)}, repeated: {self.reminder_repeats}",
            f"kills followed by a repeat: {self.kills_with_repeats}; "
            f"worst repeats in one chat's stream after one kill: "
            f"{self.worst_repeats_per_chat_per_kill}"
            f" (repeats with no kill before them: {self.repeats_before_first_kill})",
            f"unfinished sessions: {len(self.unfinished_sessions)}",
            f"integrity_check: {self.integrity}",
            f"wall time: {self.seconds:.1f} s; median start-up "
            f"{sorted(self.startup_seconds)[len(self.startup_seconds) // 2]:.2f} s"
            if self.startup_seconds
            else f"wall time: {self.seconds:.1f} s",
        ]


def message_key(record: RecordedMessage, last_step: dict[int, int]) -> Key | None:
    """What a timed message is: a step, a halfway cue (of the last step), the aftercare, or a
    reminder (by id, from its snooze button). None for anything else (checklists, replies)."""
    chat = int(record.chat_id)
    text = record.plain_text or ""
    for line in text.splitlines()[:2]:
        if line.startswith("Step "):
            step = int(line.split(" ")[1])
            last_step[chat] = step
            return ("step", step)
    if text.startswith("↔️ Halfway"):
        return ("half", last_step.get(chat, 0))
    if text.startswith("🎉 Well done"):
        return ("done", 0)
    markup = record.reply_markup or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            press = callbacks.parse(str(button.get("callback_data", "")))
            if isinstance(press, callbacks.ReminderAct) and press.action == "snooze":
                return ("reminder", press.reminder_id)
    return None


class BotRunner:
    """Starts ``python -m bot`` generations against the stand-in and knows when one is up."""

    def __init__(self, standin: BotApiStandIn, workdir: Path, env: dict[str, str]) -> None:
        self.standin = standin
        self.workdir = workdir
        self.env = env
        self.generation = 0
        self.process: asyncio.subprocess.Process | None = None
        self._up = asyncio.Event()
        standin.set_fault(self._watch)

    def _watch(self, method: str, params: Any) -> None:
        # deleteWebhook comes after post_init (storage open, scheduler running).
        if method == "deleteWebhook":
            self._up.set()

    async def start(self, timeout: float = 30.0) -> float:  # noqa: ASYNC109
        """Start a generation and wait until it polls; returns its start-up time."""
        self._up.clear()
        started = time.monotonic()
        log = (self.workdir / f"bot-{self.generation:02d}.log").open("wb")
        with log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=REPO,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        await asyncio.wait_for(self._up.wait(), timeout)
        return time.monotonic() - started

    async def kill(self) -> float:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        killed_at = time.time()
        await self.process.wait()
        self.generation += 1
        return killed_at

    async def stop(self) -> int:
        if self.process is None or self.process.returncode is not None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)


def bot_env(standin: BotApiStandIn, database: Path, time_scale: float) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    return {
        **keep,
        "PYTHONPATH": str(REPO),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": standin.base_url,
        "DATABASE_PATH": str(database),
        "TIME_SCALE": str(time_scale),
        "RATE_LIMIT_OVERALL": "0",
        "FLOOD_LIMIT": "0",
        # Step delivery is what is counted here; a picture following its step's text would
        # read as a repeat. Pictures have their own line in bench/sessions.py.
        "PICTURES": "off",
        "LOG_LEVEL": "INFO",
    }


async def plant_reminders(
    database: Path, chats: list[int], per_chat: int, window: tuple[float, float], seed: int
) -> dict[int, int]:
    """Reminders through the service's own API, then their next slot moved into the window.
    Their schedules lie twelve hours away, so each one fires once in the run. Returns
    reminder id -> chat id."""
    rng = random.Random(seed)
    storage = Storage(database)
    await storage.open()
    try:
        service = ReminderService(storage, load_lines(), ZoneIndex(), sender=NullSender())
        hour = (time.gmtime().tm_hour + 12) % 24
        planted: dict[int, int] = {}
        now = time.time()
        for chat in chats:
            await service.set_zone(chat, "UTC")
            for n in range(per_chat):
                added = await service.add(chat, Schedule(hour, n * 7 % 60))
                assert hasattr(added, "reminder")
                reminder = added.reminder  # type: ignore[union-attr]
                due = now + rng.uniform(*window)
                await storage.execute(
                    "UPDATE reminders SET next_fire_at = ?, due_at = ? WHERE id = ?",
                    (due, due, reminder.id),
                )
                planted[reminder.id] = chat
        return planted
    finally:
        await storage.close()


async def start_sessions(standin: BotApiStandIn, chats: list[int]) -> dict[int, int]:
    """Every chat asks for the routine and presses Start; returns chat -> number of steps."""
    for chat in chats:
        standin.user_sends_text(chat, SESSION_TEXT)
    totals: dict[int, int] = {}
    for chat in chats:
        # A planted reminder may reach the chat before the checklist does.
        checklist = await standin.wait_for_message(
            chat,
            timeout=30,
            predicate=lambda message: "Before you start" in message.get("text", ""),
        )
        totals[chat] = int(checklist["text"].split(" steps", 1)[0].rsplit(" ", 1)[1])
        rows = checklist["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in rows for b in row if "Start" in b["text"])
        standin.user_presses(chat, checklist["message_id"], data)
    return totals


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as db:
        return ", ".join(str(row[0]) for row in db.execute("PRAGMA integrity_check"))


def open_sessions(database: Path) -> list[int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT chat_id FROM sessions WHERE status IN ('ready', 'running', 'paused')"
        )
        return [int(row[0]) for row in rows]


def analyse(
    result: SoakResult,
    records: list[RecordedMessage],
    kill_times: list[float],
    totals: dict[int, int],
    planted: dict[int, int],
) -> None:
    last_step: dict[int, int] = {}
    seen: set[tuple[int, Key]] = set()
    # (chat, generation, stream) -> repeats; the streams are "session" and "reminder"
    repeats: Counter[tuple[int, int, str]] = Counter()
    received_reminders: set[int] = set()
    steps: dict[int, set[int]] = defaultdict(set)
    for record in records:
        if record.is_edit or record.message is None:
            continue
        key = message_key(record, last_step)
        if key is None:
            continue
        chat = int(record.chat_id)
        if key[0] == "reminder":
            received_reminders.add(key[1])
        else:
            result.timed_messages += 1
            if key[0] == "step":
                steps[chat].add(key[1])
        if (chat, key) in seen:
            generation = bisect.bisect(kill_times, record.wall_time)
            stream = "reminder" if key[0] == "reminder" else "session"
            repeats[(chat, generation, stream)] += 1
            if key[0] == "reminder":
                result.reminder_repeats += 1
            else:
                result.step_repeats += 1
        seen.add((chat, key))
    result.sessions = len(totals)
    result.steps_expected = sum(totals.values())
    result.steps_received = sum(
        len(steps[chat] & set(range(1, n + 1))) for chat, n in totals.items()
    )
    result.lost_steps = [
        (chat, step)
        for chat, n in totals.items()
        for step in range(1, n + 1)
        if step not in steps[chat]
    ]
    result.reminders_due = len(planted)
    result.reminders_received = len(received_reminders & set(planted))
    result.lost_reminders = sorted(set(planted) - received_reminders)
    result.worst_repeats_per_chat_per_kill = max(
        (count for (_, generation, _), count in repeats.items() if generation > 0), default=0
    )
    result.kills_with_repeats = len({generation for (_, generation, _) in repeats if generation})
    result.repeats_before_first_kill = sum(
        count for (_, generation, _), count in repeats.items() if generation == 0
    )


async def soak(
    standin: BotApiStandIn,
    workdir: Path,
    *,
    kills: int = 20,
    sessions: int = 50,
    reminder_chats: int = 50,
    reminders_per_chat: int = 2,
    reminder_window: tuple[float, float] = (3.0, 63.0),
    time_scale: float = 0.025,
    pause: tuple[float, float] = (0.2, 1.5),
    seed: int = 6,
    finish_timeout: float = 120.0,
) -> SoakResult:
    """Run the soak against ``standin`` (already started) with files in ``workdir``."""
    rng = random.Random(seed)
    result = SoakResult()
    began = time.monotonic()
    database = workdir / "soak.sqlite3"
    session_chats = [FIRST_CHAT + n for n in range(sessions)]
    extra_chats = [REMINDER_ONLY_CHAT + n for n in range(reminder_chats)]
    for chat in session_chats + extra_chats:
        standin.register_chat(chat)
    # Reminders in the session chats too: a kill may hit a step and a reminder of one chat.
    planted = await plant_reminders(
        database, session_chats + extra_chats, reminders_per_chat, reminder_window, seed
    )
    runner = BotRunner(standin, workdir, bot_env(standin, database, time_scale))
    kill_times: list[float] = []
    try:
        result.startup_seconds.append(await runner.start())
        totals = await start_sessions(standin, session_chats)
        for _ in range(kills):
            await asyncio.sleep(rng.uniform(*pause))
            kill_times.append(await runner.kill())
            result.kills += 1
            result.startup_seconds.append(await runner.start())
        deadline = time.monotonic() + finish_timeout
        while time.monotonic() < deadline:
            if not open_sessions(database):  # another process's database: nothing to await
                break
            await asyncio.sleep(0.5)
        # Reminders: wait until every planted one arrived (or the deadline passes).
        while time.monotonic() < deadline:
            got = {
                key[1]
                for r in standin.sent
                if (key := message_key(r, {})) is not None and key[0] == "reminder"
            }
            if set(planted) <= got:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)  # a late repeat would show up here
        result.unfinished_sessions = open_sessions(database)
    finally:
        await runner.stop()
        standin.set_fault(None)
    result.integrity = integrity(database)
    analyse(result, list(standin.sent), kill_times, totals, planted)
    result.seconds = time.monotonic() - began
    return result


async def main_async(args: argparse.Namespace) -> SoakResult:
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        async with BotApiStandIn(default_token=TOKEN) as standin:
            return await soak(
                standin, Path(tmp), kills=args.kills, seed=args.seed, time_scale=args.time_scale
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--time-scale", type=float, default=0.025)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print("\n".join(result.lines()))


if __name__ == "__main__":
    main()
