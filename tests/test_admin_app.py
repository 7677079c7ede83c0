"""/stats and /broadcast through the real Application against the Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from handlers.fallback import STALE_BUTTON, UNKNOWN_COMMAND
from handlers.menu import COMMANDS
from standin import BotApiStandIn
from tests.support.app import RunningBot, buttons, running_bot

JSONDict = dict[str, Any]
ADMIN, ALICE, BOB, BLOCKER = 1001, 2002, 2003, 2004


@pytest_asyncio.fixture
async def admin_bot(standin: BotApiStandIn, tmp_path: Path) -> AsyncIterator[RunningBot]:
    async with running_bot(standin, tmp_path / "bot.sqlite3", ADMIN_IDS=str(ADMIN)) as running:
        yield running


async def greet(bot: RunningBot, *chats: int) -> None:
    for chat in chats:
        await bot.say("/start", chat_id=chat)


@pytest.mark.parametrize("command", ["/stats", "/broadcast hello everyone", "/broadcast"])
async def test_non_admins_get_the_unknown_command_answer(
    admin_bot: RunningBot, command: str
) -> None:
    reply = await admin_bot.say(command, chat_id=ALICE)
    assert reply["text"] == UNKNOWN_COMMAND
    assert buttons(reply) == []


async def test_admin_commands_are_not_advertised(admin_bot: RunningBot) -> None:
    names = {command.name for command in COMMANDS}
    assert {"privacy", "forget"} <= names and not {"stats", "broadcast"} & names
    help_text = (await admin_bot.say("/help"))["text"]
    assert "/stats" not in help_text and "/broadcast" not in help_text
    assert "/privacy" in help_text and "/forget" in help_text


async def test_stats_counts_chats_reminders_and_answers(admin_bot: RunningBot) -> None:
    await greet(admin_bot, ALICE, BOB)
    await admin_bot.say("/timezone UTC", chat_id=ALICE)
    await admin_bot.say("/remind 9:00", chat_id=ALICE)
    await admin_bot.say("how hard should I press on the lower back?", chat_id=BOB)
    await admin_bot.say("qwzx vbnm plokij", chat_id=BOB)
    stats = await admin_bot.say("/stats")
    text = stats["text"]
    assert "Chats: 3" in text  # Alice, Bob and the admin
    assert "Reminders: 1 active, 0 paused, in 1 chat\n" in text
    assert "Questions: 2 — 1 answered" in text and "1 unanswered" in text
    row = await admin_bot.services.storage.fetchall("SELECT * FROM counters")
    assert all("press" not in str(tuple(r)) for r in row)  # totals only, no question text


async def test_broadcast_preview_confirm_and_report(
    admin_bot: RunningBot, standin: BotApiStandIn
) -> None:
    await greet(admin_bot, ALICE, BOB, BLOCKER)
    standin.block_chat(BLOCKER)
    preview = await admin_bot.say("/broadcast New routine: <b>neck</b> & shoulders")
    assert "New routine: &lt;b&gt;neck&lt;/b&gt; &amp; shoulders" not in preview["text"]
    assert "New routine: <b>neck</b> & shoulders" in preview["text"]  # shown as typed
    assert [b["text"] for b in buttons(preview)] == ["Send to 4 chats", "Cancel"]

    # Someone else pressing the admin's button (forged) changes nothing.
    forged = standin.user_presses(
        ALICE, preview["message_id"], buttons(preview)[0]["callback_data"], strict=False
    )
    assert (await standin.wait_for_callback_answer(forged)).get("text") == STALE_BUTTON

    await admin_bot.press(preview, "Send to")
    for chat in (ALICE, BOB):
        got = await admin_bot.next_message(chat_id=chat)
        assert got["text"] == "New routine: <b>neck</b> & shoulders"
    own = await admin_bot.next_message()
    assert own["text"] == "New routine: <b>neck</b> & shoulders"
    final = await admin_bot.next_message()
    assert "finished" in final["text"]
    assert (
        "Sent: 3 of 4" in final["text"]
        and "Unreachable (blocked the bot or gone): 1" in final["text"]
    )

    # Pressing Send again on the old preview sends nothing more.
    data = buttons(preview)[0]["callback_data"]
    again = standin.user_presses(ADMIN, preview["message_id"], data, strict=False)
    assert "already sent" in (await standin.wait_for_callback_answer(again)).get("text", "")
    assert len([m for m in standin.messages(ALICE) if "neck" in m["text"]]) == 1


async def test_broadcast_cancel_and_empty(admin_bot: RunningBot, standin: BotApiStandIn) -> None:
    await greet(admin_bot, ALICE)
    assert "Usage" in (await admin_bot.say("/broadcast"))["text"]
    preview = await admin_bot.say("/broadcast hello")
    await admin_bot.press(preview, "Cancel")
    cancelled = await standin.wait_for_edit(ADMIN, preview["message_id"])
    assert "nothing was sent" in cancelled["text"]
    assert await admin_bot.services.broadcasts.next_due() is None
    assert all("hello" not in m["text"] for m in standin.messages(ALICE))


@pytest.mark.parametrize("data", ["v1:bs:999", "v1:bz", "v1:bs:1:extra", "adm:send:1"])
async def test_stale_or_forged_admin_presses_do_nothing(
    admin_bot: RunningBot, standin: BotApiStandIn, data: str
) -> None:
    message = await admin_bot.say("/help")
    query = standin.user_presses(ADMIN, message["message_id"], data, strict=False)
    answer = await standin.wait_for_callback_answer(query)
    assert answer.get("text") in (STALE_BUTTON, "This broadcast was already sent or cancelled.")
    assert await admin_bot.services.broadcasts.next_due() is None


async def test_a_broadcast_cut_short_by_a_restart_carries_on(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    """State as a stopped bot left it: Alice done, Bob still pending; the new process goes on."""
    path = tmp_path / "bot.sqlite3"
    async with running_bot(standin, path, ADMIN_IDS=str(ADMIN)) as first:
        await first.services.scheduler.stop()  # nothing is sent by this process
        await greet(first, ALICE, BOB)
        preview = await first.say("/broadcast after the restart")
        await first.press(preview, "Send to")
        await standin.wait_for_edit(ADMIN, preview["message_id"])
        await first.services.storage.execute(
            "UPDATE broadcast_deliveries SET status = 'sent', due_at = NULL, done_at = 0 "
            "WHERE chat_id IN (?, ?)",
            (ALICE, ADMIN),
        )
    async with running_bot(standin, path, ADMIN_IDS=str(ADMIN)) as second:
        got = await second.next_message(chat_id=BOB)
        assert got["text"] == "after the restart"
        report = await standin.wait_for_message(ADMIN, predicate=lambda m: "finished" in m["text"])
        assert "Sent: 3 of 3" in report["text"]
    assert all("after the restart" not in m["text"] for m in standin.messages(ALICE))
