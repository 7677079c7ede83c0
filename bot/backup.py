"""Consistent copies of the live database, and putting one back.

A backup uses SQLite's online backup API from a read-only connection: with WAL the copy is
one consistent snapshot even while the bot keeps writing. Both directions write to a
temporary file first and rename it into place, so a crash never leaves half a file under
the final name.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bot.storage import DatabaseInUse, ProcessLock

BACKUP_NAME = "massage-coach-%Y%m%d-%H%M%S.sqlite3"
SIDE_FILES = ("-wal", "-shm")


class BackupError(Exception):
    """The copy could not be made or put back; the message says why and what to do."""


@dataclass(frozen=True)
class Copied:
    """Where a copy went, how big it is, and the schema version it carries."""

    path: Path
    size: int
    schema_version: int


def _read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError(f"there is no database at {path}")
    try:
        db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"cannot read {path}: {error}") from None
    return db


def _schema_version(db: sqlite3.Connection) -> int:
    try:
        row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0] or 0)


def _copy(source: sqlite3.Connection, target: Path) -> Copied:
    """Copy into ``target`` through a temporary file; verify before renaming into place."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            # A backup is one self-contained file: no -wal beside it to forget when copying.
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            version = _schema_version(copy)
        finally:
            copy.close()
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"cannot write {target}: {error}") from None
    except OSError as error:
        raise BackupError(f"cannot write {target}: {error.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Copied(target, target.stat().st_size, version)


def backup_database(database: Path, target: Path, *, force: bool = False) -> Copied:
    """Copy the (possibly live) database to ``target``; a folder gets a timestamped name.

    Raises:
        BackupError: no database, target exists without ``force``, or the copy failed.
    """
    if target.is_dir():
        target = target / time.strftime(BACKUP_NAME)
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; pass --force to overwrite it")
    if target.resolve() == database.resolve():
        raise BackupError("the backup cannot be the database itself")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    source = _read_only(database)
    try:
        return _copy(source, target)
    finally:
        source.close()


def restore_database(backup: Path, database: Path) -> tuple[Copied, Path | None]:
    """Put a backup in place of the database while no bot runs on it.

    The current database is kept beside it as ``<name>.before-restore-<time>`` (returned),
    so a restore by mistake can itself be undone.

    Raises:
        BackupError: the backup is unreadable or damaged, or a bot is using the database.
    """
    source = _read_only(backup)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{backup} is damaged ({check}); pick another backup")
        database.parent.mkdir(parents=True, exist_ok=True)
        lock = ProcessLock(database)
        try:
            lock.acquire()
        except DatabaseInUse as error:
            raise BackupError(f"{error}; stop the bot, then restore") from None
        try:
            kept = _keep_current(database)
            return _copy(source, database), kept
        finally:
            lock.release()
    finally:
        source.close()


def _keep_current(database: Path) -> Path | None:
    """Move the current database (and its WAL, which belongs to it) out of the way."""
    if not database.exists():
        return None
    kept = database.with_name(f"{database.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
    current = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(kept)
        try:
            # The backup API reads through the WAL, so the kept copy is complete on its own.
            current.backup(copy)
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot keep the current database aside: {error}") from None
    finally:
        current.close()
    for suffix in SIDE_FILES:
        # A WAL left beside the restored file would be replayed into it.
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return kept
