"""Waiting for and inspecting what the bot did: messages, edits, answers, requests, idleness."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import TypeVar

from standin.calls import wait_event
from standin.core import StandInCore
from standin.protocol import SEND_METHODS, JSONDict
from standin.records import ChatActionRecord, RequestRecord
from standin.state import describe_webhook, scope_key

_T = TypeVar("_T")


class Waiting(StandInCore):
    """What tests await and inspect: the bot's messages, edits, answers, requests, idleness."""

    async def _wait_for(
        self,
        find: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(describe())
            await wait_event(self._changed, remaining)

    def _failed_requests_text(self, chat_id: int | None = None, limit: int = 5) -> str:
        failed = [
            r
            for r in self.requests
            if not r.ok and (chat_id is None or r.params.get("chat_id") == chat_id)
        ][-limit:]
        if not failed:
            return ""
        lines = [f"  {r.method} -> {r.status} {r.description}" for r in failed]
        return "\nfailed requests:\n" + "\n".join(lines)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[JSONDict], bool] | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """The next message the bot sent to ``chat_id`` that no earlier call returned (the
        Message object as sent). Non-matching messages stay available to later calls."""

        def find() -> JSONDict | None:
            for record in self.sent:
                if (
                    record.method in SEND_METHODS
                    and record.chat_id == chat_id
                    and record.seq not in self._returned_messages
                    and (token is None or record.token == token)
                    and record.message is not None
                    and (predicate is None or predicate(record.message))
                ):
                    self._returned_messages.add(record.seq)
                    return copy.deepcopy(record.message)
            return None

        def describe() -> str:
            got = [
                f"  #{r.message_id}: {r.plain_text!r}"
                + (" (already returned)" if r.seq in self._returned_messages else "")
                for r in self.sent
                if r.method in SEND_METHODS and r.chat_id == chat_id
            ]
            what = "matching " if predicate is not None else ""
            return (
                f"no new {what}bot message in chat {chat_id} within {timeout}s; "
                f"messages received in that chat: "
                + ("\n" + "\n".join(got) if got else "none")
                + self._failed_requests_text(chat_id)
            )

        return await self._wait_for(find, timeout, describe)

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[JSONDict], bool] | None = None,
    ) -> JSONDict:
        """The next edit of that message no earlier call returned (the edited Message)."""

        def find() -> JSONDict | None:
            for record in self.sent:
                if (
                    record.is_edit
                    and record.chat_id == chat_id
                    and record.message_id == message_id
                    and record.seq not in self._returned_edits
                    and record.message is not None
                    and (predicate is None or predicate(record.message))
                ):
                    self._returned_edits.add(record.seq)
                    return copy.deepcopy(record.message)
            return None

        def describe() -> str:
            edits = [
                f"  {r.method}: {r.plain_text!r}"
                for r in self.sent
                if r.is_edit and r.chat_id == chat_id and r.message_id == message_id
            ]
            return (
                f"no new edit of message {message_id} in chat {chat_id} within {timeout}s; "
                "edits seen: "
                + ("\n" + "\n".join(edits) if edits else "none")
                + self._failed_requests_text(chat_id)
            )

        return await self._wait_for(find, timeout, describe)

    async def wait_for_callback_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """The answerCallbackQuery parameters once the bot answered that query."""
        return await self._wait_for_answer("callback", query_id, timeout)

    async def wait_for_inline_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """The answerInlineQuery parameters once the bot answered that inline query."""
        return await self._wait_for_answer("inline", query_id, timeout)

    async def _wait_for_answer(
        self,
        kind: str,
        query_id: str,
        timeout: float,  # noqa: ASYNC109
    ) -> JSONDict:
        def find() -> JSONDict | None:
            for state in self._all_states():
                queries = state.callback_queries if kind == "callback" else state.inline_queries
                query = queries.get(query_id)
                if query is not None and query.answer is not None:
                    return copy.deepcopy(query.answer)
            return None

        def describe() -> str:
            return (
                f"{kind} query {query_id} not answered within {timeout}s"
                + self._failed_requests_text()
            )

        return await self._wait_for(find, timeout, describe)

    async def wait_for_chat_action(
        self,
        chat_id: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        action: str | None = None,
    ) -> ChatActionRecord:
        """The next sendChatAction for that chat no earlier call returned."""

        def find() -> ChatActionRecord | None:
            for record in self.chat_actions:
                if (
                    record.chat_id == chat_id
                    and record.seq not in self._returned_actions
                    and (action is None or record.action == action)
                ):
                    self._returned_actions.add(record.seq)
                    return record
            return None

        def describe() -> str:
            seen = [r.action for r in self.chat_actions if r.chat_id == chat_id]
            return f"no new chat action in chat {chat_id} within {timeout}s; seen: {seen}"

        return await self._wait_for(find, timeout, describe)

    async def wait_for_request(
        self,
        method: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[RequestRecord], bool] | None = None,
    ) -> RequestRecord:
        """The next answered request of ``method`` (case-insensitive) no earlier call returned."""
        wanted = method.lower()

        def find() -> RequestRecord | None:
            for record in self.requests:
                if (
                    record.method.lower() == wanted
                    and record.seq not in self._returned_requests
                    and (predicate is None or predicate(record))
                ):
                    self._returned_requests.add(record.seq)
                    return record
            return None

        def describe() -> str:
            recent = [f"{r.method}->{r.status}" for r in list(self.requests)[-10:]]
            return f"no {method} request within {timeout}s; recent requests: {recent}"

        return await self._wait_for(find, timeout, describe)

    def pending_updates(self, token: str | None = None) -> list[JSONDict]:
        """Updates queued and not yet confirmed by the bot."""
        return [copy.deepcopy(u) for s in self._states_for(token) for u in s.updates]

    def is_idle(self, *, settle: float = 0.05, token: str | None = None) -> bool:
        """No unconfirmed updates, no request in flight (long polls aside), and nothing
        happened for ``settle`` seconds."""
        if any(state.updates for state in self._states_for(token)):
            return False
        if self._inflight:
            return False
        return time.monotonic() - self._last_activity >= settle

    async def wait_until_idle(
        self,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        settle: float = 0.05,
        token: str | None = None,
    ) -> None:
        """Wait until the bot fetched and confirmed every queued update and has no request in
        flight for ``settle`` seconds (its handlers ran, as far as HTTP shows)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.is_idle(settle=settle, token=token):
            remaining = deadline - loop.time()
            if remaining <= 0:
                details = []
                for state in self._states_for(token):
                    polled = (
                        "never polled"
                        if state.last_poll_mono is None
                        else f"last getUpdates {time.monotonic() - state.last_poll_mono:.2f}s ago"
                    )
                    hook = state.webhook
                    details.append(
                        f"bot {state.bot_id}: {len(state.updates)} unconfirmed updates, {polled}"
                        + (f", webhook error {hook.last_error_message!r}" if hook else "")
                    )
                raise AssertionError(
                    f"stand-in not idle within {timeout}s: {self._inflight} requests in flight; "
                    + "; ".join(details)
                    + self._failed_requests_text()
                )
            await wait_event(self._changed, min(remaining, settle))

    def messages(self, chat_id: int, *, token: str | None = None) -> list[JSONDict]:
        """All the bot's (not deleted) messages in that chat with their current content."""
        out: list[JSONDict] = []
        for state in self._states_for(token):
            chat = state.chats.get(chat_id)
            if chat is None:
                continue
            for message_id in sorted(chat.messages):
                stored = chat.messages[message_id]
                if stored.from_bot and not stored.deleted:
                    out.append(copy.deepcopy(stored.data))
        return out

    def message(self, chat_id: int, message_id: int, *, token: str | None = None) -> JSONDict:
        """The current state of one stored message (bot's or user's); KeyError if unknown."""
        for state in self._states_for(token):
            chat = state.chats.get(chat_id)
            if chat is not None and message_id in chat.messages:
                return copy.deepcopy(chat.messages[message_id].data)
        raise KeyError(f"no message {message_id} in chat {chat_id}")

    def commands(
        self,
        *,
        scope: JSONDict | None = None,
        language_code: str = "",
        token: str | None = None,
    ) -> list[JSONDict]:
        state = self._writer_state(token)
        return copy.deepcopy(state.commands.get((scope_key(scope), language_code), []))

    def webhook_info(self, token: str | None = None) -> JSONDict:
        return describe_webhook(self._writer_state(token))
