"""The Bot API stand-in, driven by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import signal
import socket
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from standin import BotApiStandIn, Fault
from tests.support import botapi
from tests.support.botapi import BOT_ID, TOKEN, bot_for, polling

standin = botapi.standin  # the fixture

PROJECT_ROOT = str(Path(__file__).resolve().parents[1])
OTHER_TOKEN = "987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3"
CHAT = 4242
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Start", callback_data="go"),
            InlineKeyboardButton("Stop", callback_data="stop"),
        ]
    ]
)


def lowered(exc: BaseException) -> str:
    return str(exc).lower()


def make_app(
    server: BotApiStandIn, token: str = TOKEN
) -> Application[Any, Any, Any, Any, Any, Any]:
    return Application.builder().token(token).base_url(server.base_url).build()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- basics -------------------------------------------------------------------------------------


async def test_get_me(standin: BotApiStandIn) -> None:
    async with bot_for(standin) as bot:
        me = await bot.get_me()
    assert me.id == BOT_ID
    assert me.is_bot
    assert me.first_name == "Massage Coach"
    assert me.username == "massage_coach_bot"
    assert me.can_join_groups
    assert me.supports_inline_queries
    assert standin.base_url == f"http://127.0.0.1:{standin.port}/bot"


async def test_tokens_methods_and_encodings(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    base = standin.base_url
    async with httpx.AsyncClient() as client:
        bad = await client.post(f"{base}not-a-token/getMe")
        assert bad.status_code == 401
        assert bad.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        unknown = await client.post(f"{base}{TOKEN}/getSomethingElse")
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        # method names are case-insensitive; GET with a query string works
        me = await client.get(f"{base}{TOKEN}/GETME")
        assert me.status_code == 200
        assert me.json()["result"]["username"] == "massage_coach_bot"
        # form (PTB style: non-strings JSON-encoded), JSON body, and query string
        markup = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]})
        form = await client.post(
            f"{base}{TOKEN}/sendmessage",
            data={"chat_id": str(CHAT), "text": "form", "reply_markup": markup},
        )
        as_json = await client.post(
            f"{base}{TOKEN}/sendMessage",
            json={"chat_id": CHAT, "text": "json", "disable_notification": True},
        )
        query = await client.get(
            f"{base}{TOKEN}/sendMessage", params={"chat_id": CHAT, "text": "q"}
        )
        for answer in (form, as_json, query):
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith("application/json")
        assert form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"
        # multipart with a file
        photo = await client.post(
            f"{base}{TOKEN}/sendPhoto",
            data={"chat_id": str(CHAT), "caption": "<i>look</i>", "parse_mode": "HTML"},
            files={"photo": ("back.png", b"\x89PNG fake", "image/png")},
        )
        assert photo.status_code == 200, photo.text
        assert photo.json()["result"]["caption"] == "look"
    # the per-chat message ids are shared and increasing
    ids = [m["message_id"] for m in standin.messages(CHAT)]
    assert ids == [1, 2, 3, 4]
    assert [r.disable_notification for r in standin.sent] == [False, True, False, False]
    with pytest.raises(InvalidToken):
        async with bot_for(standin, token="123:short"):
            pass


# -- sending and its errors ----------------------------------------------------------------------


async def test_send_message_round_trip(standin: BotApiStandIn) -> None:
    standin.user_sends_text(CHAT, "hi")
    async with bot_for(standin) as bot:
        sent = await bot.send_message(
            CHAT,
            "<b>Knead</b> gently &lt;3 — see https://example.org",
            parse_mode="HTML",
            reply_markup=KEYBOARD,
            disable_notification=True,
        )
        second = await bot.send_message(CHAT, "second", reply_to_message_id=sent.message_id)
    assert sent.text == "Knead gently <3 — see https://example.org"
    assert sent.message_id == 2  # the user's message was 1
    assert sent.from_user is not None and sent.from_user.id == BOT_ID
    assert sent.chat.first_name == "Alex"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5),
        ("url", 22, 19),
    ]
    assert sent.reply_markup == KEYBOARD
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == sent.message_id

    first = await standin.wait_for_message(CHAT)
    assert first["text"] == sent.text
    assert (await standin.wait_for_message(CHAT))["text"] == "second"
    record = standin.sent[0]
    assert record.method == "sendMessage"
    assert record.chat_id == CHAT
    assert record.message_id == 2
    assert record.text == "<b>Knead</b> gently &lt;3 — see https://example.org"
    assert record.parse_mode == "HTML"
    assert record.disable_notification is True
    assert record.reply_markup == KEYBOARD.to_dict()
    assert abs(record.wall_time - time.time()) < 5
    assert record.mono_time <= time.monotonic()
    assert [m["text"] for m in standin.messages(CHAT)] == [sent.text, "second"]
    assert [r.method for r in standin.requests] == ["getMe", "sendMessage", "sendMessage"]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<b>unclosed", 'can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<blink>x</blink>", 'unsupported start tag "blink" at byte offset 0'),
        ("<b>x</i>", 'unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ('<span class="x">y</span>', 'tag "span" must have class "tg-spoiler"'),
        ("Tom & Jerry", 'character "&" at byte offset 4 must be escaped'),
        ("&nbsp;", 'character "&" at byte offset 0 must be escaped'),
    ],
)
async def test_html_parse_errors(standin: BotApiStandIn, text: str, detail: str) -> None:
    standin.register_chat(CHAT)
    async with bot_for(standin) as bot:
        with pytest.raises(BadRequest) as caught:
            await bot.send_message(CHAT, text, parse_mode="HTML")
    assert "can't parse entities" in lowered(caught.value)
    description = standin.requests[-1].description
    assert description is not None
    assert description.startswith("Bad Request: can't parse entities: ")
    assert detail in description.lower()
    assert standin.sent == []


async def test_html_valid_markup_and_strictness_switch(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    html = (
        '<b>bold <i>both</i></b> <tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">t</span> '
        '<a href="https://example.com">link</a> <code>c</code> &quot;&#128512;&#x41;&amp;&gt;\n'
        '<pre><code class="language-python">print(1)</code></pre>\n'
        "<blockquote expandable>quote</blockquote>"
    )
    async with bot_for(standin) as bot:
        message = await bot.send_message(CHAT, html, parse_mode="HTML")
        assert message.text == 'bold both s t link c "😀A&>\nprint(1)\nquote'
        kinds = {e.type: e for e in message.entities}
        assert kinds["pre"].language == "python"
        assert kinds["text_link"].url == "https://example.com/"
        assert {"bold", "italic", "spoiler", "code", "expandable_blockquote"} <= set(kinds)
        # the emoji counts two UTF-16 code units
        assert kinds["pre"].offset == len('bold both s t link c "') + 2 + 3 + 1
        standin.strict_html_entities = False  # real Telegram passes a bare "&" through
        lenient = await bot.send_message(CHAT, "Tom & Jerry &nbsp;", parse_mode="HTML")
        assert lenient.text == "Tom & Jerry &nbsp;"


async def test_markdown_modes(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    async with bot_for(standin) as bot:
        v2 = await bot.send_message(
            CHAT,
            "*bold* _it_ __u__ ~s~ ||sp|| `c` [l](https://example.com) 1\\.5",
            parse_mode="MarkdownV2",
        )
        assert v2.text == "bold it u s sp c l 1.5"
        assert [e.type for e in v2.entities] == [
            "bold",
            "italic",
            "underline",
            "strikethrough",
            "spoiler",
            "code",
            "text_link",
        ]
        with pytest.raises(BadRequest, match=r"(?i)character '.' is reserved"):
            await bot.send_message(CHAT, "Done.", parse_mode="MarkdownV2")
        with pytest.raises(
            BadRequest, match=r"(?i)can't find end of bold entity at byte offset 0$"
        ):
            await bot.send_message(CHAT, "*open", parse_mode="MarkdownV2")
        legacy = await bot.send_message(CHAT, "*b* _i_ `c`", parse_mode="Markdown")
        assert legacy.text == "b i c"
        with pytest.raises(BadRequest, match=r"(?i)can't find end of the entity starting at byte"):
            await bot.send_message(CHAT, "snake_case", parse_mode="Markdown")
        with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
            await bot.send_message(CHAT, "x", parse_mode="Textile")


async def test_text_length_and_empty(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    async with bot_for(standin) as bot:
        ok = await bot.send_message(CHAT, "a" * 4096)
        assert len(ok.text or "") == 4096
        tagged = await bot.send_message(CHAT, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
        assert len(tagged.text or "") == 4096  # tags do not count
        with pytest.raises(BadRequest, match=r"(?i)^message is too long$"):
            await bot.send_message(CHAT, "a" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)^message is too long$"):
            await bot.send_message(CHAT, "<i>" + "&amp;" * 4097 + "</i>", parse_mode="HTML")
        for empty in (" \n ", ""):
            with pytest.raises(BadRequest, match=r"(?i)^message text is empty$"):
                await bot.send_message(CHAT, empty)
        with pytest.raises(BadRequest, match=r"(?i)^message text is empty$"):
            await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    assert standin.requests[-1].description == "Bad Request: message text is empty"
    trimmed = await standin.wait_for_message(CHAT, predicate=lambda m: m["text"].startswith("a"))
    assert len(trimmed["text"]) == 4096


async def test_edits_and_deletes(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    async with bot_for(standin) as bot:
        sent = await bot.send_message(CHAT, "step 1", reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match=r"(?i)^message is not modified: specified new"):
            await bot.edit_message_text("step 1", CHAT, sent.message_id, reply_markup=KEYBOARD)
        assert standin.requests[-1].description == (
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message"
        )
        # same text without reply_markup removes the keyboard: that is a modification
        edited = await bot.edit_message_text("step 1", CHAT, sent.message_id)
        assert not isinstance(edited, bool)
        assert edited.reply_markup is None
        assert edited.edit_date is not None
        edited = await bot.edit_message_text(
            "<b>step 2</b>", CHAT, sent.message_id, parse_mode="HTML"
        )
        assert not isinstance(edited, bool)
        assert edited.text == "step 2"
        markup_only = await bot.edit_message_reply_markup(
            CHAT, sent.message_id, reply_markup=KEYBOARD
        )
        assert not isinstance(markup_only, bool)
        with pytest.raises(BadRequest, match=r"(?i)^message is not modified"):
            await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match=r"(?i)^message to edit not found$"):
            await bot.edit_message_text("x", CHAT, 999)
        with pytest.raises(BadRequest, match=r"(?i)^inline keyboard expected$"):
            await bot.edit_message_text(
                "x", CHAT, sent.message_id, reply_markup=ReplyKeyboardMarkup([["a"]])
            )
        assert await bot.delete_message(CHAT, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)^message to delete not found$"):
            await bot.delete_message(CHAT, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)^message to edit not found$"):
            await bot.edit_message_text("gone", CHAT, sent.message_id)
    first = await standin.wait_for_edit(CHAT, sent.message_id)
    assert first["text"] == "step 1" and "reply_markup" not in first
    assert (await standin.wait_for_edit(CHAT, sent.message_id))["text"] == "step 2"
    third = await standin.wait_for_edit(CHAT, sent.message_id)
    assert third["reply_markup"] == KEYBOARD.to_dict()
    assert [r.method for r in standin.sent] == [
        "sendMessage",
        "editMessageText",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    assert standin.messages(CHAT) == []
    assert standin.deletions[0][1:] == (CHAT, sent.message_id)


async def test_button_data_too_long(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])
    async with bot_for(standin) as bot:
        await bot.send_message(CHAT, "fits", reply_markup=ok)
        with pytest.raises(BadRequest, match=r"(?i)^button_data_invalid$"):
            await bot.send_message(CHAT, "66 bytes", reply_markup=too_long)
    assert standin.requests[-1].description == "Bad Request: BUTTON_DATA_INVALID"


async def test_chat_not_found_and_switch(standin: BotApiStandIn) -> None:
    async with bot_for(standin) as bot:
        with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
            await bot.send_message(777, "hello?")
        with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
            await bot.send_chat_action(777, "typing")
        standin.check_chats = False
        message = await bot.send_message(777, "hello!")
        assert message.chat.id == 777
        assert message.message_id == 1


async def test_blocked_chat_is_forbidden(standin: BotApiStandIn) -> None:
    standin.user_sends_text(CHAT, "/start")
    standin.block_chat(CHAT)
    async with bot_for(standin) as bot:
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(CHAT, "still there?")
        assert standin.requests[-1].status == 403
        assert standin.requests[-1].description == "Forbidden: bot was blocked by the user"
        standin.unblock_chat(CHAT)
        await bot.send_message(CHAT, "welcome back")


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # int vs. timedelta transition warning in PTB 22
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_flood_control_answers_429(
    standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns (an error under filterwarnings=error) when it builds RetryAfter unless
    # it may use timedelta already.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    standin.register_chat(CHAT)
    standin.register_chat(CHAT + 1)
    async with bot_for(standin) as bot:
        for _ in range(5):  # off by default
            await bot.send_message(CHAT, "burst")
        standin.flood_limits(per_chat_per_second=2, overall_per_second=30, retry_after=7)
        await bot.send_message(CHAT, "one")
        await bot.send_message(CHAT, "two")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "three")
        assert retry_seconds(caught.value) == 7
        await bot.send_message(CHAT + 1, "other chats are not limited")
        assert standin.requests[-2].status == 429
        assert standin.requests[-2].description == "Too Many Requests: retry after 7"
        # the chat stays blocked for retry_after seconds, edits count too
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("edit", CHAT, 1)
        # overall limit with the wait computed from the sliding window
        standin.flood_limits(per_chat_per_second=None, overall_per_second=3)
        for _ in range(3):
            await bot.send_message(CHAT + 1, "x")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "y")
        assert retry_seconds(caught.value) == 1
        standin.disable_flood_limits()
        await bot.send_message(CHAT, "free again")
    async with httpx.AsyncClient() as client:
        standin.flood_limits(per_chat_per_second=0, retry_after=4)
        raw = await client.post(
            f"{standin.base_url}{TOKEN}/sendMessage", data={"chat_id": str(CHAT), "text": "x"}
        )
    assert raw.status_code == 429
    assert raw.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 4",
        "parameters": {"retry_after": 4},
    }


# -- updates through a real Application -------------------------------------------------------


async def test_application_echo_via_polling(standin: BotApiStandIn) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_chat_action(update.effective_chat.id, "typing")
        assert update.message is not None
        await update.message.reply_text(f"welcome {update.message.from_user.first_name}")  # type: ignore[union-attr]

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper())

    app = make_app(standin)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with polling(app):
        standin.user_sends_text(CHAT, "/start@massage_coach_bot", first_name="Dana")
        standin.user_sends_text(CHAT, "hello")
        standin.user_sends_text(CHAT, "second")
        assert (await standin.wait_for_message(CHAT))["text"] == "welcome Dana"
        assert (await standin.wait_for_message(CHAT))["text"] == "HELLO"
        assert (await standin.wait_for_message(CHAT))["text"] == "SECOND"
        action = await standin.wait_for_chat_action(CHAT)
        assert action.action == "typing"
        await standin.wait_until_idle()
        assert standin.pending_updates() == []
    # the message ids of user and bot messages interleave in one counter per chat
    assert [m["message_id"] for m in standin.messages(CHAT)] == [4, 5, 6]
    assert not any(r.status == 409 for r in standin.requests)


async def test_callback_query_round_trip(standin: BotApiStandIn) -> None:
    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Pick one", reply_markup=KEYBOARD)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"you chose {query.data}")
        await query.edit_message_text(f"Chosen: {query.data}")

    app = make_app(standin)
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(pressed))
    async with polling(app):
        standin.user_sends_text(CHAT, "/menu")
        menu_message = await standin.wait_for_message(CHAT)
        with pytest.raises(LookupError):
            standin.user_presses(CHAT, menu_message["message_id"], "not-a-button")
        query_id = standin.user_presses(CHAT, menu_message["message_id"], "go")
        answer = await standin.wait_for_callback_answer(query_id)
        assert answer["text"] == "you chose go"
        assert answer["show_alert"] is False
        edited = await standin.wait_for_edit(CHAT, menu_message["message_id"])
        assert edited["text"] == "Chosen: go"
        assert "reply_markup" not in edited
    async with bot_for(standin) as bot:
        with pytest.raises(BadRequest, match=r"(?i)^query is too old and response timeout"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=r"(?i)^query is too old"):
            await bot.answer_callback_query("12345")
    assert standin.requests[-1].description == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


async def test_inline_query_answer(standin: BotApiStandIn) -> None:
    async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.inline_query is not None
        await update.inline_query.answer(
            [
                InlineQueryResultArticle(
                    "1", "Neck", InputTextMessageContent(f"Tip: {update.inline_query.query}")
                )
            ],
            cache_time=0,
        )

    app = make_app(standin)
    app.add_handler(InlineQueryHandler(inline))
    async with polling(app):
        query_id = standin.user_inline_query(CHAT, "neck")
        answer = await standin.wait_for_inline_answer(query_id)
    assert answer["results"][0]["id"] == "1"
    assert answer["results"][0]["input_message_content"]["message_text"] == "Tip: neck"
    assert answer["cache_time"] == 0


async def test_user_side_payloads_decode_in_ptb(standin: BotApiStandIn) -> None:
    async with bot_for(standin) as bot:
        for kind in ("sticker", "photo", "voice", "location", "document", "video", "contact"):
            standin.user_sends(CHAT, kind)
        standin.user_sends(CHAT, "photo", caption="my #back")
        text = standin.user_sends_text(
            -100123, "/help@massage_coach_bot now", chat_type="supergroup", user_id=7
        )
        standin.user_edits_text(-100123, text["message_id"], "/help later")
        standin.channel_post(-100999, "news")
        update_id = standin.push_update({"my_chat_member": {"bogus": True}})
        updates = await bot.get_updates(limit=100)
        assert updates[0].message is not None and updates[0].message.sticker is not None
        assert updates[1].message is not None and updates[1].message.photo
        assert updates[2].message is not None and updates[2].message.voice is not None
        assert updates[3].message is not None and updates[3].message.location is not None
        assert updates[4].message is not None and updates[4].message.document is not None
        assert updates[7].message is not None and updates[7].message.caption == "my #back"
        group = updates[8].message
        assert group is not None and group.chat.type == "supergroup"
        assert group.from_user is not None and group.from_user.id == 7
        assert group.entities[0].type == "bot_command" and group.entities[0].length == 23
        assert updates[9].edited_message is not None
        assert updates[10].channel_post is not None
        assert updates[-1].update_id == update_id
        # offset confirms; limit caps
        rest = await bot.get_updates(offset=updates[5].update_id, limit=2)
        assert [u.update_id for u in rest] == [updates[5].update_id, updates[6].update_id]
        assert len(standin.pending_updates()) == len(updates) - 5
        await bot.get_updates(offset=update_id + 1, timeout=0)
        assert standin.pending_updates() == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(standin: BotApiStandIn) -> None:
    async with bot_for(standin) as bot:
        began = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=10))
        await asyncio.sleep(0.2)
        # other requests are not blocked by the long poll
        async with bot_for(standin) as other:
            await other.get_me()
        standin.user_sends_text(CHAT, "wake up")
        updates = await poll
        assert time.monotonic() - began < 3
        assert updates[0].message is not None and updates[0].message.text == "wake up"
        began = time.monotonic()
        assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=1) == ()
        assert 0.9 < time.monotonic() - began < 3


async def test_concurrent_get_updates_conflict(standin: BotApiStandIn) -> None:
    async with bot_for(standin) as first, bot_for(standin) as second:
        older = asyncio.create_task(first.get_updates(timeout=10))
        await asyncio.sleep(0.2)
        newer = asyncio.create_task(second.get_updates(timeout=10))
        with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
            await older
        standin.user_sends_text(CHAT, "for the newer one")
        updates = await newer
        assert updates[0].message is not None
    conflict = [r for r in standin.requests if r.status == 409]
    assert conflict[0].description == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
        "is running"
    )


async def test_webhook_blocks_get_updates(standin: BotApiStandIn) -> None:
    standin.deliver_webhooks = False
    async with bot_for(standin) as bot:
        standin.user_sends_text(CHAT, "queued")
        assert await bot.set_webhook("https://bot.example.com/hook", secret_token="s3cr3t")
        assert standin.requests[-1].result is True
        info = await bot.get_webhook_info()
        assert info.url == "https://bot.example.com/hook"
        assert info.pending_update_count == 1
        with pytest.raises(
            Conflict, match=r"(?i)can't use getupdates method while webhook is active"
        ):
            await bot.get_updates()
        assert standin.requests[-1].description == (
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first"
        )
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates(timeout=0) == ()


async def test_webhook_delivery_to_ptb_webhook_server(standin: BotApiStandIn) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text("via webhook: " + update.message.text)

    app = make_app(standin)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    port = free_port()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="Sekr3t_token",
        )
        try:
            standin.user_sends_text(CHAT, "ping")
            reply = await standin.wait_for_message(CHAT)
            assert reply["text"] == "via webhook: ping"
            await standin.wait_until_idle()
            info = standin.webhook_info()
            assert info["url"] == f"http://127.0.0.1:{port}/hook"
            assert "last_error_message" not in info
        finally:
            await app.updater.stop()
            await app.stop()


# -- faults, concurrency, misc ------------------------------------------------------------------


async def test_fault_injection(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    async with bot_for(standin) as bot:
        standin.set_fault(lambda method, params: 502 if method == "sendMessage" else None)
        with pytest.raises(NetworkError, match=r"Bad Gateway"):
            await bot.send_message(CHAT, "lost")
        assert standin.sent == []
        await bot.get_me()  # other methods untouched
        standin.set_fault(lambda method, params: Fault.api_error(500, "Internal Server Error"))
        with pytest.raises(NetworkError, match=r"Internal Server Error"):
            await bot.get_me()
        # the response is lost after Telegram processed the request: a retry duplicates
        standin.set_fault(lambda method, params: Fault.http(504, after_processing=True))
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "sent but unconfirmed")
        assert [m["text"] for m in standin.messages(CHAT)] == ["sent but unconfirmed"]
        standin.set_fault(lambda method, params: Fault.disconnect())
        with pytest.raises(NetworkError):
            await bot.get_me()
        standin.set_fault(lambda method, params: 0.3)
        began = time.monotonic()
        await bot.send_message(CHAT, "slow")
        assert time.monotonic() - began >= 0.3
        standin.set_fault(None)
    slow_bot = Bot(TOKEN, base_url=standin.base_url, request=HTTPXRequest(read_timeout=0.2))
    async with slow_bot:
        standin.set_fault(lambda method, params: 2.0 if method == "sendMessage" else None)
        with pytest.raises(TimedOut):
            await slow_bot.send_message(CHAT, "never processed")
        standin.set_fault(None)
        await standin.wait_for_request("sendMessage", predicate=lambda r: r.status == 499)
    assert [m["text"] for m in standin.messages(CHAT)] == ["sent but unconfirmed", "slow"]


async def test_many_concurrent_connections(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    limits = httpx.Limits(max_connections=60)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        poll = asyncio.create_task(
            client.post(f"{standin.base_url}{TOKEN}/getUpdates", data={"timeout": "5"})
        )
        replies = await asyncio.gather(
            *(
                client.post(
                    f"{standin.base_url}{TOKEN}/sendMessage",
                    data={"chat_id": str(CHAT), "text": f"m{i}"},
                )
                for i in range(50)
            )
        )
        assert all(r.status_code == 200 for r in replies)
        assert not poll.done()
        standin.user_sends_text(CHAT, "done")
        assert (await poll).json()["result"][0]["message"]["text"] == "done"
    ids = sorted(r.json()["result"]["message_id"] for r in replies)
    assert ids == list(range(1, 51))


async def test_commands_descriptions_menu(standin: BotApiStandIn) -> None:
    async with bot_for(standin) as bot:
        await bot.set_my_commands([("start", "Begin"), ("help", "How it works")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
        await bot.set_my_commands([("start", "Los")], language_code="de")
        assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Los"]
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([("Start!", "bad")])
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        await bot.set_my_description("Teaches a good back massage")
        await bot.set_my_short_description("Back massage coach")
        assert (await bot.get_my_description()).description == "Teaches a good back massage"
        assert (await bot.get_my_short_description()).short_description == "Back massage coach"
        assert await bot.set_chat_menu_button()
        assert await bot.log_out()
        assert await bot.close()
    assert standin.commands(language_code="de") == [{"command": "start", "description": "Los"}]


async def test_wait_for_message_timeout_explains(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    async with bot_for(standin) as bot:
        await bot.send_message(CHAT, "only one")
        with pytest.raises(BadRequest):
            await bot.send_message(CHAT, "<b>", parse_mode="HTML")
    await standin.wait_for_message(CHAT)
    with pytest.raises(AssertionError) as caught:
        await standin.wait_for_message(CHAT, timeout=0.1)
    text = str(caught.value)
    assert "only one" in text and "already returned" in text
    assert "can't parse entities" in text
    with pytest.raises(AssertionError, match=r"not idle"):
        standin.user_sends_text(CHAT, "nobody polls")
        await standin.wait_until_idle(timeout=0.2)


async def test_two_bots_are_separate(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    standin.user_sends_text(CHAT, "for the default bot")
    async with bot_for(standin) as bot, bot_for(standin, token=OTHER_TOKEN) as other:
        assert (await other.get_me()).id == 987654321
        assert await other.get_updates() == ()
        assert len(await bot.get_updates()) == 1
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await other.send_message(CHAT, "unknown to this bot")


async def test_control_api(standin: BotApiStandIn) -> None:
    async with httpx.AsyncClient() as client:
        base = f"http://127.0.0.1:{standin.port}/standin"
        sent = await client.post(
            f"{base}/user_sends_text", json={"chat_id": CHAT, "text": "/start"}
        )
        assert sent.json()["result"]["text"] == "/start"
        bad = await client.post(
            f"{base}/user_presses", json={"chat_id": CHAT, "message_id": 9, "callback_data": "x"}
        )
        assert bad.status_code == 400
        listing = await client.get(f"{base}/updates")
        assert listing.json()["result"][0]["message"]["text"] == "/start"
        assert (await client.post(f"{base}/stop_everything", json={})).status_code == 404


async def test_standalone_command_line() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "standin",
        "--port",
        "0",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        base_url = line.decode().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        async with Bot(TOKEN, base_url=base_url) as bot:
            assert (await bot.get_me()).username == "massage_coach_bot"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()


async def test_stop_ends_waiting_long_polls_cleanly() -> None:
    server = BotApiStandIn(default_token=TOKEN)
    await server.start()
    async with bot_for(server) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.2)
        began = time.monotonic()
        await server.stop()
        assert await poll == ()
        assert time.monotonic() - began < 3
    assert not server.running


async def test_wait_for_message_predicate_keeps_skipped_messages(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    async with bot_for(standin) as bot:
        await bot.send_message(CHAT, "first")
        await bot.send_message(CHAT, "second")
    second = await standin.wait_for_message(CHAT, predicate=lambda m: m["text"] == "second")
    assert second["message_id"] == 2
    assert (await standin.wait_for_message(CHAT))["text"] == "first"
    with pytest.raises(AssertionError, match="no new bot message in chat"):
        await standin.wait_for_message(CHAT, timeout=0.05)
