"""Run ``python -m bot`` as a real process against a stand-in in the test's event loop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.config import SETTING_NAMES
from standin import BotApiStandIn
from tests.support.botapi import TOKEN

REPO = Path(__file__).resolve().parent.parent.parent

# Settings a developer's shell might carry; the child gets only what the test gives it.
SETTINGS = SETTING_NAMES


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def child_env(**env: str) -> dict[str, str]:
    base = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    base["PYTHONPATH"] = str(REPO)
    return {**base, **env}


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def terminate(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """SIGTERM, as systemd sends it; the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def start_bot(standin: BotApiStandIn, workdir: Path, **env: str) -> BotProcess:
    """Start ``python -m bot`` in ``workdir`` (no .env there) against the stand-in."""
    log_path = workdir / "bot.log"
    settings = {
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": standin.base_url,
        "DATABASE_PATH": str(workdir / "bot.sqlite3"),
        "RATE_LIMIT_OVERALL": "0",
        "TIME_SCALE": "0.01",
        "PICTURES": "off",  # as in tests/support/app.py; picture tests switch them on
        **env,
    }
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=workdir,
            env=child_env(**settings),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    return BotProcess(process, log_path)
