"""Command line: ``python -m bot`` runs the bot; sub-commands check and inspect it.

``chat`` runs the terminal chat of the Bot API stand-in (``standin.terminal``), a dev tool
outside the core: it is imported lazily inside that sub-command only, so nothing else in
``bot/`` loads the stand-in.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.catalog.entries import Catalog, searchable_text
from bot.catalog.files import CONTENT_DIR, ContentError
from bot.catalog.loader import load_catalog
from bot.config import ConfigError, Settings, load_settings, prepare_database_path
from bot.logs import setup_logging
from bot.reminders import zone_rules
from bot.reminders.lines import load_lines
from bot.storage import StorageError

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Massage Coach, a Telegram bot for back massage."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot (the default)")
    content = commands.add_parser("content", help="print the content entries")
    content.add_argument("--json", action="store_true", help="as a JSON array")
    commands.add_parser("check", help="validate content and configuration, exit 1 on problems")
    ask = commands.add_parser("ask", help="answer a question as the bot would")
    ask.add_argument("question", nargs="*", help="the question (omit with --json)")
    ask.add_argument(
        "--json", action="store_true", help="read one question per line on stdin, print JSON lines"
    )
    backup = commands.add_parser(
        "backup", help="copy the live database consistently to PATH (a file or a folder)"
    )
    backup.add_argument("path", type=Path, metavar="PATH")
    backup.add_argument("--force", action="store_true", help="overwrite an existing file")
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database (the bot must be stopped)"
    )
    restore.add_argument("path", type=Path, metavar="BACKUP")
    pictures = commands.add_parser(
        "pictures", help="draw every technique's picture as DIR/<entry id>.png for review"
    )
    pictures.add_argument("--out", type=Path, required=True, metavar="DIR")
    chat = commands.add_parser(
        "chat", help="talk to the bot in this terminal, no Telegram or token needed"
    )
    chat.add_argument(
        "--database",
        type=Path,
        default=None,
        help="its own SQLite database (default: data/chat.sqlite3, kept between runs)",
    )
    chat.add_argument("--name", default=None, help="your first name, as the bot greets you")
    chat.add_argument(
        "--linger",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="keep running this long after end of input, to see timed messages",
    )
    chat.add_argument(
        "--log-level", default="WARNING", type=str.upper, help="default WARNING (quiet)"
    )
    return parser


def _fail(message: str, status: int = EXIT_CONFIG) -> int:
    print(f"massage-coach: {message}", file=sys.stderr)
    return status


def _content_json(catalog: Catalog) -> str:
    return json.dumps(
        [
            {"id": e.id, "kind": e.kind, "title": e.title, "text": searchable_text(e)}
            for e in catalog
        ],
        ensure_ascii=False,
        indent=2,
    )


def _print_content(catalog: Catalog, as_json: bool) -> int:
    if as_json:
        print(_content_json(catalog))
        return 0
    for section in catalog.sections:
        print(f"{section.title} ({section.name}.yaml)")
        for entry_id in section.entry_ids:
            entry = catalog.entries[entry_id]
            print(f"  {entry.id:45} {entry.title}")
    return 0


def _ask(catalog: Catalog, question: str, as_json: bool) -> int:
    from bot.ask.replies import plain_text
    from bot.ask.service import build_asker
    from bot.search.hybrid import build_searcher

    try:
        asker = build_asker(catalog, build_searcher(catalog))
    except ContentError as error:
        return _fail("content is invalid:\n  " + "\n  ".join(error.problems), status=1)
    if as_json:
        for line in sys.stdin:
            query = line.rstrip("\n")
            print(json.dumps(asker.as_json(query), ensure_ascii=False), flush=True)
        return 0
    if not question.strip():
        return _fail('ask needs a question, e.g. python -m bot ask "what oil"', status=1)
    print("\n\n".join(plain_text(reply) for reply in asker.ask(question).replies))
    return 0


def _check(content_dir: Path) -> int:
    problems: list[str] = []
    try:
        catalog = load_catalog(content_dir)
        print(f"content: {len(catalog)} entries in {len(catalog.sections)} files, all valid")
        from bot.search.hybrid import build_searcher
        from bot.search.semantic import load_embedder

        build_searcher(catalog, content_dir / "search", semantic=False)
        print("search: synonyms, concepts, questions and warning signs valid")
        if load_embedder() is not None:
            print("search: the sentence-embedding model loads")
        else:
            print("search: the sentence-embedding model cannot load (see above); words only")
        from bot.safety import build_detector

        build_detector(catalog, content_dir / "safety" / "signs.yaml")
        print("safety: warning signs and conditions valid")
        lines = load_lines(content_dir / "reminders" / "lines.yaml", known_ids=catalog.entries)
        print(f"reminder lines: {len(lines)}, all valid")
        print(zone_rules.in_use().describe())
    except ContentError as error:
        problems.extend(f"content: {problem}" for problem in error.problems)
    try:
        settings = load_settings(require_token=False)
        prepare_database_path(settings.database_path)
        mode = "webhook" if settings.uses_webhook else "long polling"
        if settings.bot_token.value:
            print(f"configuration: ok ({mode}, database {settings.database_path})")
        else:
            problems.append("configuration: BOT_TOKEN is not set (get one from @BotFather)")
    except ConfigError as error:
        problems.append(f"configuration: {error}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _database_path() -> Path:
    settings = load_settings(require_token=False)
    return settings.database_path


def _backup(target: Path, force: bool) -> int:
    from bot.backup import BackupError, backup_database

    try:
        copied = backup_database(_database_path(), target, force=force)
    except ConfigError as error:
        return _fail(str(error))
    except BackupError as error:
        return _fail(str(error), status=1)
    print(
        f"backup written: {copied.path} ({copied.size:,} bytes, schema version "
        f"{copied.schema_version}, integrity ok)"
    )
    return 0


def _restore(backup: Path) -> int:
    from bot.backup import BackupError, restore_database

    try:
        database = _database_path()
        copied, kept = restore_database(backup, database)
    except ConfigError as error:
        return _fail(str(error))
    except BackupError as error:
        return _fail(str(error), status=1)
    print(f"restored {backup} to {database} (schema version {copied.schema_version})")
    if kept is not None:
        print(f"the database it replaced is kept as {kept}")
    return 0


def _chat(args: argparse.Namespace) -> int:
    from standin.terminal import DEFAULT_CHAT_DATABASE, ChatOptions, default_name, run_chat

    try:
        catalog = load_catalog()
    except ContentError as error:
        return _fail("content is invalid:\n  " + "\n  ".join(error.problems))
    options = ChatOptions(
        database=args.database or DEFAULT_CHAT_DATABASE,
        name=args.name or default_name(),
        linger=max(0.0, args.linger),
        echo=not sys.stdin.isatty(),
    )
    if args.log_level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
        return _fail("--log-level must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    setup_logging(args.log_level)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        prepare_database_path(options.database)
        return run_chat(catalog, options)
    except ConfigError as error:
        return _fail(str(error))
    except StorageError as error:
        return _fail(str(error))


def _run() -> int:
    try:
        settings: Settings = load_settings()
        prepare_database_path(settings.database_path)
        catalog = load_catalog()
    except ConfigError as error:
        return _fail(str(error))
    except ContentError as error:
        return _fail("content is invalid:\n  " + "\n  ".join(error.problems))
    setup_logging(settings.log_level, settings.bot_token.value, settings.secrets)
    # Opt in to PTB's timedelta-valued durations now; the old form warns on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from bot.app import run

    try:
        run(settings, catalog)
    except StorageError as error:
        return _fail(str(error))
    except ContentError as error:
        return _fail("content is invalid:\n  " + "\n  ".join(error.problems))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m bot`` and the ``massage-coach`` console script."""
    args = _parser().parse_args(argv)
    if args.command in (None, "run"):
        return _run()
    if args.command == "check":
        return _check(CONTENT_DIR)
    if args.command == "backup":
        return _backup(args.path, args.force)
    if args.command == "restore":
        return _restore(args.path)
    if args.command == "chat":
        return _chat(args)
    try:
        catalog = load_catalog()
    except ContentError as error:
        return _fail("content is invalid:\n  " + "\n  ".join(error.problems), status=1)
    if args.command == "ask":
        return _ask(catalog, " ".join(args.question), args.json)
    if args.command == "pictures":
        from bot.pictures.book import build_book, write_all

        written = write_all(build_book(catalog), args.out)
        print(f"pictures: {len(written)} written to {args.out}")
        return 0
    return _print_content(catalog, args.json)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly.
        sys.stderr.close()
        sys.exit(0)
