"""A loopback-only proxy for the tests: HTTP forward proxy, HTTP CONNECT tunnels and SOCKS5,
on one port, with optional user:password, plus a TLS front for an https:// Bot API URL.

It knows host names nobody else can resolve (``botapi.invalid``): a bot that reaches the
stand-in under such a name must have gone through the proxy. It connects only to loopback
addresses. Own code because no kept library offers a proxy that maps names and records
what it carried in a few lines; it serves one request per forwarded HTTP connection
(``Connection: close``), which is all a test needs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import ssl
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import trustme

#: A name only the proxy resolves (RFC 2606 reserves .invalid: it never resolves in DNS).
HIDDEN_HOST = "botapi.invalid"
PROXY_USER = "coach"
#: Checked by the session fixture in conftest: it must never appear in a log line.
PROXY_PASSWORD = "pr0xy-S3cret-pass"


@dataclass
class Carried:
    """What the proxy did for one client request."""

    mode: str  # "forward", "connect" or "socks5"
    host: str
    port: int
    method: str = ""  # the Bot API method, for forwarded requests


@dataclass
class LoopbackProxy:
    """Start with ``async with LoopbackProxy(...) as proxy``; ``proxy.url`` is its address."""

    hosts: dict[str, str] = field(default_factory=lambda: {HIDDEN_HOST: "127.0.0.1"})
    user: str = ""
    password: str = ""
    bind_port: int = 0
    carried: list[Carried] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def __aenter__(self) -> LoopbackProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.bind_port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def url(self, scheme: str = "http", *, credentials: bool = True) -> str:
        auth = f"{self.user}:{self.password}@" if credentials and self.user else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}"

    def _target(self, host: str) -> str | None:
        """The loopback address for ``host``, or None: the proxy goes nowhere else."""
        address = self.hosts.get(host.lower(), host)
        try:
            return address if ipaddress.ip_address(address).is_loopback else None
        except ValueError:
            return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            first = await reader.readexactly(1)
            if first == b"\x05":
                await self._socks5(reader, writer)
            else:
                await self._http(first, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    def _authorised(self, header: str) -> bool:
        if not self.user:
            return True
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return header.strip() == f"Basic {expected}"

    async def _http(
        self, first: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = (first + await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.rstrip("\r\n").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        headers = [line.partition(":") for line in header_lines]
        auth = next((v for k, _, v in headers if k.lower() == "proxy-authorization"), "")
        if not self._authorised(auth):
            self.refused.append(f"{method} without valid credentials")
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n")
            writer.write(b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n')
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await self._open(host, int(port), writer, socks=False)
            if upstream is None:
                return
            self.carried.append(Carried("connect", host, int(port)))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await _pipe(reader, writer, *upstream)
            return
        parts = urlsplit(target)
        if parts.hostname is None or parts.scheme != "http":
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        port = parts.port or 80
        length = next((int(v) for k, _, v in headers if k.lower() == "content-length"), 0)
        body = await reader.readexactly(length)
        upstream = await self._open(parts.hostname, port, writer, socks=False)
        if upstream is None:
            return
        self.carried.append(Carried("forward", parts.hostname, port, parts.path.rsplit("/")[-1]))
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [
            f"{k}:{v}"
            for k, _, v in headers
            if k.lower() not in ("proxy-authorization", "proxy-connection", "connection")
        ]
        up_reader, up_writer = upstream
        up_writer.write(
            "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""]).encode(
                "latin-1"
            )
        )
        up_writer.write(body)
        await up_writer.drain()
        # The upstream closes after its answer; so does this connection (its headers say so
        # once rewritten), and httpx opens a new one for the next request.
        answer = await up_reader.read()
        up_writer.close()
        answer_head, _, answer_body = answer.partition(b"\r\n\r\n")
        lines = [
            line
            for line in answer_head.split(b"\r\n")
            if not line.lower().startswith((b"connection:", b"keep-alive:"))
        ]
        writer.write(b"\r\n".join([*lines, b"Connection: close", b"", answer_body]))
        await writer.drain()

    async def _socks5(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        methods = await reader.readexactly((await reader.readexactly(1))[0])
        wanted = 0x02 if self.user else 0x00
        if wanted not in methods:
            self.refused.append("socks5 without an acceptable auth method")
            writer.write(b"\x05\xff")
            return
        writer.write(bytes([5, wanted]))
        if wanted == 0x02:  # RFC 1929 username/password
            await reader.readexactly(1)
            user = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            password = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            if (user, password) != (self.user, self.password):
                self.refused.append("socks5 with wrong credentials")
                writer.write(b"\x01\x01")
                return
            writer.write(b"\x01\x00")
        _, command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:  # CONNECT only
            writer.write(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        upstream = await self._open(host, port, writer, socks=True)
        if upstream is None:
            return
        self.carried.append(Carried("socks5", host, port))
        writer.write(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
        await _pipe(reader, writer, *upstream)

    async def _open(
        self, host: str, port: int, writer: asyncio.StreamWriter, *, socks: bool
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        address = self._target(host)
        try:
            if address is None:
                raise OSError(f"{host} is not a loopback host")
            return await asyncio.open_connection(address, port)
        except OSError:
            self.refused.append(f"{host}:{port} unreachable")
            writer.write(
                b"\x05\x04\x00\x01\x00\x00\x00\x00\x00\x00"
                if socks
                else b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
            )
            return None


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    """Copy bytes both ways until either side closes."""

    async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        with contextlib.suppress(OSError):
            if sink.can_write_eof():
                sink.write_eof()
            else:
                sink.close()  # TLS cannot half-close

    try:
        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))
    finally:
        up_writer.close()


@contextlib.asynccontextmanager
async def tls_front(plain_port: int, ca_file: Path, host: str = HIDDEN_HOST) -> AsyncIterator[int]:
    """A TLS server on loopback (certificate for ``host``, from a throw-away CA written to
    ``ca_file``) passing every connection on to ``plain_port``; yields its port."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(host).configure_cert(context)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream = await asyncio.open_connection("127.0.0.1", plain_port)
            await _pipe(reader, writer, *upstream)
        except (ConnectionError, ssl.SSLError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
