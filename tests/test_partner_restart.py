"""A link made before a SIGKILL still steers the session after the bot comes back."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from types import SimpleNamespace

from standin import BotApiStandIn
from tests.support.process import start_bot
from tests.test_partner_app import GIVER, RECEIVER, check_in, edited, press, send, until


async def test_a_killed_bot_comes_back_with_the_link_and_the_remote(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    users = SimpleNamespace(standin=standin)  # the helpers only talk to the stand-in
    bot = await start_bot(standin, tmp_path, TIME_SCALE="1")
    try:
        await check_in(users)  # type: ignore[arg-type]
        remote = await until(users, RECEIVER, "Your remote")  # type: ignore[arg-type]
        checklist = await send(users, GIVER, "/session quick")  # type: ignore[arg-type]
        press(users, checklist, "Start")  # type: ignore[arg-type]
        await until(users, GIVER, "Step 1 of 5", timeout=20)  # type: ignore[arg-type]
        await edited(users, remote, "Step 1 of 5")  # type: ignore[arg-type]
        bot.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(bot.process.wait(), 20)
        assert bot.process.returncode == -signal.SIGKILL
    finally:
        await bot.kill()
    again = await start_bot(standin, tmp_path, TIME_SCALE="1")
    try:
        press(users, remote, "Next")  # type: ignore[arg-type]
        step = await until(users, GIVER, "Step 2 of 5", timeout=20)  # type: ignore[arg-type]
        assert "Pressure: light" in step["text"]  # still the adapted plan
        await edited(users, remote, "Step 2 of 5", timeout=20)  # type: ignore[arg-type]
        assert await again.terminate() == 0
    finally:
        await again.kill()
