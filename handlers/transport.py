"""How the bot reaches the Bot API: python-telegram-bot's HTTPXRequest, retried where safe,
optionally through a proxy.

All HTTP goes through httpx (via PTB's HTTPXRequest): proxies (HTTP, HTTPS, SOCKS5), TLS
settings, timeouts and the standard ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` variables
work as httpx documents them. The only own code here is the retry policy.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)

# httpx errors that mean the call never reached the Bot API: nothing could have been sent.
_NOT_SENT = ("httpx.ConnectError", "httpx.ProxyError")


class RetryingRequest(HTTPXRequest):
    """Retries a Bot API call that surely did not take effect: a 502/503/504 from the proxy
    in front of Telegram, a refused connection, a proxy that refused the tunnel, a full
    pool. A read timeout is not retried here, since the message may have gone out; the
    caller decides.
    """

    __slots__ = ("_attempts", "_first_delay")

    RETRY_STATUSES = frozenset({502, 503, 504})

    def __init__(self, *, attempts: int = 5, first_delay: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._attempts = attempts
        self._first_delay = first_delay

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        delay = self._first_delay
        api_method = url.rsplit("/", 1)[-1]  # never log the URL: it holds the token
        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                code, payload = await super().do_request(
                    url, method, request_data, *args, **kwargs
                )
            except TimedOut as error:
                if last or "Pool timeout" not in str(error):
                    raise
                reason = "pool timeout"
            except NetworkError as error:
                if last or not str(error).startswith(_NOT_SENT):
                    raise
                reason = "no connection"
            else:
                if last or code not in self.RETRY_STATUSES:
                    return code, payload
                reason = f"HTTP {code}"
            log.warning("%s failed (%s); retry %d in %.1f s", api_method, reason, attempt, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)
        raise AssertionError("unreachable")


def bot_api_requests(proxy: str | None) -> tuple[RetryingRequest, HTTPXRequest]:
    """The request objects for the bot's calls and for getUpdates, both through ``proxy``
    (``None``: httpx's default, which honours ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``).

    PTB's ``ApplicationBuilder.proxy()`` cannot be combined with ``.request()``, so the proxy
    goes to each request object here.
    """
    calls = RetryingRequest(connection_pool_size=256, proxy=proxy)
    # A long poll torn down mid-flight can leave its connection checked out; with PTB's
    # default pool of one, every later poll then fails with "Pool timeout" for good.
    updates = HTTPXRequest(connection_pool_size=4, proxy=proxy)
    return calls, updates
