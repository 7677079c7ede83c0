"""SQLite storage: one aiosqlite connection, WAL, numbered migrations, one process at a time."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
Params = Sequence[Any] | dict[str, Any]


class StorageError(Exception):
    """The database cannot be used right now (locked, disk full, unreadable)."""


class DatabaseInUse(StorageError):
    """Another bot process holds this database."""


@dataclass(frozen=True)
class Migration:
    """One numbered schema change, applied once and recorded in ``schema_version``."""

    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in ``bot/migrations``, in version order."""
    found: list[Migration] = []
    for item in resources.files("bot.migrations").iterdir():
        match = _MIGRATION_NAME.match(item.name)
        if match:
            found.append(Migration(int(match[1]), match[2], item.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    # Features are built on branches with pre-assigned numbers, so a branch may lack a lower
    # number for a while; two migrations with one number are a mistake, though.
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


class ProcessLock:
    """An exclusive advisory lock next to the database, released when the process dies."""

    def __init__(self, database_path: Path) -> None:
        self.path = database_path.with_name(database_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseInUse(
                f"another Massage Coach process is already using {self.path.with_suffix('')}; "
                "stop it first (two bots on one database would answer every message twice)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Storage:
    """Owns the one connection; every statement goes through here, parameterised."""

    def __init__(
        self,
        path: Path,
        *,
        migrations: Iterable[Migration] | None = None,
        exclusive: bool = True,
    ) -> None:
        self.path = path
        self._migrations = list(migrations) if migrations is not None else None
        self._lock = ProcessLock(path) if exclusive else None
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StorageError("storage is not open")
        return self._db

    async def open(self) -> None:
        """Take the process lock, connect, switch on WAL and apply pending migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._lock is not None:
            self._lock.acquire()
        try:
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=NORMAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute("PRAGMA busy_timeout=5000")
            # 32 MB page cache (default 2 MB): a minute's batch of reminder marks touches
            # pages all over the table; measured in bench/reminders.py.
            await self._db.execute("PRAGMA cache_size=-32000")
            await self.migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None
        if self._lock is not None:
            self._lock.release()

    async def schema_version(self) -> int:
        row = await self.fetchone(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        )
        if row is None:
            return 0
        version = await self.fetchone("SELECT MAX(version) FROM schema_version")
        return int(version[0]) if version and version[0] is not None else 0

    async def migrate(self) -> int:
        """Apply every migration newer than the database, each in its own transaction."""
        migrations = self._migrations if self._migrations is not None else bundled_migrations()
        await self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
        )
        current = await self.schema_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise StorageError(
                f"the database is at schema version {current}, newer than this bot "
                f"({latest}): upgrade the bot instead of downgrading the database"
            )
        applied = {
            int(row[0]) for row in await self.fetchall("SELECT version FROM schema_version")
        }
        for migration in migrations:
            # By set, not by "newer than current": a lower number merged later still applies.
            if migration.version in applied:
                continue
            log.info("applying migration %04d_%s", migration.version, migration.name)
            async with self.transaction() as db:
                # executescript would commit on its own; run statement by statement instead.
                for statement in _split_sql(migration.sql):
                    await db.execute(statement)
                await db.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
            current = max(current, migration.version)
        return current

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction at a time: coroutines share the connection's transaction."""
        async with self._write_lock:
            db = self.db
            try:
                await db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StorageError(f"database unavailable: {error}") from error
            except BaseException:
                # Cancelled while BEGIN waited in aiosqlite's queue: it still runs there, and
                # would leave the connection inside a transaction for every later caller.
                with contextlib.suppress(sqlite3.Error):
                    await db.rollback()
                raise
            try:
                yield db
            except sqlite3.OperationalError as error:
                # Locked, disk full, I/O error mid-transaction: undo every statement of it.
                await _rollback(db)
                raise StorageError(f"could not save: {error}") from error
            except BaseException:
                await _rollback(db)
                raise
            try:
                await db.commit()
            except sqlite3.Error as error:
                await _rollback(db)
                raise StorageError(f"could not save: {error}") from error

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; returns the rows changed."""
        async with self.transaction() as db:
            cursor = await db.execute(sql, params)
            return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        try:
            async with self.db.execute(sql, params) as cursor:
                row: sqlite3.Row | None = await cursor.fetchone()
                return row
        except sqlite3.OperationalError as error:
            raise StorageError(f"database unavailable: {error}") from error

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        try:
            async with self.db.execute(sql, params) as cursor:
                return list(await cursor.fetchall())
        except sqlite3.OperationalError as error:
            raise StorageError(f"database unavailable: {error}") from error

    async def touch_chat(self, chat_id: int, now: float | None = None) -> None:
        """Remember that a chat talked to the bot (first and last seen)."""
        moment = time.time() if now is None else now
        await self.execute(
            "INSERT INTO chats (chat_id, first_seen_at, last_seen_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            (chat_id, moment, moment),
        )


async def _rollback(db: aiosqlite.Connection) -> None:
    """Undo the open transaction; SQLite may already have rolled it back (SQLITE_FULL)."""
    with contextlib.suppress(sqlite3.Error):
        await db.rollback()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows about strings)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
