"""The core of the stand-in: per-bot state lookup, switches, change notification and the
request pipeline (token check, method lookup, fault injection, recording).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections import deque
from typing import Any

import tornado.httpclient
import tornado.httpserver

from standin.calls import Described, Handler, RequestContext, wait_event
from standin.faults import Fault, FaultHook, as_fault, fault_response
from standin.params import Params, normalize_params
from standin.protocol import (
    BOT_FIRST_NAME,
    BOT_USERNAME,
    TOKEN_RE,
    ApiError,
    JSONDict,
    Response,
    json_response,
)
from standin.records import ChatActionRecord, RecordedMessage, RequestRecord
from standin.state import BotState, parse_bot_id

_log = logging.getLogger("standin")


class StandInCore:
    """State, switches and the request pipeline shared by every part of the stand-in.

    The public class, :class:`standin.server.BotApiStandIn`, combines this core with the user
    side, the waits and the Bot API method families; each part lives in its own module.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        default_token: str | None = None,
        check_chats: bool = True,
        strict_html_entities: bool = True,
        bot_first_name: str = BOT_FIRST_NAME,
        bot_username: str = BOT_USERNAME,
        request_log_limit: int = 10_000,
        deliver_webhooks: bool = True,
    ) -> None:
        if default_token is not None:
            parse_bot_id(default_token)
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self.default_token = default_token
        #: Answer "chat not found" for chats no user message came from (switch at run time).
        self.check_chats = check_chats
        #: Reject a bare "&" / an entity without ";" in HTML (real Telegram passes them on).
        self.strict_html_entities = strict_html_entities
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.deliver_webhooks = deliver_webhooks

        #: Every message the bot sent or edited, in arrival order.
        self.sent: list[RecordedMessage] = []
        #: Every request answered (capped; see clear_requests()).
        self.requests: deque[RequestRecord] = deque(maxlen=request_log_limit)
        self.chat_actions: list[ChatActionRecord] = []
        #: (wall time, chat_id, message_id) of every message the bot deleted.
        self.deletions: list[tuple[float, int, int]] = []
        #: Exceptions raised inside the stand-in itself (a bug here, not in the bot).
        self.internal_errors: list[BaseException] = []

        self._bots: dict[str, BotState] = {}
        self._unbound: BotState | None = None
        self._blocked: set[int] = set()
        self._fault_hook: FaultHook | None = None
        self._flood_per_chat: float | None = None
        self._flood_overall: float | None = None
        self._flood_retry_after: int | None = None
        self._seq = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._returned_messages: set[int] = set()
        self._returned_edits: set[int] = set()
        self._returned_actions: set[int] = set()
        self._returned_requests: set[int] = set()
        self._inflight = 0
        self._active = 0
        self._drained = asyncio.Event()
        self._last_activity = time.monotonic()
        self._stopping = False
        self._stop_wakers: set[asyncio.Event] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._http_client: tornado.httpclient.AsyncHTTPClient | None = None
        self._methods: dict[str, tuple[str, Handler]] = {}
        for name, handler in self._method_table():
            self._methods[name.lower()] = (name, handler)

    def _method_table(self) -> list[tuple[str, Handler]]:
        """The Bot API methods served (name, handler); the full stand-in lists them."""
        return []

    # -- switches ----------------------------------------------------------------------------

    def set_fault(self, hook: FaultHook | None) -> None:
        """Install (or remove with None) a hook ``hook(method, params) -> Fault | int | float |
        None`` consulted before every request; see :class:`Fault`."""
        self._fault_hook = hook

    def flood_limits(
        self,
        per_chat_per_second: float | None = 1.0,
        overall_per_second: float | None = 30.0,
        retry_after: int | None = None,
    ) -> None:
        """Turn flood control on: sends and edits beyond these counts within a sliding second
        answer 429 "Too Many Requests: retry after N" and the scope stays blocked for N
        seconds. ``retry_after=None`` computes N from the window. None for a limit disables it.
        """
        self._flood_per_chat = per_chat_per_second
        self._flood_overall = overall_per_second
        self._flood_retry_after = retry_after
        for state in self._all_states():
            state.flood_events.clear()
            state.flood_blocked.clear()

    def disable_flood_limits(self) -> None:
        self.flood_limits(None, None, None)

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat answer 403."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def clear_requests(self) -> None:
        self.requests.clear()
        self._returned_requests.clear()

    def clear_records(self) -> None:
        """Forget recorded messages, chat actions, deletions and requests (state stays)."""
        self.sent.clear()
        self.chat_actions.clear()
        self.deletions.clear()
        self._returned_messages.clear()
        self._returned_edits.clear()
        self._returned_actions.clear()
        self.clear_requests()

    # -- state lookup ------------------------------------------------------------------------

    def _all_states(self) -> list[BotState]:
        states = list(self._bots.values())
        if self._unbound is not None:
            states.append(self._unbound)
        return states

    def _states_for(self, token: str | None) -> list[BotState]:
        if token is not None:
            state = self._bots.get(token)
            return [state] if state is not None else []
        return self._all_states()

    def _state_for_request(self, token: str) -> BotState:
        state = self._bots.get(token)
        if state is not None:
            return state
        if (
            self._unbound is not None
            and not self._bots
            and (self.default_token is None or self.default_token == token)
        ):
            state, self._unbound = self._unbound, None
            state.bind(token)
        else:
            state = BotState(token)
        self._bots[token] = state
        return state

    def _writer_state(self, token: str | None) -> BotState:
        """The bot a user-side action addresses."""
        if token is None:
            token = self.default_token
        if token is not None:
            parse_bot_id(token)
            return self._state_for_request(token)
        if len(self._bots) == 1 and self._unbound is None:
            return next(iter(self._bots.values()))
        if not self._bots:
            if self._unbound is None:
                self._unbound = BotState(None)
            return self._unbound
        raise ValueError("several bots use this stand-in: pass token=...")

    def bot_user(self, token: str | None = None) -> JSONDict:
        """The bot's User object (as getMe returns it)."""
        return self._bot_user(self._writer_state(token), full=True)

    def _bot_user(self, state: BotState, *, full: bool = False) -> JSONDict:
        user: JSONDict = {
            "id": state.bot_id,
            "is_bot": True,
            "first_name": state.names.get("", self.bot_first_name),
            "username": self.bot_username,
        }
        if full:
            user.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=True,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return user

    # -- change notification, interruptible sleep, queuing updates ---------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _sleep(self, seconds: float, ctx: RequestContext | None) -> bool:
        """Sleep; False when interrupted by the client hanging up or the server stopping."""
        event = asyncio.Event()
        self._stop_wakers.add(event)
        if self._stopping:
            event.set()
        try:
            if ctx is None:
                return not await wait_event(event, seconds)
            with ctx.waking(event):
                return not await wait_event(event, seconds)
        finally:
            self._stop_wakers.discard(event)

    def _push(self, state: BotState, update: JSONDict) -> JSONDict:
        if "update_id" not in update:
            update = {"update_id": state.next_update_id, **update}
        state.next_update_id = max(state.next_update_id, int(update["update_id"]) + 1)
        state.updates.append(update)
        state.wake_all()
        self._notify()
        return update

    # -- the request pipeline (standin/http.py hands every request here) ---------------------

    async def _serve(
        self, token: str, method: str, raw_params: JSONDict, ctx: RequestContext
    ) -> Response:
        self._active += 1
        try:
            return await self._serve_request(token, method, raw_params, ctx)
        finally:
            self._active -= 1
            if self._active == 0:
                self._drained.set()

    async def _serve_request(
        self, token: str, method: str, raw_params: JSONDict, ctx: RequestContext
    ) -> Response:
        wall, mono = time.time(), time.monotonic()
        ctx.arrival_wall, ctx.arrival_mono = wall, mono
        params = normalize_params(raw_params)
        if not TOKEN_RE.match(token):
            error = ApiError(401, "Unauthorized")
            self._record_request(
                token, method, params, error.code, error.description, None, wall, mono
            )
            return json_response(error.code, error.payload())
        entry = self._methods.get(method.lower())
        if entry is None:
            error = ApiError(404, "Not Found")
            self._record_request(
                token, method, params, error.code, error.description, None, wall, mono
            )
            return json_response(error.code, error.payload())
        name, handler = entry
        state = self._state_for_request(token)
        polling = name == "getUpdates"
        if not polling:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            fault = self._consult_fault(name, params)
            if fault is not None and fault.delay > 0:
                completed = await self._sleep(fault.delay, ctx)
                if not completed and ctx.closed:
                    self._record_request(
                        token,
                        name,
                        params,
                        499,
                        "client closed the connection",
                        None,
                        wall,
                        mono,
                        fault,
                    )
                    return Response(499, drop=True)
            if fault is not None and fault.interrupts and not fault.after_processing:
                response = fault_response(fault)
                self._record_request(
                    token, name, params, response.status, "injected fault", None, wall, mono, fault
                )
                return response
            status, payload = await self._call(state, name, handler, params, ctx)
            description = payload.get("description") if status != 200 else None
            self._record_request(
                token, name, params, status, description, payload.get("result"), wall, mono, fault
            )
            if fault is not None and fault.interrupts:
                return fault_response(fault)
            return json_response(status, payload)
        finally:
            if not polling:
                self._inflight -= 1
                self._last_activity = time.monotonic()
                self._notify()

    async def _call(
        self,
        state: BotState,
        name: str,
        handler: Handler,
        params: JSONDict,
        ctx: RequestContext,
    ) -> tuple[int, JSONDict]:
        try:
            result = await handler(state, Params(params), ctx)
        except ApiError as error:
            return error.code, error.payload()
        except Exception as exc:
            _log.exception("stand-in failed on %s", name)
            self.internal_errors.append(exc)
            return 500, ApiError(500, "Internal Server Error").payload()
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    def _consult_fault(self, method: str, params: JSONDict) -> Fault | None:
        if self._fault_hook is None:
            return None
        try:
            return as_fault(self._fault_hook(method, params))
        except Exception as exc:
            _log.exception("fault hook failed")
            self.internal_errors.append(exc)
            return None

    def _record_request(
        self,
        token: str,
        method: str,
        params: JSONDict,
        status: int,
        description: str | None,
        result: Any,
        wall: float,
        mono: float,
        fault: Fault | None = None,
    ) -> None:
        self.requests.append(
            RequestRecord(
                seq=next(self._seq),
                token=token,
                method=method,
                params=params,
                status=status,
                description=description,
                result=result,
                wall_time=wall,
                mono_time=mono,
                duration=time.monotonic() - mono,
                fault=fault,
            )
        )
        self._notify()

    async def call(self, token: str, method: str, params: JSONDict | None = None) -> JSONDict:
        """Call a Bot API method in-process (no HTTP); returns the JSON answer."""
        response = await self._serve(token, method, dict(params or {}), RequestContext())
        answer = json.loads(response.body) if response.body else {}
        assert isinstance(answer, dict)
        return answer
