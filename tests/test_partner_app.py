"""Partner mode through the real Application with two chats: the giver and the receiver."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from standin import BotApiStandIn
from tests.support.app import USER_CHAT, RunningBot, button_data, buttons, running_bot

JSONDict = dict[str, Any]
GIVER = USER_CHAT
RECEIVER = 2002


async def until(
    bot: RunningBot,
    chat: int,
    text: str,
    timeout: float = 20.0,  # noqa: ASYNC109
    after: int = 0,
) -> JSONDict:
    """The next message in ``chat`` (newer than message ``after``) that contains ``text``."""
    return await bot.standin.wait_for_message(
        chat,
        predicate=lambda m: text in (m.get("text") or "") and m["message_id"] > after,
        timeout=timeout,
    )


def newest(bot: RunningBot, chat: int) -> int:
    return max((m["message_id"] for m in bot.standin.messages(chat)), default=0)


async def edited(
    bot: RunningBot,
    message: JSONDict,
    text: str,
    timeout: float = 20.0,  # noqa: ASYNC109
) -> JSONDict:
    chat = message["chat"]["id"]
    return await bot.standin.wait_for_edit(
        chat, message["message_id"], predicate=lambda m: text in m["text"], timeout=timeout
    )


def press(bot: RunningBot, message: JSONDict, label: str) -> str:
    data = button_data(message, label)
    return bot.standin.user_presses(message["chat"]["id"], message["message_id"], data)


async def invite_link(bot: RunningBot) -> str:
    status = await send(bot, GIVER, "/partner")
    press(bot, status, "Invite your partner")
    invite = await until(bot, GIVER, "t.me/")
    found = re.search(r"start=(p_[A-Za-z0-9_-]+)", invite["text"])
    assert found is not None and len(found[1]) <= 64
    return found[1]


async def send(bot: RunningBot, chat: int, text: str) -> JSONDict:
    """Write ``text`` in ``chat`` and return the bot's first message sent after it."""
    seen = max((m["message_id"] for m in bot.standin.messages(chat)), default=0)
    bot.standin.user_sends_text(chat, text, first_name="Sam" if chat != GIVER else "Alex")
    return await bot.standin.wait_for_message(chat, predicate=lambda m: m["message_id"] > seen)


async def join(bot: RunningBot, parameter: str, chat: int = RECEIVER) -> JSONDict:
    return await send(bot, chat, f"/start {parameter}")


async def check_in(bot: RunningBot, health: str = "No, none") -> JSONDict:
    """Join and answer the check-in: shoulders, avoid lower back, gentle."""
    linked = await join(bot, await invite_link(bot))
    assert "You're linked" in linked["text"]
    question = await until(bot, RECEIVER, "Check-in 1 of 4")
    assert "Sam joined" in (await until(bot, GIVER, "joined"))["text"]
    press(bot, question, "Shoulders")
    ticked = await edited(bot, question, "Check-in 1 of 4")
    assert "✅ Shoulders" in str(buttons(ticked))
    press(bot, ticked, "Next")
    avoid = await edited(bot, question, "Check-in 2 of 4")
    press(bot, avoid, "Lower back")
    avoid = await edited(bot, question, "Check-in 2 of 4")
    press(bot, avoid, "Next")
    pressure = await edited(bot, question, "Check-in 3 of 4")
    press(bot, pressure, "Gentle")
    health_question = await edited(bot, question, "Check-in 4 of 4")
    assert "numbness" in health_question["text"]  # from the safety content
    press(bot, health_question, health)
    return question


async def test_invite_join_checkin_adapted_routine_remote_ouch_and_ratings(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        await check_in(bot)
        summary = await until(bot, GIVER, "checked in")
        assert "focus on shoulders; avoid lower back; gentle pressure" in summary["text"]
        remote = await until(bot, RECEIVER, "Your remote")
        assert "Ouch" in str(buttons(remote))

        checklist = await send(bot, GIVER, "/session quick")
        assert "5 steps" in checklist["text"]  # the lower-back step is left out
        await bot.press(checklist, "Start")
        first = await until(bot, GIVER, "Step 1 of 5")
        assert "Pressure: light" in first["text"]
        state = await bot.services.sessions.open_session(GIVER)
        assert state is not None
        techniques = [step.technique for step in state.steps]
        assert "technique.lower-back-circular-friction" not in techniques
        assert sum(step.seconds for step in state.steps) == 300
        kneading = techniques.index("technique.trapezius-kneading")
        assert state.steps[kneading].seconds > state.steps[1].seconds  # a focus step
        assert "Step 1 of 5" in (await edited(bot, remote, "Step 1 of 5"))["text"]

        press(bot, remote, "Lighter")
        press(bot, remote, "Slower")
        relayed = ""
        while "slower" not in relayed:
            relayed += (await until(bot, GIVER, "Sam"))["text"]
        assert "a bit lighter, please" in relayed

        press(bot, remote, "More of this")
        await until(bot, GIVER, "more of this")
        longer = await bot.services.sessions.open_session(GIVER)
        assert longer is not None and longer.steps[0].seconds == state.steps[0].seconds + 30

        press(bot, remote, "Next")
        await until(bot, GIVER, "Step 2 of 5")
        press(bot, remote, "Next")
        await until(bot, GIVER, "Step 3 of 5 · Kneading the trapezius")

        press(bot, remote, "Ouch")
        eased = await until(bot, GIVER, "Ease off")
        assert "gentler stroke" in eased["text"]
        redo = await until(bot, GIVER, "Step 3 of 5")
        assert "Kneading" not in redo["text"].splitlines()[0]
        replaced = await bot.services.sessions.open_session(GIVER)
        assert (
            replaced is not None and replaced.steps[2].technique != "technique.trapezius-kneading"
        )

        press(bot, remote, "Ouch")
        await until(bot, GIVER, "Two ouches")
        assert "Warning signs" in (await until(bot, GIVER, "Warning signs"))["text"]
        assert "Warning signs" in (await until(bot, RECEIVER, "Warning signs"))["text"]
        paused = await bot.services.sessions.open_session(GIVER)
        assert paused is not None and paused.status == "paused"
        await edited(bot, remote, "Paused")

        await bot.say("resume")
        for step in (4, 5):
            press(bot, remote, "Next")
            await until(bot, GIVER, f"Step {step} of 5")
        press(bot, remote, "Next")
        aftercare = await until(bot, GIVER, "How did it go")
        rating = await until(bot, RECEIVER, "How was it for you")
        press(bot, rating, "4⭐")
        assert "⭐⭐⭐⭐" in (await until(bot, GIVER, "rated the session"))["text"]
        await bot.press(aftercare, "5⭐")
        await until(bot, GIVER, "Thanks for rating")


async def toast(bot: RunningBot, query: str) -> str:
    return str(await bot.standin.wait_for_callback_answer(query))


async def test_forged_expired_reused_and_own_links_link_nothing(bot: RunningBot) -> None:
    for parameter in ("p_x", "p_" + "A" * 32, "p_" + "é" * 20):
        reply = await join(bot, parameter)
        assert "doesn't work" in reply["text"]
    parameter = await invite_link(bot)
    own = await send(bot, GIVER, f"/start {parameter}")
    assert "your own invite link" in own["text"]
    assert await bot.services.partner.store.link_of(GIVER) is None
    assert "You're linked" in (await join(bot, parameter))["text"]  # still unused
    question = await until(bot, RECEIVER, "Check-in 1 of 4")
    assert "already linked" in (await join(bot, parameter))["text"]  # tapped twice
    for forged in ("v1:lnc:1:avoid:whole", "v1:lnc:1:pressure:brutal", "v1:lnc:99:focus:lower"):
        query = bot.standin.user_presses(RECEIVER, question["message_id"], forged, strict=False)
        assert "old link" in await toast(bot, query)
    third = await join(bot, parameter, chat=3003)
    assert "already been used" in third["text"]
    assert await bot.services.partner.store.link_of(3003) is None
    link = await bot.services.partner.store.link_of(GIVER)
    assert link is not None and link.receiver_chat_id == RECEIVER
    assert link.prefs.empty

    # The receiver, already linked, opens someone else's link.
    status = await send(bot, 4004, "/partner")
    press(bot, status, "Invite")
    other = await until(bot, 4004, "t.me/")
    found = re.search(r"start=(p_[A-Za-z0-9_-]+)", other["text"])
    assert found is not None
    busy = await join(bot, found[1])
    assert "already linked" in busy["text"]
    assert await bot.services.partner.store.link_of(4004) is None

    # Expired after 24 hours (the clock is the database's note of when).
    await bot.services.storage.execute("UPDATE partner_invites SET expires_at = 0")
    late = await join(bot, found[1], chat=5005)
    assert "expired" in late["text"]
    assert await bot.services.partner.store.link_of(5005) is None


async def test_an_invite_made_during_a_session_expires_when_it_ends(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        checklist = await send(bot, GIVER, "/session quick")
        await bot.press(checklist, "Invite your partner")
        invite = await until(bot, GIVER, "until this session ends")
        found = re.search(r"start=(p_[A-Za-z0-9_-]+)", invite["text"])
        assert found is not None
        await bot.say("stop")
        assert "expired" in (await join(bot, found[1]))["text"]
        assert await bot.services.partner.store.link_of(RECEIVER) is None


async def test_a_yes_to_health_conditions_holds_start_until_the_giver_has_read_it(
    bot: RunningBot,
) -> None:
    await check_in(bot, health="Yes")
    card = await until(bot, GIVER, "Warning signs")
    assert "numbness" in card["text"]
    assert "Warning signs" in (await until(bot, RECEIVER, "Warning signs"))["text"]
    flagged = await until(bot, GIVER, "health conditions applies")
    checklist = await send(bot, GIVER, "/session quick")
    query = await bot.press(checklist, "Start")
    assert "Not yet" in await toast(bot, query)
    held = await until(bot, GIVER, "Not yet")
    state = await bot.services.sessions.open_session(GIVER)
    assert state is not None and state.status == "ready"
    press(bot, held if "read it" in str(buttons(held)) else flagged, "read it")
    await until(bot, GIVER, "You can start")
    await until(bot, RECEIVER, "has read the safety card")
    await bot.press(checklist, "Start")
    assert "Step 1 of 5" in (await until(bot, GIVER, "Step 1 of"))["text"]


async def test_same_as_last_time_change_delete_and_partner_off(bot: RunningBot) -> None:
    await check_in(bot)
    await until(bot, GIVER, "checked in")
    await until(bot, RECEIVER, "Your remote")
    off = await send(bot, GIVER, "/partner off")
    assert "link is ended" in off["text"]
    assert "ended the link" in (await until(bot, RECEIVER, "ended the link"))["text"]
    assert await bot.services.partner.store.link_of(GIVER) is None

    await join(bot, await invite_link(bot))
    joined = await until(bot, GIVER, "joined")
    assert "Last time: focus on shoulders" in joined["text"]
    press(bot, joined, "Same as last time")
    await until(bot, GIVER, "Using last time's preferences")
    question = await until(bot, RECEIVER, "Check-in 4 of 4")
    press(bot, question, "No, none")
    await until(bot, GIVER, "checked in")
    link = await bot.services.partner.store.link_of(GIVER)
    assert link is not None and link.prefs.focus == ("shoulders",)

    await until(bot, RECEIVER, "Your remote")
    status = await send(bot, RECEIVER, "/partner")
    assert "Your check-in: focus on shoulders" in status["text"]
    seen = newest(bot, RECEIVER)
    press(bot, status, "Change my answers")
    again = await until(bot, RECEIVER, "Check-in 1 of 4", after=seen)
    assert "✅ Shoulders" in str(buttons(again))
    press(bot, status, "Delete remembered")
    assert "no longer remember" in (await until(bot, RECEIVER, "Deleted"))["text"]
    assert await bot.services.partner.store.remembered(GIVER, RECEIVER) is None

    press(bot, status, "End the link")
    await until(bot, RECEIVER, "link is ended")
    await until(bot, GIVER, "ended the link")
    query = press(bot, again, "Shoulders")
    assert "old link" in await toast(bot, query)


async def forget(bot: RunningBot, chat: int) -> None:
    bot.standin.user_sends_text(chat, "/forget")
    ask = await until(bot, chat, "Forget this chat")
    press(bot, ask, "Yes, delete")
    await bot.standin.wait_for_edit(chat, ask["message_id"])


async def partner_rows(bot: RunningBot, chat: int) -> int:
    counts = await bot.services.privacy.stored(chat)
    return sum(n for table, n in counts.items() if table.startswith("partner_"))


async def test_forget_from_either_side_deletes_the_link_and_that_sides_data(
    bot: RunningBot,
) -> None:
    await check_in(bot)
    await until(bot, GIVER, "checked in")
    ask = await send(bot, GIVER, "/forget")
    assert "partner" in ask["text"].lower()
    await forget(bot, RECEIVER)
    assert await partner_rows(bot, RECEIVER) == 0
    assert await bot.services.partner.store.link_of(GIVER) is None
    assert await bot.services.partner.store.remembered(GIVER, RECEIVER) is None

    await join(bot, await invite_link(bot))
    await until(bot, GIVER, "joined")
    assert await partner_rows(bot, GIVER) > 0
    await forget(bot, GIVER)
    assert await partner_rows(bot, GIVER) == 0
    assert await partner_rows(bot, RECEIVER) == 0


async def test_a_restart_mid_session_keeps_the_link_and_the_remote(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite3"
    async with running_bot(standin, database, TIME_SCALE="1") as bot:
        await check_in(bot)
        remote = await until(bot, RECEIVER, "Your remote")
        checklist = await send(bot, GIVER, "/session quick")
        await bot.press(checklist, "Start")
        await until(bot, GIVER, "Step 1 of 5")
        await edited(bot, remote, "Step 1 of 5")
    async with running_bot(standin, database, TIME_SCALE="1") as bot:
        press(bot, remote, "Next")
        assert "Step 2 of 5" in (await until(bot, GIVER, "Step 2 of 5"))["text"]
        await edited(bot, remote, "Step 2 of 5")
        press(bot, remote, "Lighter")
        assert "Sam" in (await until(bot, GIVER, "a bit lighter"))["text"]


async def test_a_receiver_who_blocked_the_bot_does_not_break_the_session(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="0.02") as bot:
        await check_in(bot)
        await until(bot, RECEIVER, "Your remote")
        standin.block_chat(RECEIVER)
        checklist = await send(bot, GIVER, "/session quick")
        await bot.press(checklist, "Start")
        await until(bot, GIVER, "can't reach your partner")
        await until(bot, GIVER, "How did it go", timeout=20)
        link = await bot.services.partner.store.link_of(GIVER)
        assert link is not None and link.receiver_gone


async def test_a_health_yes_during_a_session_pauses_it_until_the_card_is_read(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", TIME_SCALE="1") as bot:
        await join(bot, await invite_link(bot))
        question = await until(bot, RECEIVER, "Check-in 1 of 4")
        press(bot, question, "Next")
        press(bot, await edited(bot, question, "Check-in 2 of 4"), "Nothing to avoid")
        press(bot, await edited(bot, question, "Check-in 3 of 4"), "Medium")
        health = await edited(bot, question, "Check-in 4 of 4")
        checklist = await send(bot, GIVER, "/session quick")
        await bot.press(checklist, "Start")
        await until(bot, GIVER, "Step 1 of 6")
        press(bot, health, "Yes")
        await until(bot, GIVER, "Paused with")
        held = await send(bot, GIVER, "resume")
        assert "Not yet" in held["text"]
        state = await bot.services.sessions.open_session(GIVER)
        assert state is not None and state.status == "paused"
        press(bot, held, "read it")
        await until(bot, GIVER, "You can start")
        resumed = await send(bot, GIVER, "resume")
        assert "Carry on" in resumed["text"]
