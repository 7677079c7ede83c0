"""The core in bot/ imports no telegram: only the wiring (bot/app.py) does."""

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
