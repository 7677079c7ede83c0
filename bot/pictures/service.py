"""Pictures for the running bot: rendered on first use (once per content hash), file ids kept.

The Telegram side (``handlers/pictures.py``) asks this service for an entry's picture and its
known ``file_id``, and reports back what Telegram gave or refused. Rendering takes about half
a second of CPU, so it runs in a worker thread, once per picture hash, and the PNG is kept
in memory and in the cache folder (it survives restarts there). A picture is never worth
losing a message for: every storage problem here reads as "no file id known".
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Coroutine, Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.pictures.book import Picture, Pictured, PictureRef, build_book, picture_digest
from bot.pictures.store import file_id_of, forget_file_id, remember_file_id
from bot.storage import Storage, StorageError

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]+>")


def caption_length(html_text: str) -> int:
    """The length Telegram counts for an HTML caption: visible text, in UTF-16 code units."""
    visible = html.unescape(_TAG.sub("", html_text))
    return len(visible.encode("utf-16-le")) // 2


def fits_caption(html_text: str) -> bool:
    return caption_length(html_text) <= CAPTION_LIMIT


class PictureService:
    """Entry pictures by id, rendered lazily and once; Telegram file ids by picture hash."""

    def __init__(
        self,
        entries: Iterable[Pictured],
        storage: Storage,
        cache: Path | None = None,
        *,
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled
        self.storage = storage
        self.cache = cache
        self._entries: Mapping[str, Pictured] = {
            entry.id: entry for entry in entries if entry.picture is not None
        }
        self._rendered: dict[str, Picture] = {}
        self._rendering: dict[str, asyncio.Lock] = {}
        self._uploading: dict[str, asyncio.Lock] = {}
        # File ids by hash, read once from SQLite: every write goes through this service
        # (one bot process per database), so a timed step needs no database round trip.
        self._file_ids: dict[str, str | None] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.uploads = 0  # pictures sent as a file rather than by file id, for tests and /stats

    def has_picture(self, entry_id: str) -> bool:
        return self.enabled and entry_id in self._entries

    def ref(self, entry_id: str) -> PictureRef | None:
        """Which picture an entry has, without drawing it (enough to send it by file id)."""
        entry = self._entries.get(entry_id) if self.enabled else None
        if entry is None:
            return None
        return PictureRef(entry.id, entry.title, picture_digest(entry))

    async def picture(self, entry_id: str) -> Picture | None:
        """The entry's picture, rendered on first use; None when it has none."""
        entry = self._entries.get(entry_id) if self.enabled else None
        if entry is None:
            return None
        digest = picture_digest(entry)
        done = self._rendered.get(digest)
        if done is not None:
            return done
        lock = self._rendering.setdefault(digest, asyncio.Lock())
        async with lock:
            done = self._rendered.get(digest)
            if done is None:
                try:
                    book = await asyncio.to_thread(build_book, [entry], self.cache)
                except Exception:  # a drawing bug costs the picture, never the message
                    log.exception("pictures: cannot draw %s", entry_id)
                    return None
                done = book.pictures[entry.id]
                self._rendered[digest] = done
        return done

    def uploading(self, picture: PictureRef) -> asyncio.Lock:
        """Held while a picture is uploaded, so it is uploaded once, not once per chat."""
        return self._uploading.setdefault(picture.digest, asyncio.Lock())

    async def file_id(self, picture: PictureRef) -> str | None:
        if picture.digest in self._file_ids:
            return self._file_ids[picture.digest]
        try:
            found = await file_id_of(self.storage, picture.digest)
        except StorageError as error:
            log.warning("pictures: cannot read the file id of %s: %s", picture.entry_id, error)
            return None
        self._file_ids[picture.digest] = found
        return found

    async def remember(self, picture: PictureRef, file_id: str) -> None:
        self.uploads += 1
        self._file_ids[picture.digest] = file_id
        try:
            await remember_file_id(self.storage, picture.digest, file_id)
        except StorageError as error:
            log.warning("pictures: cannot keep the file id of %s: %s", picture.entry_id, error)

    async def forget(self, picture: PictureRef, file_id: str) -> None:
        log.info("pictures: Telegram refused the file id of %s; uploading again", picture.entry_id)
        if self._file_ids.get(picture.digest) == file_id:
            self._file_ids[picture.digest] = None
        try:
            await forget_file_id(self.storage, picture.digest, file_id)
        except StorageError as error:
            log.warning("pictures: cannot drop the file id of %s: %s", picture.entry_id, error)

    def in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` without holding up the caller (a timed step); kept for ``drain``."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for background uploads (at shutdown, before the connection closes)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
