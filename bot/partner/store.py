"""Every SQL statement of the partner tables (invites, links, preferences, ratings)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.partner.prefs import Preferences
from bot.storage import Storage

_LINK_COLUMNS = (
    "id, giver_chat_id, receiver_chat_id, linked_at, checkin, checkin_step, health, "
    "remote_message_id, session_id, ouches, receiver_gone"
)


@dataclass(frozen=True)
class Invite:
    giver_chat_id: int
    session_id: int | None
    expires_at: float
    used_at: float | None


@dataclass(frozen=True)
class Link:
    """Two chats linked: the giver leads the session, the receiver steers it."""

    id: int
    giver_chat_id: int
    receiver_chat_id: int
    linked_at: float
    prefs: Preferences
    checkin_step: str  # focus, avoid, pressure, health or done
    health: str  # "", clear, flagged or read
    remote_message_id: int | None
    session_id: int | None
    ouches: int
    receiver_gone: bool

    def other(self, chat_id: int) -> int:
        return self.receiver_chat_id if chat_id == self.giver_chat_id else self.giver_chat_id


def _link(row: sqlite3.Row) -> Link:
    return Link(
        id=row[0],
        giver_chat_id=row[1],
        receiver_chat_id=row[2],
        linked_at=row[3],
        prefs=Preferences.from_json(row[4]),
        checkin_step=row[5],
        health=row[6],
        remote_message_id=row[7],
        session_id=row[8],
        ouches=row[9],
        receiver_gone=bool(row[10]),
    )


class PartnerStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    # -- invites ---------------------------------------------------------------------------

    async def add_invite(
        self,
        token_hash: str,
        giver_chat_id: int,
        session_id: int | None,
        now: float,
        expires_at: float,
    ) -> None:
        await self.storage.execute(
            "INSERT INTO partner_invites (token_hash, giver_chat_id, session_id, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash, giver_chat_id, session_id, now, expires_at),
        )

    async def invite(self, token_hash: str) -> Invite | None:
        row = await self.storage.fetchone(
            "SELECT giver_chat_id, session_id, expires_at, used_at FROM partner_invites "
            "WHERE token_hash = ?",
            (token_hash,),
        )
        return Invite(row[0], row[1], row[2], row[3]) if row else None

    async def use_invite(
        self, token_hash: str, giver_chat_id: int, receiver_chat_id: int, now: float
    ) -> Link | None:
        """Mark the invite used and link the two chats in one transaction; None when the
        invite was used meanwhile or either chat is linked already."""
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                "UPDATE partner_invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
                (now, token_hash),
            )
            if cursor.rowcount != 1:
                return None
            cursor = await db.execute(
                "SELECT 1 FROM partner_links WHERE giver_chat_id IN (?, ?) "
                "OR receiver_chat_id IN (?, ?)",
                (giver_chat_id, receiver_chat_id, giver_chat_id, receiver_chat_id),
            )
            if await cursor.fetchone() is not None:
                return None
            await db.execute(
                "INSERT INTO partner_links (giver_chat_id, receiver_chat_id, linked_at) "
                "VALUES (?, ?, ?)",
                (giver_chat_id, receiver_chat_id, now),
            )
            cursor = await db.execute(
                f"SELECT {_LINK_COLUMNS} FROM partner_links WHERE giver_chat_id = ?",
                (giver_chat_id,),
            )
            row = await cursor.fetchone()
        return _link(row) if row else None

    async def drop_expired_invites(self, now: float) -> int:
        return await self.storage.execute(
            "DELETE FROM partner_invites WHERE expires_at < ? OR used_at IS NOT NULL", (now,)
        )

    # -- links -----------------------------------------------------------------------------

    async def link_of(self, chat_id: int) -> Link | None:
        """The link this chat is part of, on either side."""
        row = await self.storage.fetchone(
            f"SELECT {_LINK_COLUMNS} FROM partner_links "
            "WHERE giver_chat_id = ? OR receiver_chat_id = ?",
            (chat_id, chat_id),
        )
        return _link(row) if row else None

    async def link(self, link_id: int) -> Link | None:
        row = await self.storage.fetchone(
            f"SELECT {_LINK_COLUMNS} FROM partner_links WHERE id = ?", (link_id,)
        )
        return _link(row) if row else None

    async def givers(self) -> list[int]:
        rows = await self.storage.fetchall("SELECT giver_chat_id FROM partner_links")
        return [int(row[0]) for row in rows]

    async def save_checkin(
        self, link_id: int, prefs: Preferences, step: str, health: str | None = None
    ) -> None:
        if health is None:
            await self.storage.execute(
                "UPDATE partner_links SET checkin = ?, checkin_step = ? WHERE id = ?",
                (prefs.to_json(), step, link_id),
            )
        else:
            await self.storage.execute(
                "UPDATE partner_links SET checkin = ?, checkin_step = ?, health = ? WHERE id = ?",
                (prefs.to_json(), step, health, link_id),
            )

    async def set_health(self, link_id: int, health: str) -> bool:
        changed = await self.storage.execute(
            "UPDATE partner_links SET health = ? WHERE id = ?", (health, link_id)
        )
        return changed == 1

    async def set_remote(self, link_id: int, message_id: int | None, session_id: int) -> None:
        """The receiver's remote message, following ``session_id`` (a new one: no ouches)."""
        await self.storage.execute(
            "UPDATE partner_links SET remote_message_id = ?, "
            "ouches = CASE WHEN session_id IS ? THEN ouches ELSE 0 END, session_id = ? "
            "WHERE id = ?",
            (message_id, session_id, session_id, link_id),
        )

    async def add_ouch(self, link_id: int, session_id: int) -> int:
        """Count an ouch for this session; returns the session's count."""
        async with self.storage.transaction() as db:
            await db.execute(
                "UPDATE partner_links SET "
                "ouches = CASE WHEN session_id IS ? THEN ouches + 1 ELSE 1 END, session_id = ? "
                "WHERE id = ?",
                (session_id, session_id, link_id),
            )
            cursor = await db.execute("SELECT ouches FROM partner_links WHERE id = ?", (link_id,))
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def set_receiver_gone(self, link_id: int, gone: bool) -> None:
        await self.storage.execute(
            "UPDATE partner_links SET receiver_gone = ? WHERE id = ?", (int(gone), link_id)
        )

    async def unlink(self, chat_id: int) -> Link | None:
        """End the link this chat is part of; returns it (None when there was none)."""
        async with self.storage.transaction() as db:
            cursor = await db.execute(
                f"DELETE FROM partner_links WHERE giver_chat_id = ? OR receiver_chat_id = ? "
                f"RETURNING {_LINK_COLUMNS}",
                (chat_id, chat_id),
            )
            row = await cursor.fetchone()
            await db.execute(
                "DELETE FROM partner_invites WHERE giver_chat_id = ? AND used_at IS NULL",
                (chat_id,),
            )
        return _link(row) if row else None

    # -- remembered preferences and ratings ------------------------------------------------

    async def remember(self, giver: int, receiver: int, prefs: Preferences, now: float) -> None:
        await self.storage.execute(
            "INSERT INTO partner_preferences (giver_chat_id, receiver_chat_id, preferences, "
            "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (giver_chat_id, receiver_chat_id) "
            "DO UPDATE SET preferences = excluded.preferences, updated_at = excluded.updated_at",
            (giver, receiver, prefs.to_json(), now),
        )

    async def remembered(self, giver: int, receiver: int) -> Preferences | None:
        row = await self.storage.fetchone(
            "SELECT preferences FROM partner_preferences "
            "WHERE giver_chat_id = ? AND receiver_chat_id = ?",
            (giver, receiver),
        )
        return Preferences.from_json(row[0]) if row else None

    async def forget_preferences(self, receiver: int) -> int:
        return await self.storage.execute(
            "DELETE FROM partner_preferences WHERE receiver_chat_id = ?", (receiver,)
        )

    async def rate(
        self, session_id: int, giver: int, receiver: int, stars: int, now: float
    ) -> None:
        await self.storage.execute(
            "INSERT INTO partner_ratings (session_id, giver_chat_id, receiver_chat_id, stars, "
            "rated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
            "stars = excluded.stars, rated_at = excluded.rated_at",
            (session_id, giver, receiver, stars, now),
        )
