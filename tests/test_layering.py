"""The core in bot/ imports no telegram (only the wiring bot/app.py does) and no stand-in."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
WIRING = {"app.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_do_not_import_telegram_or_handlers() -> None:
    offenders = {
        str(path.relative_to(BOT)): sorted(
            name
            for name in imported_modules(path)
            if name.split(".")[0] in {"telegram", "handlers"}
        )
        for path in BOT.rglob("*.py")
        if path.name not in WIRING
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_core_modules_do_not_import_the_standin() -> None:
    """The Bot API stand-in is a test double and dev tool outside the core; only the ``chat``
    sub-command of the command line loads its terminal chat (lazily)."""
    importers = {
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if any(name.split(".")[0] == "standin" for name in imported_modules(path))
    }
    assert importers <= {"__main__.py"}


def test_the_standin_reaches_the_bot_only_through_its_terminal_chat() -> None:
    standin = BOT.parent / "standin"
    importers = {
        str(path.relative_to(standin))
        for path in standin.rglob("*.py")
        if any(name.split(".")[0] in {"bot", "handlers"} for name in imported_modules(path))
    }
    assert importers == {"terminal.py"}
