"""Bot API methods that hand updates to the bot: long polling and webhooks (set, delete,
info, and delivering queued updates to a loopback webhook).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import time
from urllib.parse import urlsplit

import tornado.httpclient

from standin.calls import Described, RequestContext, wait_event
from standin.methods.common import MethodHelpers
from standin.params import Params
from standin.protocol import (
    CONFLICT_POLL,
    CONFLICT_WEBHOOK,
    DEFAULT_ALLOWED_UPDATES,
    ApiError,
    JSONDict,
    bad_request,
)
from standin.state import BotState, Poller, Webhook, describe_webhook, update_type


class UpdateMethods(MethodHelpers):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo and webhook delivery."""

    async def _m_get_updates(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> list[JSONDict]:
        state.last_poll_mono = time.monotonic()
        if state.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = p.opt_int("offset")
        limit = min(100, max(1, p.integer("limit", 100)))
        try:
            timeout = max(0.0, float(p.opt_str("timeout") or 0))
        except ValueError:
            timeout = 0.0
        allowed = _allowed_updates(p)
        if allowed is not None:
            state.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        if offset is not None:
            self._confirm(state, offset)
        poller = Poller()
        for older in state.pollers:
            older.conflict = True
            older.wake.set()
        state.pollers = [poller]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            with ctx.waking(poller.wake):
                while True:
                    if poller.conflict:
                        raise ApiError(409, CONFLICT_POLL)
                    batch = self._deliverable(state, limit)
                    if batch or ctx.closed or self._stopping:
                        return batch
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        return []
                    poller.wake.clear()
                    await wait_event(poller.wake, remaining)
        finally:
            if poller in state.pollers:
                state.pollers.remove(poller)
            state.last_poll_mono = time.monotonic()

    def _confirm(self, state: BotState, offset: int) -> None:
        before = len(state.updates)
        if offset < 0:
            state.updates = state.updates[offset:]
        else:
            state.updates = [u for u in state.updates if int(u["update_id"]) >= offset]
        if len(state.updates) != before:
            self._last_activity = time.monotonic()
            self._notify()

    def _deliverable(self, state: BotState, limit: int) -> list[JSONDict]:
        kept = [u for u in state.updates if update_type(u) in state.allowed_updates]
        if len(kept) != len(state.updates):
            state.updates = kept
            self._notify()
        return copy.deepcopy(kept[:limit])

    async def _m_set_webhook(self, state: BotState, p: Params, ctx: RequestContext) -> Described:
        url = p.text("url").strip()
        if p.boolean("drop_pending_updates"):
            state.updates.clear()
        if not url:
            return self._delete_webhook(state)
        try:
            parts = urlsplit(url)
            _ = parts.port
        except ValueError:
            raise bad_request(
                "bad webhook: Failed to resolve host: Name or service not known"
            ) from None
        if parts.scheme.lower() not in ("http", "https"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if not parts.hostname:
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = p.opt_str("secret_token")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = _allowed_updates(p)
        if allowed is not None:
            state.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        old = state.webhook
        same = old is not None and old.url == url and old.secret_token == (secret or None)
        if old is not None and old.task is not None:
            old.task.cancel()
        hook = Webhook(
            url=url,
            secret_token=secret or None,
            max_connections=min(100, max(1, p.integer("max_connections", 40))),
            allowed_updates=allowed or None,
            ip_address=p.opt_str("ip_address"),
        )
        state.webhook = hook
        for poller in state.pollers:
            poller.conflict = True
            poller.wake.set()
        if self.deliver_webhooks and not self._stopping:
            task = asyncio.get_running_loop().create_task(self._webhook_loop(state, hook))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            hook.task = task
        self._notify()
        return Described(True, "Webhook is already set" if same else "Webhook was set")

    def _delete_webhook(self, state: BotState) -> Described:
        hook = state.webhook
        if hook is None:
            return Described(True, "Webhook is already deleted")
        if hook.task is not None:
            hook.task.cancel()
        state.webhook = None
        state.wake_all()
        self._notify()
        return Described(True, "Webhook was deleted")

    async def _m_delete_webhook(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> Described:
        if p.boolean("drop_pending_updates"):
            state.updates.clear()
            self._notify()
        return self._delete_webhook(state)

    async def _m_get_webhook_info(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> JSONDict:
        return describe_webhook(state)

    # -- webhook delivery --------------------------------------------------------------------

    async def _webhook_loop(self, state: BotState, hook: Webhook) -> None:
        host = urlsplit(hook.url).hostname or ""
        if host not in ("localhost", "::1") and not host.startswith("127."):
            hook.last_error_date = int(time.time())
            hook.last_error_message = "stand-in delivers webhooks to loopback hosts only"
            return
        backoff = 0.05
        while not self._stopping and state.webhook is hook:
            self._deliverable(state, 1)
            if not state.updates:
                event = asyncio.Event()
                state.wakers.add(event)
                try:
                    await event.wait()
                finally:
                    state.wakers.discard(event)
                continue
            update = state.updates[0]
            error = await self._deliver(state, hook, update)
            if state.webhook is not hook:
                return
            if error is None:
                if state.updates and state.updates[0] is update:
                    state.updates.pop(0)
                backoff = 0.05
                self._last_activity = time.monotonic()
                self._notify()
            else:
                hook.last_error_date = int(time.time())
                hook.last_error_message = error
                self._notify()
                await self._sleep(backoff, None)
                backoff = min(1.0, backoff * 2)

    async def _deliver(self, state: BotState, hook: Webhook, update: JSONDict) -> str | None:
        if self._http_client is None:
            self._http_client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        request = tornado.httpclient.HTTPRequest(
            hook.url,
            method="POST",
            body=json.dumps(update, ensure_ascii=False).encode(),
            headers=headers,
            connect_timeout=5.0,
            request_timeout=10.0,
        )
        try:
            response = await self._http_client.fetch(request, raise_error=False)
        except ConnectionRefusedError:
            return "Connection refused"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        if not 200 <= response.code < 300:
            return f"Wrong response from the webhook: {response.code} {response.reason}"
        if response.body:
            with contextlib.suppress(ValueError):
                answer = json.loads(response.body)
                if isinstance(answer, dict) and isinstance(answer.get("method"), str):
                    params = {k: v for k, v in answer.items() if k != "method"}
                    await self._serve(state.token, answer["method"], params, RequestContext())
        return None


def _allowed_updates(p: Params) -> list[str] | None:
    allowed = p.json("allowed_updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise bad_request("can't parse allowed_updates JSON object")
    return allowed
