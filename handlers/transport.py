"""A lean HTTP/1.1 keep-alive transport for PTB's Bot API calls.

httpx costs about 0.5 ms of CPU per call here, mostly httpcore's pool bookkeeping, which
grows with the number of open connections (every request start and finish walks all of
them). At a thousand timed steps a second that alone fills one core. This transport sends
the calls that matter for throughput (POSTs without files) as one JSON body over a reused
connection, parsing the answer with a few string operations; uploads, downloads and proxied
set-ups go through the ordinary httpx path it inherits. Errors become PTB's own (TimedOut,
NetworkError), so the rate limiter, retries and the Sender see what they always see.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

_Origin = tuple[str, str, int]
_MAX_HEADER = 64 * 1024
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)


class _Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def usable(self) -> bool:
        # An idle connection the server closed has its EOF queued already.
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        self.writer.close()


class LeanRequest(HTTPXRequest):
    """HTTPXRequest whose plain POSTs skip httpx: same timeouts, pool size and errors."""

    def __init__(self, connection_pool_size: int = 256, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        self._lean = kwargs.get("proxy") is None and kwargs.get("http_version", "1.1") == "1.1"
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._idle: dict[_Origin, deque[_Connection]] = {}
        self._targets: dict[str, tuple[_Origin, bytes]] = {}
        self._timeouts = self._client.timeout
        self._ssl: ssl.SSLContext | None = None

    async def shutdown(self) -> None:
        for connections in self._idle.values():
            while connections:
                connections.pop().close()
        await super().shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if not self._lean or method != "POST" or (request_data and request_data.contains_files):
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        body = request_data.json_payload if request_data else b"{}"
        timeouts = self._timeouts
        read = timeouts.read if isinstance(read_timeout, type(self.DEFAULT_NONE)) else read_timeout
        connect = (
            timeouts.connect
            if isinstance(connect_timeout, type(self.DEFAULT_NONE))
            else connect_timeout
        )
        pool = timeouts.pool if isinstance(pool_timeout, type(self.DEFAULT_NONE)) else pool_timeout
        origin, head = self._target(url)
        await self._acquire(pool)
        try:
            return await self._exchange(origin, head, body, read, connect)
        finally:
            self._slots.release()

    def _target(self, url: str) -> tuple[_Origin, bytes]:
        known = self._targets.get(url)
        if known is not None:
            return known
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NetworkError(f"unsupported URL scheme: {parts.scheme}")
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{port}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {self.USER_AGENT}\r\n"
            "Accept: */*\r\nContent-Type: application/json\r\nContent-Length: "
        ).encode()
        if len(self._targets) > 64:  # one URL per API method; never grows past that in use
            self._targets.clear()
        self._targets[url] = known = ((parts.scheme, parts.hostname, port), head)
        return known

    async def _acquire(self, wait: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), wait)
        except TimeoutError as error:
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from error

    async def _connect(self, origin: _Origin, limit: float | None) -> _Connection:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.usable():
                return connection
            connection.close()
        scheme, host, port = origin
        context: ssl.SSLContext | None = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        try:
            async with asyncio.timeout(limit):
                reader, writer = await asyncio.open_connection(host, port, ssl=context)
        except TimeoutError as error:
            raise TimedOut("Timed out while connecting") from error
        except OSError as error:
            raise NetworkError(f"ConnectError: {error}") from error
        return _Connection(reader, writer)

    async def _exchange(
        self, origin: _Origin, head: bytes, body: bytes, read: float | None, connect: float | None
    ) -> tuple[int, bytes]:
        connection = await self._connect(origin, connect)
        keep = False
        try:
            connection.writer.write(b"%s%d\r\n\r\n%s" % (head, len(body), body))
            async with asyncio.timeout(read):
                await connection.writer.drain()
                status, payload, keep = await _response(connection.reader)
        except TimeoutError as error:
            raise TimedOut from error
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            raise NetworkError(f"ReadError: {error!r}") from error
        except ValueError as error:
            raise NetworkError(f"RemoteProtocolError: {error}") from error
        finally:
            if keep:
                self._idle.setdefault(origin, deque()).append(connection)
            else:
                connection.close()
        return status, payload


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Read one HTTP/1.1 response: (status, body, whether the connection can be reused)."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > _MAX_HEADER:
        raise ValueError("response header too large")
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x response: {lines[0][:40]!r}")
    status = int(rest[:3])
    length: int | None = None
    chunked = False
    keep = version == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            keep = value.strip().lower() == "keep-alive" or (
                keep and value.strip().lower() != "close"
            )
    if chunked:
        return status, await _chunks(reader), keep
    if length is not None:
        return status, await reader.readexactly(length), keep
    if status in (204, 304) or 100 <= status < 200:
        return status, b"", keep
    return status, await reader.read(), False  # body runs to the end of the connection


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            with contextlib.suppress(asyncio.IncompleteReadError):
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
