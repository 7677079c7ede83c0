"""Render each technique's picture once per content version and keep the PNG bytes.

A picture's hash covers its spec, the title drawn on it and the renderer version, so editing
any of them gives a new picture and a new hash (a new Telegram upload); nothing else does.
With a cache folder the PNGs survive restarts as ``<hash>.png``; without one they are
rendered at start-up and kept in memory.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.pictures.draw import RENDERER_VERSION, draw_picture
from bot.pictures.spec import PictureSpec

log = logging.getLogger(__name__)


class Pictured(Protocol):
    """What the book needs of a content entry (``bot.catalog.entries.Entry`` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def picture(self) -> PictureSpec | None: ...


@dataclass(frozen=True)
class PictureRef:
    """Which diagram: the entry it shows, its title and content hash (no drawing needed)."""

    entry_id: str
    title: str
    digest: str


@dataclass(frozen=True)
class Picture(PictureRef):
    """One rendered diagram: a reference plus its PNG bytes."""

    png: bytes


def picture_digest(entry: Pictured) -> str:
    """The content hash of an entry's picture; changes whenever the drawing would."""
    if entry.picture is None:
        raise ValueError(f"{entry.id} has no picture")
    return entry.picture.digest(entry.title, RENDERER_VERSION)


def _read_cached(folder: Path, digest: str) -> bytes | None:
    try:
        data = (folder / f"{digest}.png").read_bytes()
    except OSError:
        return None
    return data if data.startswith(b"\x89PNG") else None


def _write_cached(folder: Path, digest: str, png: bytes) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(png)
        os.replace(temporary, folder / f"{digest}.png")
    except OSError as error:
        # A read-only or full disk costs a re-render next start, nothing more.
        log.warning("pictures: cannot cache %s: %s", digest[:12], error)


@dataclass(frozen=True)
class PictureBook:
    """The rendered pictures by entry id."""

    pictures: Mapping[str, Picture]

    def get(self, entry_id: str) -> Picture | None:
        return self.pictures.get(entry_id)

    def __iter__(self) -> Iterator[Picture]:
        return iter(self.pictures.values())

    def __len__(self) -> int:
        return len(self.pictures)


def build_book(entries: Iterable[Pictured], cache: Path | None = None) -> PictureBook:
    """Render (or load from ``cache``) the picture of every entry that has one."""
    pictures: dict[str, Picture] = {}
    for entry in entries:
        if entry.picture is None:
            continue
        digest = picture_digest(entry)
        png = _read_cached(cache, digest) if cache is not None else None
        if png is None:
            png = draw_picture(entry.title, entry.picture)
            if cache is not None:
                _write_cached(cache, digest, png)
        pictures[entry.id] = Picture(entry.id, entry.title, digest, png)
    return PictureBook(pictures)


def write_all(book: PictureBook, folder: Path) -> list[Path]:
    """Write every picture as ``folder/<entry id>.png`` for authors to review."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for picture in book:
        path = folder / f"{picture.entry_id}.png"
        path.write_bytes(picture.png)
        written.append(path)
    return written
