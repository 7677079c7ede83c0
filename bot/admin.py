"""Admin tools: question counters, /stats figures, and the /broadcast fan-out.

A broadcast is a row in ``broadcasts`` plus one ``broadcast_deliveries`` row per chat; the
pending deliveries are the timetable of the ``broadcasts`` DueSource. Sends go through the
core Sender (so PTB's rate limiter paces them) in small batches, each batch's outcomes
written in one transaction: a restart carries on with what is still pending, and a kill
repeats at most the batch that was being sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiosqlite

from bot import callbacks as cb
from bot.ask.service import Answer
from bot.messaging import Button, ChatUnreachable, Reply, Sender, SendFailed
from bot.reminders.store import PAUSED_IN_CHAT
from bot.reminders.store import counts as reminder_counts
from bot.sessions.store import GONE_SINCE_LAST_SEEN
from bot.sessions.store import open_counts as open_session_counts
from bot.storage import Storage
from bot.text import html_text
from bot.unreachable import end_chat_in

log = logging.getLogger(__name__)

Clock = Callable[[], float]

# Counter names, one per way a question ended; the values are totals, nothing per chat.
ANSWERED = "questions.answered"
DID_YOU_MEAN = "questions.did_you_mean"
UNANSWERED = "questions.unanswered"

# Telegram counts 4096 characters after parsing the HTML (an escaped & is one); the
# preview adds about 60 around the text.
MAX_TEXT = 4000
MAX_ATTEMPTS = 5
PROGRESS_EVERY = 5.0  # seconds between progress edits of the admin's message

USAGE = (
    "Usage: <code>/broadcast your message</code>\n"
    "You'll see a preview and confirm before anything is sent."
)

# Private chats we know, minus those known to be unreachable since they last wrote: a
# broadcast bounced (403), a session ended as 'gone', or reminders paused after a 403.
_TARGETS = (
    "FROM chats c WHERE c.chat_id > 0 "
    "AND NOT EXISTS (SELECT 1 FROM broadcast_deliveries d WHERE d.chat_id = c.chat_id "
    "AND d.status = 'unreachable' AND d.done_at >= c.last_seen_at) "
    f"AND NOT {GONE_SINCE_LAST_SEEN} "
    f"AND NOT {PAUSED_IN_CHAT}"
)


def answer_kind(answer: Answer) -> str | None:
    """Which counter a question's answer goes to; None for things that were not questions."""
    if answer.intent is not None or answer.result is None:
        return None  # a pointer to /session or /remind, or an empty message
    if answer.verdict == "answer" or (answer.results and answer.verdict != "choose"):
        return ANSWERED  # an answer card, or the safety card for warning signs
    if answer.verdict == "choose":
        return DID_YOU_MEAN
    return UNANSWERED


async def bump(storage: Storage, name: str) -> None:
    """Add one to a counter: a single UPSERT, so a count survives a kill."""
    await storage.execute(
        "INSERT INTO counters (name, value) VALUES (?, 1) "
        "ON CONFLICT (name) DO UPDATE SET value = value + 1",
        (name,),
    )


# -- /stats ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    chats: int = 0
    active_week: int = 0
    open_sessions: int = 0
    running_sessions: int = 0
    reminders: int = 0
    paused_reminders: int = 0
    reminder_chats: int = 0
    counters: dict[str, int] = field(default_factory=dict)


async def stats(storage: Storage, now: float | None = None) -> Stats:
    """The figures /stats shows, each one aggregate query."""
    moment = time.time() if now is None else now
    chats = await storage.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(last_seen_at >= ?), 0) FROM chats WHERE chat_id > 0",
        (moment - 7 * 24 * 3600,),
    )
    open_sessions, running_sessions = await open_session_counts(storage)
    reminders = await reminder_counts(storage)
    counters = await storage.fetchall("SELECT name, value FROM counters")
    assert chats is not None
    return Stats(
        chats=int(chats[0]),
        active_week=int(chats[1]),
        open_sessions=open_sessions,
        running_sessions=running_sessions,
        reminders=reminders[0],
        paused_reminders=reminders[1],
        reminder_chats=reminders[2],
        counters={str(name): int(value) for name, value in counters},
    )


def stats_reply(figures: Stats) -> Reply:
    count = figures.counters.get
    answered, choose, unknown = count(ANSWERED, 0), count(DID_YOU_MEAN, 0), count(UNANSWERED, 0)
    asked = answered + choose + unknown
    share = f" ({round(100 * unknown / asked)}%)" if asked else ""
    return Reply(
        "📊 <b>Stats</b>\n"
        f"Chats: {figures.chats} ({figures.active_week} active in the last 7 days)\n"
        f"Guided sessions open: {figures.open_sessions} "
        f"({figures.running_sessions} running)\n"
        f"Reminders: {figures.reminders - figures.paused_reminders} active, "
        f"{figures.paused_reminders} paused, in {figures.reminder_chats} "
        f"chat{'s' if figures.reminder_chats != 1 else ''}\n"
        f"Questions: {asked} — {answered} answered, {choose} 'did you mean', "
        f"{unknown} unanswered{share}"
    )


# -- /broadcast: buttons ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a press led to: new text for the pressed message, or a short pop-up."""

    reply: Reply | None = None
    toast: str = ""


@dataclass(frozen=True)
class Tally:
    total: int = 0
    sent: int = 0
    unreachable: int = 0
    failed: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.unreachable - self.failed


def progress_reply(broadcast_id: int, tally: Tally, *, done: bool) -> Reply:
    head = (
        f"✅ Broadcast #{broadcast_id} finished"
        if done
        else f"📣 Broadcast #{broadcast_id}: sending…"
    )
    lines = [
        head,
        f"Sent: {tally.sent} of {tally.total}",
        f"Unreachable (blocked the bot or gone): {tally.unreachable}",
        f"Failed after {MAX_ATTEMPTS} tries: {tally.failed}",
    ]
    if not done:
        lines.append(f"Still to go: {tally.pending}")
    return Reply("\n".join(lines), notify=done)


@dataclass
class _Batch:
    sent: list[tuple[object, ...]] = field(default_factory=list)
    retry: list[tuple[object, ...]] = field(default_factory=list)
    failed: list[tuple[object, ...]] = field(default_factory=list)
    unreachable: list[tuple[int, int]] = field(default_factory=list)


class BroadcastService:
    """Drafts, confirms and sends broadcasts; the scheduler's ``broadcasts`` source."""

    name = "broadcasts"

    def __init__(
        self,
        storage: Storage,
        sender: Sender,
        *,
        clock: Clock = time.time,
        on_change: Callable[[], None] = lambda: None,
        batch: int = 50,
        concurrency: int = 8,
    ) -> None:
        self.storage = storage
        self.sender = sender
        self.on_change = on_change
        self._clock = clock
        self._batch = batch
        self._concurrency = concurrency

    async def recipients(self) -> int:
        row = await self.storage.fetchone(f"SELECT COUNT(*) {_TARGETS}")
        return int(row[0]) if row else 0

    async def draft(self, admin_chat_id: int, text: str) -> Reply:
        """Save a draft and show the preview with Send / Cancel, or explain what is wrong."""
        text = text.strip()
        if not text:
            return Reply(USAGE)
        if len(text) > MAX_TEXT:
            return Reply(
                f"That message is {len(text)} characters; a broadcast can have at most "
                f"{MAX_TEXT}. Please shorten it and send /broadcast again."
            )
        count = await self.recipients()
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO broadcasts (admin_chat_id, text, status, created_at) "
                "VALUES (?, ?, 'draft', ?)",
                (admin_chat_id, text, self._clock()),
            )
            broadcast_id = cursor.lastrowid
        assert broadcast_id is not None
        return Reply(
            f"📣 <b>Preview</b> (broadcast #{broadcast_id})\n\n{html_text(text)}\n\n"
            f"This goes to {count} chat{'s' if count != 1 else ''}.",
            buttons=(
                (
                    Button(f"Send to {count} chats", cb.BroadcastSend(broadcast_id)),
                    Button("Cancel", cb.BroadcastCancel(broadcast_id)),
                ),
            ),
        )

    async def cancel(self, broadcast_id: int) -> Outcome:
        changed = await self.storage.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? "
            "WHERE id = ? AND status = 'draft'",
            (self._clock(), broadcast_id),
        )
        if not changed:
            return Outcome(toast="This broadcast was already sent or cancelled.")
        return Outcome(Reply(f"Broadcast #{broadcast_id} cancelled; nothing was sent."))

    async def confirm(self, broadcast_id: int, message_id: int | None) -> Outcome:
        """Start sending a draft to every reachable chat; a second press does nothing."""
        now = self._clock()
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                "UPDATE broadcasts SET status = 'sending', started_at = ?, reported_at = ?, "
                "progress_message = ? WHERE id = ? AND status = 'draft'",
                (now, now, message_id, broadcast_id),
            )
            if not cursor.rowcount:
                return Outcome(toast="This broadcast was already sent or cancelled.")
            cursor = await db.execute(
                "INSERT INTO broadcast_deliveries (broadcast_id, chat_id, due_at) "
                f"SELECT ?, c.chat_id, ? {_TARGETS}",
                (broadcast_id, now),
            )
            total = cursor.rowcount
        self.on_change()
        return Outcome(progress_reply(broadcast_id, Tally(total=total), done=False), "Sending")

    async def tally(self, broadcast_id: int) -> Tally:
        rows = await self.storage.fetchall(
            "SELECT status, COUNT(*) FROM broadcast_deliveries WHERE broadcast_id = ? "
            "GROUP BY status",
            (broadcast_id,),
        )
        counts = {str(status): int(count) for status, count in rows}
        return Tally(
            total=sum(counts.values()),
            sent=counts.get("sent", 0),
            unreachable=counts.get("unreachable", 0),
            failed=counts.get("failed", 0),
        )

    # -- the timetable (DueSource) -----------------------------------------------------------

    async def next_due(self) -> float | None:
        row = await self.storage.fetchone(
            "SELECT MIN(due_at) FROM broadcast_deliveries WHERE due_at IS NOT NULL"
        )
        return None if row is None or row[0] is None else float(row[0])

    async def run_due(self, now: float) -> None:
        """Send one batch of due deliveries, record how each ended, report progress."""
        rows = await self.storage.fetchall(
            "SELECT d.broadcast_id, d.chat_id, d.attempts, b.text FROM broadcast_deliveries d "
            "JOIN broadcasts b ON b.id = d.broadcast_id "
            "WHERE d.due_at IS NOT NULL AND d.due_at <= ? ORDER BY d.due_at LIMIT ?",
            (now, self._batch),
        )
        if not rows:
            return
        batch = _Batch()
        limit = asyncio.Semaphore(self._concurrency)

        async def deliver(broadcast_id: int, chat_id: int, attempts: int, text: str) -> None:
            async with limit:
                await self._deliver(broadcast_id, chat_id, attempts, text, batch)

        try:
            async with asyncio.TaskGroup() as group:
                for broadcast_id, chat_id, attempts, text in rows:
                    group.create_task(deliver(broadcast_id, chat_id, attempts, text))
        finally:
            # Also when cancelled at shutdown: what went out is recorded, never sent twice.
            await self._record(batch)
        for broadcast_id in sorted({int(row[0]) for row in rows}):
            await self._report(broadcast_id)

    async def _deliver(
        self, broadcast_id: int, chat_id: int, attempts: int, text: str, batch: _Batch
    ) -> None:
        key = (broadcast_id, chat_id)
        try:
            await self.sender.send(chat_id, Reply(html_text(text)))
        except ChatUnreachable:
            batch.unreachable.append(key)
        except SendFailed as error:
            if attempts + 1 >= MAX_ATTEMPTS:
                batch.failed.append(key)
            else:
                batch.retry.append((self._clock() + max(0.1, error.retry_after), *key))
        except Exception:
            log.exception("broadcast %s: sending to chat %s failed", broadcast_id, chat_id)
            if attempts + 1 >= MAX_ATTEMPTS:
                batch.failed.append(key)
            else:
                batch.retry.append((self._clock() + 30.0 * (attempts + 1), *key))
        else:
            batch.sent.append(key)

    async def _record(self, batch: _Batch) -> None:
        now = self._clock()
        async with self.storage.transaction() as db:
            for status, keys in (("sent", batch.sent), ("failed", batch.failed)):
                await db.executemany(
                    "UPDATE broadcast_deliveries SET status = ?, due_at = NULL, done_at = ?, "
                    "attempts = attempts + 1 WHERE broadcast_id = ? AND chat_id = ?",
                    [(status, now, *key) for key in keys],
                )
            await db.executemany(
                "UPDATE broadcast_deliveries SET due_at = ?, attempts = attempts + 1 "
                "WHERE broadcast_id = ? AND chat_id = ?",
                batch.retry,
            )
            for broadcast_id, chat_id in batch.unreachable:
                await self._unreachable(db, broadcast_id, chat_id, now)

    @staticmethod
    async def _unreachable(
        db: aiosqlite.Connection, broadcast_id: int, chat_id: int, now: float
    ) -> None:
        """The chat blocked us or is gone: end its session, pause its reminders, log once."""
        marked = await db.execute(
            "UPDATE broadcast_deliveries SET status = 'unreachable', due_at = NULL, "
            "done_at = ?, attempts = attempts + 1 WHERE broadcast_id = ? AND chat_id = ?",
            (now, broadcast_id, chat_id),
        )
        if not marked.rowcount:
            return  # the chat was forgotten meanwhile: nothing of it is left to update
        sessions, reminders = await end_chat_in(db, chat_id, now)
        log.warning(
            "chat %s cannot be reached (blocked the bot?): broadcast %s skips it; "
            "ended %d session(s), paused %d reminder(s)",
            chat_id,
            broadcast_id,
            sessions,
            reminders,
        )

    async def _report(self, broadcast_id: int) -> None:
        """Edit the admin's progress message now and then; send the final counts once."""
        row = await self.storage.fetchone(
            "SELECT admin_chat_id, progress_message, reported_at FROM broadcasts "
            "WHERE id = ? AND status = 'sending'",
            (broadcast_id,),
        )
        if row is None:
            return
        admin_chat, message_id, reported_at = int(row[0]), row[1], row[2] or 0.0
        tally, now = await self.tally(broadcast_id), self._clock()
        done = tally.pending == 0
        if done:
            finished = await self.storage.execute(
                "UPDATE broadcasts SET status = 'done', finished_at = ? "
                "WHERE id = ? AND status = 'sending'",
                (now, broadcast_id),
            )
            if not finished:
                return
            log.info("broadcast %s finished: %s", broadcast_id, tally)
        elif now - reported_at < PROGRESS_EVERY:
            return
        else:
            await self.storage.execute(
                "UPDATE broadcasts SET reported_at = ? WHERE id = ?", (now, broadcast_id)
            )
        await self._show(admin_chat, message_id, progress_reply(broadcast_id, tally, done=done))

    async def _show(self, admin_chat: int, message_id: int | None, reply: Reply) -> None:
        try:
            if message_id is not None:
                await self.sender.edit(admin_chat, message_id, reply)
            if reply.notify:
                await self.sender.send(admin_chat, reply)
        except Exception as error:
            # Progress is a courtesy; the broadcast itself goes on regardless.
            log.warning("broadcast progress could not be shown to chat %s: %s", admin_chat, error)
