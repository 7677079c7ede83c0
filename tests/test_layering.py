"""The layering is checked by import-linter (`lint-imports`, in `make lint`); this keeps its
first contract complete: every core module of bot/ is named there, so a new feature package
cannot slip past "the core imports no telegram, handlers or stand-in"."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIRING = {"app", "__main__", "__init__"}  # the wiring and the command line may import anything


def core_modules() -> set[str]:
    found = {path.stem for path in (ROOT / "bot").glob("*.py")}
    found |= {path.parent.name for path in (ROOT / "bot").glob("*/__init__.py")}
    return {f"bot.{name}" for name in found - WIRING}


def test_every_core_module_is_in_the_no_telegram_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    core = next(
        c for c in contracts if c["forbidden_modules"] == ["telegram", "handlers", "standin"]
    )
    assert set(core["source_modules"]) == core_modules()
