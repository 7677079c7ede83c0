"""The SQL of the ``picture_files`` table: Telegram file ids by picture hash."""

from __future__ import annotations

import time

from bot.storage import Storage


async def file_id_of(storage: Storage, digest: str) -> str | None:
    row = await storage.fetchone("SELECT file_id FROM picture_files WHERE digest = ?", (digest,))
    return str(row[0]) if row is not None else None


async def remember_file_id(storage: Storage, digest: str, file_id: str) -> None:
    await storage.execute(
        "INSERT INTO picture_files (digest, file_id, stored_at) VALUES (?, ?, ?) "
        "ON CONFLICT (digest) DO UPDATE SET file_id = excluded.file_id, "
        "stored_at = excluded.stored_at",
        (digest, file_id, time.time()),
    )


async def forget_file_id(storage: Storage, digest: str, file_id: str) -> None:
    """Drop a refused file id, unless a fresh upload has already replaced it."""
    await storage.execute(
        "DELETE FROM picture_files WHERE digest = ? AND file_id = ?", (digest, file_id)
    )
