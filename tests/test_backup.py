"""Backups of the live database (SQLite online backup API) and putting one back."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.backup import BackupError, backup_database, restore_database
from bot.storage import Storage
from tests.test_cli import run_cli


def chat_ids(path: Path) -> set[int]:
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT chat_id FROM chats")}
    finally:
        db.close()


def journal_mode(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        mode: str = db.execute("PRAGMA journal_mode").fetchone()[0]
        return mode
    finally:
        db.close()


def has_wal(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


def leftovers(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if "partial" in path.name]


async def opened(path: Path, *chats: int) -> Storage:
    storage = Storage(path)
    await storage.open()
    for chat in chats:
        await storage.touch_chat(chat)
    return storage


async def test_backup_of_a_running_bots_database_holds_everything_committed(
    tmp_path: Path,
) -> None:
    database = tmp_path / "live.sqlite3"
    storage = await opened(database, 1, 2, 3)
    try:
        assert has_wal(database)  # the rows are still in the WAL, not in the main file
        copied = await asyncio.to_thread(backup_database, database, tmp_path / "copy.sqlite3")
    finally:
        await storage.close()
    assert copied.path == tmp_path / "copy.sqlite3"
    assert copied.size > 0
    assert copied.schema_version >= 1
    assert chat_ids(copied.path) == {1, 2, 3}
    assert journal_mode(copied.path) == "delete"
    assert not has_wal(copied.path)
    assert leftovers(tmp_path) == []


async def test_backup_while_the_bot_writes_is_consistent(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    storage = await opened(database)
    written = 0
    started = asyncio.Event()

    async def keep_writing() -> None:
        nonlocal written
        while True:
            async with storage.transaction() as db:
                # Two rows per transaction: a consistent copy never holds an odd count.
                await db.execute(
                    "INSERT INTO chats (chat_id, first_seen_at, last_seen_at) "
                    "VALUES (?, 0, 0), (?, 0, 0)",
                    (2 * written, 2 * written + 1),
                )
            written += 1
            if written == 5:
                started.set()
            await asyncio.sleep(0)

    writer = asyncio.create_task(keep_writing())
    try:
        await asyncio.wait_for(started.wait(), 10)
        copies = [
            await asyncio.to_thread(backup_database, database, tmp_path / f"copy{n}.sqlite3")
            for n in range(3)
        ]
    finally:
        writer.cancel()
        (stopped,) = await asyncio.gather(writer, return_exceptions=True)
        await storage.close()
    assert isinstance(stopped, asyncio.CancelledError)
    for copied in copies:
        rows = len(chat_ids(copied.path))
        assert rows >= 10
        assert rows % 2 == 0


async def test_backup_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    await (await opened(database, 7)).close()
    target = tmp_path / "backup.sqlite3"
    target.write_text("precious")
    with pytest.raises(BackupError, match="already exists; pass --force"):
        backup_database(database, target)
    assert target.read_text() == "precious"
    backup_database(database, target, force=True)
    assert chat_ids(target) == {7}


async def test_backup_into_a_folder_gets_a_timestamped_name(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    await (await opened(database, 7)).close()
    folder = tmp_path / "backups"
    folder.mkdir()
    copied = backup_database(database, folder)
    assert copied.path.parent == folder
    assert copied.path.name.startswith("massage-coach-")
    assert copied.path.suffix == ".sqlite3"


def test_backup_without_a_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="there is no database"):
        backup_database(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_restore_puts_the_backup_back_and_keeps_what_it_replaced(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    storage = await opened(database, 1, 2)
    backup = backup_database(database, tmp_path / "backup.sqlite3").path
    await storage.touch_chat(99)  # written after the backup
    with pytest.raises(BackupError, match="stop the bot"):
        restore_database(backup, database)
    await storage.close()

    copied, kept = restore_database(backup, database)
    assert copied.path == database
    assert chat_ids(database) == {1, 2}
    assert kept is not None and chat_ids(kept) == {1, 2, 99}
    assert not has_wal(database)
    # The bot starts on the restored database as usual.
    storage = await opened(database, 3)
    await storage.close()
    assert chat_ids(database) == {1, 2, 3}


def test_restore_refuses_a_damaged_backup(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="damaged"):
        restore_database(damaged, tmp_path / "db.sqlite3")
    assert not (tmp_path / "db.sqlite3").exists()


async def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    await (await opened(database, 1, 2)).close()
    env = {"DATABASE_PATH": str(database)}

    result = run_cli("backup", "backup.sqlite3", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "backup written: backup.sqlite3" in result.stdout
    assert "integrity ok" in result.stdout

    again = run_cli("backup", "backup.sqlite3", env=env, cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "massage-coach: backup.sqlite3 already exists; pass --force to overwrite it"
    )
    assert run_cli("backup", "backup.sqlite3", "--force", env=env, cwd=tmp_path).returncode == 0

    await (await opened(database, 3)).close()
    restored = run_cli("restore", "backup.sqlite3", env=env, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout
    assert chat_ids(database) == {1, 2}
