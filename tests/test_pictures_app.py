"""Pictures through the real Application against the stand-in: upload once, reuse the file id,
survive refused ids and failed uploads, and go with session steps and /techniques browsing."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot import callbacks as cb
from bot.messaging import Button, Reply
from bot.pictures import book as book_module
from bot.pictures.store import file_id_of, remember_file_id
from handlers.pictures import send_reply
from standin.faults import Fault
from standin.records import RequestRecord, Upload
from standin.server import BotApiStandIn
from standin.terminal import render_message
from tests.support.app import RunningBot, buttons, running_bot

JSONDict = dict[str, Any]
QUESTION = "how do I do heel of hand circles"
TECHNIQUE = "technique.heel-of-hand-effleurage"


def _photo_sends(standin: BotApiStandIn) -> list[RequestRecord]:
    return [r for r in standin.requests if r.method == "sendPhoto"]


def _uploaded(record: RequestRecord) -> bool:
    return isinstance(record.params.get("photo"), Upload)


async def _kept(bot: RunningBot, digest: str, but_not: str | None = None) -> str | None:
    """The file id kept for ``digest`` once the bot has stored it (it does so after Telegram
    answered, so a moment after the message shows up here)."""
    for _ in range(250):
        kept = await file_id_of(bot.services.storage, digest)
        if kept is not None and kept != but_not:
            return kept
        await asyncio.sleep(0.02)
    return await file_id_of(bot.services.storage, digest)


async def _digest(bot: RunningBot, entry_id: str = TECHNIQUE) -> str:
    picture = await bot.services.pictures.picture(entry_id)
    assert picture is not None
    return picture.digest


async def test_a_card_comes_with_its_picture_uploaded_once_then_by_file_id(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", PICTURES="on") as bot:
        first = await bot.say(QUESTION)
        assert "photo" in first and "Heel-of-hand effleurage" in first["caption"]
        assert buttons(first), "the card's buttons ride on the photo"
        [upload] = _photo_sends(standin)
        assert _uploaded(upload) and upload.ok
        png = upload.params["photo"].data
        assert Image.open(io.BytesIO(png)).width >= 800
        kept = await _kept(bot, await _digest(bot))
        assert kept == first["photo"][-1]["file_id"]

        second = await bot.say(QUESTION)
        assert second["caption"] == first["caption"]
        reuse = _photo_sends(standin)[-1]
        assert reuse.params["photo"] == kept, "sent by the kept file id, not uploaded again"
        assert bot.services.pictures.uploads == 1


async def test_a_refused_file_id_is_dropped_and_the_picture_uploaded_again(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", PICTURES="on") as bot:
        digest = await _digest(bot)
        await remember_file_id(bot.services.storage, digest, "AgAC-from-another-bot")

        def refuse_stale(method: str, params: JSONDict) -> Fault | None:
            if method == "sendPhoto" and params.get("photo") == "AgAC-from-another-bot":
                return Fault.api_error(
                    400, "Bad Request: wrong file identifier/HTTP URL specified"
                )
            return None

        standin.set_fault(refuse_stale)
        card = await bot.say(QUESTION)
        assert "photo" in card and buttons(card)
        sends = _photo_sends(standin)
        assert [_uploaded(r) for r in sends] == [False, True]
        fresh = await _kept(bot, digest, but_not="AgAC-from-another-bot")
        assert fresh == card["photo"][-1]["file_id"] != "AgAC-from-another-bot"


async def test_a_failed_upload_still_delivers_the_card_and_is_tried_again_later(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", PICTURES="on") as bot:
        # (A 502/503/504 from the proxy is first retried by the transport, then ends the same.)
        for fault in (
            Fault.api_error(500, "Internal Server Error"),
            Fault.api_error(429, "Too Many Requests: retry after 1", retry_after=1),
        ):
            standin.set_fault(lambda method, _, f=fault: f if method == "sendPhoto" else None)
            card = await bot.say(QUESTION)
            assert "Heel-of-hand effleurage" in card["text"], "the card, without its picture"
            assert buttons(card)
        assert await file_id_of(bot.services.storage, await _digest(bot)) is None

        standin.set_fault(None)
        card = await bot.say(QUESTION)
        assert "photo" in card
        assert await _kept(bot, await _digest(bot)) == card["photo"][-1]["file_id"]


async def test_a_card_too_long_for_a_caption_comes_after_its_picture(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", PICTURES="on") as bot:
        await bot.say("/start")  # the chat exists once the person has written
        long_card = Reply(
            "<b>Heel</b>\n" + "Slow circles, in from the side. " * 40,
            buttons=((Button("➡️ More", cb.OpenEntry("technique.thumb-strips")),),),
            picture=TECHNIQUE,
        )
        last = await send_reply(bot.app.bot, bot.chat_id, long_card, bot.services.pictures)
        photo = await bot.next_message()
        text = await bot.next_message()
        assert "photo" in photo and photo["caption"] == "Heel-of-hand effleurage"
        assert not buttons(photo)
        assert text["text"].startswith("Heel\nSlow circles") and buttons(text)
        assert last.message_id == text["message_id"]


async def _practice(bot: RunningBot) -> JSONDict:
    menu = await bot.say("/session")
    bot.standin.user_presses(
        bot.chat_id, menu["message_id"], cb.SessionPractice(TECHNIQUE).data(), strict=False
    )
    checklist = await bot.next_message()
    await bot.press(checklist, "Start")
    return await bot.next_message()


async def test_a_step_shows_its_picture_without_waiting_for_an_upload(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite3"
    async with running_bot(standin, database, PICTURES="on", TIME_SCALE="1") as bot:
        # Never uploaded: the step's text goes at once, the picture right after it.
        step = await _practice(bot)
        assert step["text"].startswith("Step 1 of 1") and buttons(step)
        picture = await standin.wait_for_message(bot.chat_id, predicate=lambda m: "photo" in m)
        assert picture["caption"] == "Heel-of-hand effleurage"
        assert picture["message_id"] > step["message_id"]
        await bot.say("stop")

    async with running_bot(standin, database, PICTURES="on", TIME_SCALE="1") as bot:
        # Uploaded before: one message, the picture captioned with the step, the buttons on it.
        step = await _practice(bot)
        assert "photo" in step and step["caption"].startswith("Step 1 of 1")
        assert buttons(step)
        assert not _uploaded(_photo_sends(standin)[-1])


async def test_browsing_to_a_technique_shows_its_picture(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", PICTURES="on") as bot:
        menu = await bot.say("/techniques")
        await bot.press(menu, "Lower back")
        section = await standin.wait_for_edit(bot.chat_id, menu["message_id"])
        await bot.press(section, "Thumb strips")
        # A text menu cannot turn into a photo: the card and its picture come as a new message.
        card = await bot.next_message()
        assert "photo" in card and card["caption"].startswith("Thumb strips")
        await bot.press(card, "⬅️ Back")
        back = await bot.next_message()
        assert "Thumb strips" in [b["text"] for b in buttons(back)]


def test_the_terminal_chat_shows_a_photo_as_its_title_and_caption() -> None:
    message = {"photo": [{"file_id": "x"}], "caption": "Heel\nSmall circles."}
    shown = render_message(message, "coach", "Heel-of-hand effleurage")
    assert shown.splitlines()[:2] == ["coach: [picture: Heel-of-hand effleurage]", "       Heel"]
    assert render_message({"photo": [], "caption": "Heel"}, "coach").startswith(
        "coach: [picture: Heel]"
    )


async def test_a_picture_that_cannot_be_drawn_costs_only_the_picture(
    standin: BotApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> bytes:
        raise ValueError("a drawing bug")

    monkeypatch.setattr(book_module, "draw_picture", broken)
    async with running_bot(standin, tmp_path / "db.sqlite3", PICTURES="on") as bot:
        card = await bot.say(QUESTION)
        assert card["text"].startswith("Heel-of-hand effleurage") and buttons(card)
        assert not _photo_sends(standin)


async def test_inline_mode_offers_the_uploaded_picture_of_a_technique(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "db.sqlite3", PICTURES="on") as bot:
        before = await standin.wait_for_inline_answer(
            standin.user_inline_query(bot.chat_id, "heel of hand circles")
        )
        assert before["results"][0]["type"] == "article", "never uploaded: the card as text"
        card = await bot.say(QUESTION)
        file_id = await _kept(bot, await _digest(bot))
        assert file_id == card["photo"][-1]["file_id"]
        after = await standin.wait_for_inline_answer(
            standin.user_inline_query(bot.chat_id, "heel of hand circles")
        )
        first = after["results"][0]
        assert first["type"] == "photo" and first["photo_file_id"] == file_id
        assert first["caption"].startswith("<b>Heel-of-hand effleurage</b>")
