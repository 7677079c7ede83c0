"""Command line: ``python -m bot`` runs the bot; sub-commands check and inspect it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings, prepare_database_path
from bot.content import CONTENT_DIR, Catalog, ContentError, load_catalog, searchable_text
from bot.logs import setup_logging
from bot.reminder_service import load_lines
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


def _check(content_dir: Path) -> int:
    problems: list[str] = []
    try:
        catalog = load_catalog(content_dir)
        print(f"content: {len(catalog)} entries in {len(catalog.sections)} files, all valid")
        lines = load_lines(content_dir / "reminders" / "lines.yaml", known_ids=catalog.entries)
        print(f"reminder lines: {len(lines)}, all valid")
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


def _run() -> int:
    try:
        settings: Settings = load_settings()
        prepare_database_path(settings.database_path)
        catalog = load_catalog()
    except ConfigError as error:
        return _fail(str(error))
    except ContentError as error:
        return _fail("content is invalid:\n  " + "\n  ".join(error.problems))
    setup_logging(settings.log_level, settings.bot_token.value)
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
    try:
        catalog = load_catalog()
    except ContentError as error:
        return _fail("content is invalid:\n  " + "\n  ".join(error.problems), status=1)
    return _print_content(catalog, args.json)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly.
        sys.stderr.close()
        sys.exit(0)
