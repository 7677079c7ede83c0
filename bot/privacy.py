"""What the bot keeps about a chat (/privacy), and deleting all of it (/forget).

/forget deletes from every table that has a ``chat_id`` column, found in the schema at the
time, so a table a later feature adds is covered without touching this module. Timed work
that already read its rows (a reminder fan-out, a broadcast batch) is stopped by
``ForgetGuard``, which wraps the core Sender and refuses to send to a chat forgotten in this
process until that chat writes to the bot again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot import callbacks as cb
from bot.messaging import Button, ChatUnreachable, Reply, Sender
from bot.storage import Storage

Clock = Callable[[], float]

CONFIRM_TTL = 3600.0  # a /forget confirmation older than this asks again

PRIVACY = (
    "🔒 <b>What I keep, and why</b>\n\n"
    "• <b>Your chat id</b>, when you first and last wrote, and <b>your time zone</b> if you "
    "set one: to know whom I talk to, to count active chats, and so that reminders come at "
    "your local time.\n"
    "• <b>Your guided sessions</b>: which routine, its steps and timing, how far you got, "
    "when it ended and the stars you gave: to run a session on time (also across a restart) "
    "and for /history.\n"
    "• <b>Your reminders</b>: time, days, time zone, the next time and how many were sent; "
    "and the time-zone question I asked you, until you answer it.\n"
    "• <b>Announcements</b> the bot's admins send to everyone: whether one reached you, so "
    "nobody gets it twice.\n\n"
    "I do <b>not</b> keep what you write: not your questions, not your name or username. "
    "Questions are only counted, as totals for all chats (answered, 'did you mean', "
    "unanswered). The server log notes each message's chat id and kind (e.g. /start), "
    "not its text (unless the operator turns on debug logging). Database backups the "
    "operator makes keep a copy until they are replaced.\n\n"
    "/forget deletes everything I keep about this chat, after you confirm."
)

# How the rows of each table are named in /forget's answer; other tables fall back to
# "records in <table>".
LABELS: dict[str, tuple[str, str]] = {
    "chats": ("your settings (time zone, first and last seen)", ""),
    "sessions": ("guided session", "guided sessions (history and ratings)"),
    "reminders": ("reminder", "reminders"),
    "reminder_pending": ("an unanswered time-zone question", ""),
    "broadcast_deliveries": ("announcement delivery record", "announcement delivery records"),
}


def describe(counts: dict[str, int]) -> list[str]:
    """Human lines for rows per table, skipping tables with none."""
    lines: list[str] = []
    for table, count in counts.items():
        if not count:
            continue
        one, many = LABELS.get(table, ("", ""))
        if one and not many:
            lines.append(one)
        elif one:
            lines.append(f"{count} {one if count == 1 else many}")
        else:
            lines.append(f"{count} record{'s' if count != 1 else ''} in {table}")
    return lines


async def chat_tables(storage: Storage) -> list[tuple[str, str]]:
    """(table, column) for every table holding chat ids, children first, ``chats`` last."""
    found: list[tuple[str, str]] = []
    tables = await storage.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    for (table,) in tables:
        columns = await storage.fetchall("SELECT name FROM pragma_table_info(?)", (table,))
        for (column,) in columns:
            if column == "chat_id" or column.endswith("_chat_id"):
                found.append((str(table), str(column)))
    # Deleting chats last keeps foreign keys that point at it (without cascade) satisfied.
    found.sort(key=lambda item: item[0] == "chats")
    return found


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PrivacyService:
    """/privacy and /forget over the whole database."""

    def __init__(
        self,
        storage: Storage,
        guard: ForgetGuard,
        *,
        on_forget: Callable[[int], None] = lambda chat_id: None,
        clock: Clock = time.time,
    ) -> None:
        self.storage = storage
        self.guard = guard
        self._clock = clock
        # Called after a chat was forgotten: wakes the scheduler's loops.
        self._on_forget = on_forget

    async def stored(self, chat_id: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for table, column in await chat_tables(self.storage):
            row = await self.storage.fetchone(
                f"SELECT COUNT(*) FROM {_quote(table)} WHERE {_quote(column)} = ?", (chat_id,)
            )
            counts[table] = counts.get(table, 0) + (int(row[0]) if row else 0)
        return counts

    async def ask(self, chat_id: int) -> Reply:
        """What /forget would delete, with the confirmation buttons."""
        lines = describe(await self.stored(chat_id))
        if not lines:
            return Reply(
                "I keep nothing about this chat right now, so there is nothing to forget."
            )
        listed = "\n".join(f"• {line}" for line in lines)
        return Reply(
            f"🗑 <b>Forget this chat?</b>\nThis deletes everything I keep about it:\n{listed}\n\n"
            "Running sessions and reminders stop. This can't be undone.",
            buttons=(
                (
                    Button("🗑 Yes, delete everything", cb.ForgetConfirm(int(self._clock()))),
                    Button("Keep my data", cb.PrivacyKeep()),
                ),
            ),
        )

    async def forget(self, chat_id: int, asked_at: int) -> Reply:
        """Delete every row about the chat in one transaction and say what went."""
        if self._clock() - asked_at > CONFIRM_TTL:
            return Reply("That confirmation has expired. Send /forget again if you still want to.")
        # Stop sends first, so timed work in flight cannot reach the chat after this.
        self.guard.forget(chat_id)
        deleted: dict[str, int] = {}
        tables = await chat_tables(self.storage)
        async with self.storage.transaction() as db:
            for table, column in tables:
                if table == "broadcasts":
                    # An admin's broadcast row is not theirs alone: drop only the chat id.
                    cursor = await db.execute(
                        "UPDATE broadcasts SET admin_chat_id = 0 WHERE admin_chat_id = ?",
                        (chat_id,),
                    )
                else:
                    cursor = await db.execute(
                        f"DELETE FROM {_quote(table)} WHERE {_quote(column)} = ?", (chat_id,)
                    )
                deleted[table] = deleted.get(table, 0) + max(cursor.rowcount, 0)
        self._on_forget(chat_id)
        lines = [
            line
            for table, n in deleted.items()
            if table != "broadcasts"
            for line in describe({table: n})
        ]
        listed = "\n".join(f"• {line}" for line in lines) or "• nothing was left to delete"
        return Reply(
            f"✅ <b>Done: I deleted everything I kept about this chat.</b>\n{listed}\n\n"
            "If you write to me again, I start afresh and only note when you wrote."
        )


class ForgetGuard:
    """Wraps a Sender: nothing goes to a chat that was forgotten and has not written since."""

    def __init__(self, inner: Sender) -> None:
        self._forgotten: set[int] = set()
        self._inner = inner

    def forget(self, chat_id: int) -> None:
        self._forgotten.add(chat_id)

    def seen(self, chat_id: int) -> None:
        """The chat wrote to us again: it may get messages again."""
        self._forgotten.discard(chat_id)

    def _check(self, chat_id: int) -> Sender:
        if chat_id in self._forgotten:
            raise ChatUnreachable("this chat asked to be forgotten")
        return self._inner

    async def send(self, chat_id: int, reply: Reply) -> int:
        return await self._check(chat_id).send(chat_id, reply)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        await self._check(chat_id).edit(chat_id, message_id, reply)

    async def delete(self, chat_id: int, message_id: int) -> None:
        if chat_id not in self._forgotten:
            await self._inner.delete(chat_id, message_id)
