"""Storage: migrations on empty and older databases, WAL, the one-process lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import DatabaseInUse, Migration, Storage, StorageError, bundled_migrations


async def test_empty_database_gets_every_migration(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    await storage.open()
    try:
        assert await storage.schema_version() == bundled_migrations()[-1].version
        mode = await storage.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        await storage.touch_chat(42, now=1.0)
        await storage.touch_chat(42, now=2.0)
        row = await storage.fetchone(
            "SELECT first_seen_at, last_seen_at FROM chats WHERE chat_id = ?", (42,)
        )
        assert row is not None and tuple(row) == (1.0, 2.0)
    finally:
        await storage.close()


async def test_older_database_is_upgraded_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = [Migration(1, "notes", "CREATE TABLE notes (chat_id INTEGER PRIMARY KEY, body TEXT);")]
    old = Storage(path, migrations=first)
    await old.open()
    await old.execute("INSERT INTO notes (chat_id, body) VALUES (?, ?)", (7, "keep me"))
    await old.close()

    both = [
        *first,
        Migration(
            2,
            "note_tags",
            "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'none';\n"
            "CREATE INDEX notes_tag ON notes (tag);",
        ),
    ]
    new = Storage(path, migrations=both)
    await new.open()
    try:
        assert await new.schema_version() == 2
        row = await new.fetchone("SELECT body, tag FROM notes WHERE chat_id = ?", (7,))
        assert row is not None and tuple(row) == ("keep me", "none")
    finally:
        await new.close()


async def test_failed_migration_leaves_database_at_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    good = Migration(1, "t", "CREATE TABLE t (x INTEGER);")
    bad = Migration(2, "broken", "CREATE TABLE u (y INTEGER);\nINSERT INTO nowhere VALUES (1);")
    storage = Storage(path, migrations=[good, bad])
    with pytest.raises(Exception, match="nowhere"):
        await storage.open()
    check = Storage(path, migrations=[good])
    await check.open()
    try:
        assert await check.schema_version() == 1
        assert await check.fetchone("SELECT name FROM sqlite_master WHERE name = 'u'") is None
    finally:
        await check.close()


async def test_newer_database_than_the_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    two = [Migration(1, "a", "CREATE TABLE a (x);"), Migration(2, "b", "CREATE TABLE b (x);")]
    storage = Storage(path, migrations=two)
    await storage.open()
    await storage.close()
    with pytest.raises(StorageError, match="newer than this bot"):
        await Storage(path, migrations=two[:1]).open()


async def test_second_process_on_the_same_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = Storage(path)
    await first.open()
    try:
        with pytest.raises(DatabaseInUse, match="already using"):
            await Storage(path).open()
    finally:
        await first.close()
    again = Storage(path)
    await again.open()
    await again.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    await storage.open()
    try:
        with pytest.raises(RuntimeError):
            async with storage.transaction() as db:
                await db.execute(
                    "INSERT INTO chats (chat_id, first_seen_at, last_seen_at) VALUES (?, ?, ?)",
                    (1, 0.0, 0.0),
                )
                raise RuntimeError("half-way")
        assert await storage.fetchone("SELECT * FROM chats") is None
    finally:
        await storage.close()


def test_bundled_migrations_have_distinct_increasing_numbers() -> None:
    versions = [migration.version for migration in bundled_migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1


async def test_a_lower_numbered_migration_merged_later_is_still_applied(tmp_path: Path) -> None:
    first = Migration(1, "one", "CREATE TABLE one (x INTEGER)")
    third = Migration(3, "three", "CREATE TABLE three (x INTEGER)")
    second = Migration(2, "two", "CREATE TABLE two (x INTEGER)")
    storage = Storage(tmp_path / "db.sqlite3", migrations=[first, third])
    await storage.open()
    await storage.close()
    storage = Storage(tmp_path / "db.sqlite3", migrations=[first, second, third])
    await storage.open()
    try:
        assert await storage.fetchone("SELECT * FROM two") is None  # the table exists
        assert await storage.schema_version() == 3
    finally:
        await storage.close()
