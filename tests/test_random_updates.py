"""Property test: thousands of random updates through the real Application.

Every text message in a private chat gets exactly one answer, no handler raises, and
nothing a user sends can break the HTML of a reply (the stand-in rejects bad HTML the way
Telegram does, so a broken reply shows up as a failed request).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.menu import COMMANDS
from standin import BotApiStandIn
from tests.support.app import RunningBot, running_bot
from tests.support.botapi import TOKEN

# Any character a phone can send: controls, right-to-left marks, emoji, surrogates excluded.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300)
LONG_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=4000, max_size=10_000
)
MARKUP_TEXT = st.lists(
    st.sampled_from(
        [
            "<b>",
            "</i>",
            "&",
            "&amp;",
            "<a href='x'>",
            "\u202e",
            "\u200f",
            "\x00",
            "\n",
            "shoulder",
            "oil",
            "<",
            ">",
            '"',
            "🙂",
            "pause",
            "stop",
            "/",
        ]
    ),
    min_size=1,
    max_size=30,
).map("".join)
COMMAND_NAMES = [command.name for command in COMMANDS] + ["dance", "start@massage_coach_bot"]
COMMAND_TEXT = st.builds(
    lambda name, args: f"/{name} {args}".strip(),
    st.sampled_from(COMMAND_NAMES),
    st.one_of(st.just(""), ANY_TEXT, MARKUP_TEXT),
)
NON_TEXT_KINDS = ["sticker", "photo", "voice", "location", "document", "video", "contact"]


@dataclass(frozen=True)
class Action:
    """One thing a user does; ``expects_answer`` marks a private text message."""

    kind: str
    text: str = ""
    detail: str = ""

    @property
    def expects_answer(self) -> bool:
        return self.kind in ("private_text", "forwarded") and bool(self.text.strip())


ACTIONS = st.one_of(
    st.builds(Action, st.just("private_text"), st.one_of(ANY_TEXT, MARKUP_TEXT, COMMAND_TEXT)),
    st.builds(Action, st.just("private_text"), LONG_TEXT),
    st.builds(Action, st.just("non_text"), detail=st.sampled_from(NON_TEXT_KINDS)),
    st.builds(Action, st.just("group_text"), st.one_of(ANY_TEXT, COMMAND_TEXT)),
    st.builds(Action, st.just("channel_post"), ANY_TEXT),
    st.builds(Action, st.just("edited"), ANY_TEXT),
    st.builds(Action, st.just("forwarded"), ANY_TEXT),
    st.builds(Action, st.just("button"), detail=st.one_of(st.text(max_size=64), MARKUP_TEXT)),
    st.builds(Action, st.just("inline"), st.one_of(st.just(""), ANY_TEXT)),
)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Harness:
    loop: asyncio.AbstractEventLoop
    standin: BotApiStandIn
    running: RunningBot
    errors: ErrorLog
    chat_ids: Iterator[int]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One stand-in and one running bot for every generated example (starting is slow)."""
    loop = asyncio.new_event_loop()
    database = Path(tmp_path_factory.mktemp("random")) / "bot.sqlite3"
    standin = BotApiStandIn(default_token=TOKEN)
    loop.run_until_complete(standin.start())
    context = running_bot(standin, database)
    running = loop.run_until_complete(context.__aenter__())
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        yield Harness(loop, standin, running, errors, itertools.count(10_000))
    finally:
        logging.getLogger().removeHandler(errors)
        loop.run_until_complete(context.__aexit__(None, None, None))
        loop.run_until_complete(standin.stop())
        loop.close()


def _forwarded(chat_id: int, text: str) -> dict[str, Any]:
    now = int(time.time())
    user = {"id": chat_id, "is_bot": False, "first_name": "Alex"}
    return {
        "message": {
            "message_id": 1,
            "date": now,
            "chat": {"id": chat_id, "type": "private", "first_name": "Alex"},
            "from": user,
            "text": text,
            "forward_origin": {
                "type": "user",
                "date": now - 60,
                "sender_user": {"id": 42, "is_bot": False, "first_name": "Kim"},
            },
        }
    }


def _perform(h: Harness, action: Action, chat_id: int) -> None:
    standin = h.standin
    if action.kind == "private_text":
        standin.user_sends_text(chat_id, action.text, user_id=chat_id)
    elif action.kind == "non_text":
        standin.user_sends(chat_id, action.detail, user_id=chat_id)
    elif action.kind == "group_text":
        standin.user_sends_text(-chat_id, action.text, user_id=chat_id, chat_type="group")
    elif action.kind == "channel_post":
        standin.channel_post(-100 * chat_id, action.text)
    elif action.kind == "edited":
        sent = standin.user_sends_text(chat_id, "hello", user_id=chat_id)
        standin.user_edits_text(chat_id, sent["message_id"], action.text)
    elif action.kind == "forwarded":
        standin.register_chat(chat_id)
        standin.push_update(_forwarded(chat_id, action.text))
    elif action.kind == "button":
        standin.register_chat(chat_id)
        standin.user_presses(chat_id, 1, action.detail or "x", user_id=chat_id, strict=False)
    elif action.kind == "inline":
        standin.user_inline_query(chat_id, action.text)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(actions=st.lists(ACTIONS, min_size=20, max_size=80))
def test_random_updates_get_one_answer_and_never_break(
    harness: Harness, actions: list[Action]
) -> None:
    h = harness
    h.errors.records.clear()
    h.standin.clear_requests()
    chats = [next(h.chat_ids) for _ in actions]
    for action, chat_id in zip(actions, chats, strict=True):
        _perform(h, action, chat_id)
    h.loop.run_until_complete(h.standin.wait_until_idle(timeout=30.0, settle=0.2))

    failed = [r for r in h.standin.requests if not r.ok]
    assert failed == [], [
        (r.method, r.description, r.params.get("text", "")[:200]) for r in failed
    ]
    assert h.errors.records == [], [r.getMessage() for r in h.errors.records]
    for action, chat_id in zip(actions, chats, strict=True):
        if action.expects_answer:
            answers = h.standin.messages(chat_id)
            bot_answers = [m for m in answers if m.get("from", {}).get("is_bot")]
            assert len(bot_answers) == 1, (action, [m.get("text") for m in bot_answers])
