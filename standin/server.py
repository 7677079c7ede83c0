"""The stand-in as one object: the core, the user side, the waits and the Bot API method
families combined, plus its lifecycle (start, stop, reset) and the control API.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from standin.calls import Handler, wait_event
from standin.http import ApiHandler, ControlHandler, NotFoundHandler, no_access_log
from standin.methods.messages import MessageMethods
from standin.methods.profile import ProfileMethods
from standin.methods.queries import QueryMethods
from standin.methods.updates import UpdateMethods
from standin.protocol import JSONDict
from standin.users import UserSide
from standin.waiting import Waiting

_CONTROL_ACTIONS = frozenset(
    {
        "user_sends_text",
        "user_sends",
        "user_edits_text",
        "channel_post",
        "push_update",
        "user_presses",
        "user_inline_query",
        "register_chat",
        "block_chat",
        "unblock_chat",
        "messages",
        "flood_limits",
        "disable_flood_limits",
        "reset",
    }
)


class BotApiStandIn(
    UserSide, Waiting, UpdateMethods, MessageMethods, QueryMethods, ProfileMethods
):
    """A local Telegram Bot API server with a scriptable user side.

    Use ``async with BotApiStandIn() as server:`` (or ``await start()`` / ``await stop()``) and
    give PTB ``base_url=server.base_url``. All methods must be called from the event loop the
    server was started in.
    """

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        self._stopping = False
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]*)", ApiHandler, {"standin": self}),
                (r"/standin/([A-Za-z_]+)", ControlHandler, {"standin": self}),
            ],
            default_handler_class=NotFoundHandler,
            log_function=no_access_log,
            compress_response=False,
        )
        sockets = tornado.netutil.bind_sockets(self._requested_port, address=self.host)
        self._port = sockets[0].getsockname()[1]
        server = tornado.httpserver.HTTPServer(app, idle_connection_timeout=600.0)
        server.add_sockets(sockets)
        self._server = server

    async def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._stopping = True
        for event in self._stop_wakers:
            event.set()
        for state in self._all_states():
            state.wake_all()
        for task in self._tasks:
            task.cancel()
        server.stop()
        if self._active > 0:
            self._drained = asyncio.Event()
            await wait_event(self._drained, 2.0)
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await server.close_all_connections()
        if self._http_client is not None:
            self._http_client.close()
            self._http_client = None
        self._server = None
        self._notify()

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the stand-in has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """What PTB's ``base_url`` should be: ``http://HOST:PORT/bot``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/bot"

    @property
    def running(self) -> bool:
        return self._server is not None

    def reset(self) -> None:
        """Forget all bots, chats, records and switches (the server keeps running)."""
        for state in self._all_states():
            state.wake_all()
            if state.webhook is not None and state.webhook.task is not None:
                state.webhook.task.cancel()
        self._bots.clear()
        self._unbound = None
        self._blocked.clear()
        self.sent.clear()
        self.requests.clear()
        self.chat_actions.clear()
        self.deletions.clear()
        self.internal_errors.clear()
        self._returned_messages.clear()
        self._returned_edits.clear()
        self._returned_actions.clear()
        self._returned_requests.clear()
        self._fault_hook = None
        self.disable_flood_limits()
        self._notify()

    # -- control API (standalone use) --------------------------------------------------------

    def _control(self, action: str, body: JSONDict) -> Any:
        if action not in _CONTROL_ACTIONS:
            raise KeyError(action)
        result = getattr(self, action)(**body)
        return result

    def _control_listing(self, action: str) -> Any:
        if action == "sent":
            return [dataclasses.asdict(r) for r in self.sent]
        if action == "requests":
            return [
                {k: v for k, v in dataclasses.asdict(r).items() if k != "fault"}
                for r in self.requests
            ]
        if action == "chat_actions":
            return [dataclasses.asdict(r) for r in self.chat_actions]
        if action == "updates":
            return self.pending_updates()
        raise KeyError(action)

    # -- Bot API methods ---------------------------------------------------------------------

    def _method_table(self) -> list[tuple[str, Handler]]:
        return [
            ("getMe", self._m_get_me),
            ("logOut", self._m_true),
            ("close", self._m_true),
            ("getUpdates", self._m_get_updates),
            ("setWebhook", self._m_set_webhook),
            ("deleteWebhook", self._m_delete_webhook),
            ("getWebhookInfo", self._m_get_webhook_info),
            ("sendMessage", self._m_send_message),
            ("sendPhoto", self._m_send_photo),
            ("sendDocument", self._m_send_document),
            ("editMessageText", self._m_edit_message_text),
            ("editMessageCaption", self._m_edit_message_caption),
            ("editMessageReplyMarkup", self._m_edit_message_reply_markup),
            ("deleteMessage", self._m_delete_message),
            ("deleteMessages", self._m_delete_messages),
            ("answerCallbackQuery", self._m_answer_callback_query),
            ("answerInlineQuery", self._m_answer_inline_query),
            ("sendChatAction", self._m_send_chat_action),
            ("setMyCommands", self._m_set_my_commands),
            ("getMyCommands", self._m_get_my_commands),
            ("deleteMyCommands", self._m_delete_my_commands),
            ("setMyDescription", self._m_set_my_description),
            ("getMyDescription", self._m_get_my_description),
            ("setMyShortDescription", self._m_set_my_short_description),
            ("getMyShortDescription", self._m_get_my_short_description),
            ("setMyName", self._m_set_my_name),
            ("getMyName", self._m_get_my_name),
            ("setChatMenuButton", self._m_set_chat_menu_button),
            ("getChatMenuButton", self._m_get_chat_menu_button),
        ]


@contextlib.asynccontextmanager
async def running_standin(**kwargs: Any) -> AsyncIterator[BotApiStandIn]:
    """``async with running_standin(port=8081) as server: ...``"""
    server = BotApiStandIn(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
