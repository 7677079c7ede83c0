"""The command line: content listing, check, and clear one-line configuration errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tzdata

from bot.config import SETTING_NAMES
from tests.test_config import TOKEN

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items() if key not in SETTING_NAMES}
    base["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_content_json_lists_every_entry_with_searchable_text() -> None:
    result = run_cli("content", "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert len(entries) >= 46
    assert set(entries[0]) == {"id", "kind", "title", "text"}
    oil = next(entry for entry in entries if entry["id"] == "product.oil")
    assert oil["kind"] == "product"
    assert oil["title"] in oil["text"]
    assert len({entry["id"] for entry in entries}) == len(entries)


def test_check_passes_with_a_token(tmp_path: Path) -> None:
    result = run_cli(
        "check",
        env={"BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "db.sqlite3")},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "all valid" in result.stdout
    # The zone rules in use: the tzdata package's, newer than this machine's host copy.
    assert f"time-zone rules: {tzdata.IANA_VERSION} from the tzdata package" in result.stdout


def test_check_fails_without_a_token(tmp_path: Path) -> None:
    result = run_cli("check", env={"DATABASE_PATH": str(tmp_path / "db")}, cwd=tmp_path)
    assert result.returncode == 1
    assert "BOT_TOKEN is not set" in result.stderr


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({}, "BOT_TOKEN is not set"),
        ({"BOT_TOKEN": "12345"}, "BOT_TOKEN does not look like a bot token"),
        ({"BOT_TOKEN": TOKEN, "TIME_SCALE": "abc"}, "TIME_SCALE must be a number"),
        ({"BOT_TOKEN": TOKEN, "DATABASE_PATH": "/proc/forbidden/db.sqlite3"}, "DATABASE_PATH"),
        (
            {"BOT_TOKEN": TOKEN, "PROXY_URL": "socks5://u:hunter2@proxy:port"},
            "PROXY_URL must look",
        ),
        ({"BOT_TOKEN": TOKEN, "PROXY_URL": "proxy.lan:3128"}, "PROXY_URL must look"),
    ],
)
def test_run_with_bad_configuration_says_one_line_and_exits_2(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    result = run_cli(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "hunter2" not in result.stderr
