"""The lean Bot API transport: keep-alive, HTTP/1.1 framing and PTB's own errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from handlers.transport import LeanRequest
from standin import BotApiStandIn
from tests.support.botapi import TOKEN

Answer = Callable[[bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


class RawServer:
    """An HTTP/1.1 server on loopback whose answers the test writes byte by byte."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                if not await self.answer(body, reader, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage"


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Callable[[Answer], Awaitable[RawServer]]]:
    servers: list[RawServer] = []

    async def start(answer: Answer) -> RawServer:
        server = RawServer(answer)
        server.server = await asyncio.start_server(server._serve, "127.0.0.1", 0)
        servers.append(server)
        return server

    yield start
    for server in servers:
        assert server.server is not None
        server.server.close()
        await server.server.wait_closed()


def ok(payload: object, *, extra: str = "") -> bytes:
    body = json.dumps({"ok": True, "result": payload}).encode()
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def data(**values: object) -> RequestData:
    return RequestData(
        [RequestParameter.from_input(name, value) for name, value in values.items()]
    )


async def post(request: LeanRequest, url: str, **values: object) -> tuple[int, bytes]:
    return await request.do_request(url, "POST", data(**values))


async def test_sends_json_and_reuses_one_connection(
    serve: Callable[[Answer], Awaitable[RawServer]],
) -> None:
    async def echo(body: bytes, _: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(ok(json.loads(body)))
        return True

    server = await serve(echo)
    async with LeanRequest() as request:
        for number in range(3):
            status, payload = await post(request, server.url, chat_id=7, text=f"<b>{number}</b>")
            assert status == 200
            assert json.loads(payload)["result"] == {"chat_id": "7", "text": f"<b>{number}</b>"}
    assert server.connections == 1
    assert b"Content-Type: application/json" in server.requests[0]


async def test_reads_chunked_answers_and_honours_connection_close(
    serve: Callable[[Answer], Awaitable[RawServer]],
) -> None:
    async def chunked(_: bytes, __: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        body = json.dumps({"ok": True, "result": True}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + b"%x\r\n%s\r\n" % (5, body[:5])
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body) - 5, body[5:])
        )
        return False

    server = await serve(chunked)
    async with LeanRequest() as request:
        for _ in range(2):
            status, payload = await post(request, server.url, chat_id=1)
            assert (status, json.loads(payload)["result"]) == (200, True)
    assert server.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    serve: Callable[[Answer], Awaitable[RawServer]],
) -> None:
    async def once(_: bytes, __: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(ok(True))
        await writer.drain()
        return False  # closes after answering, without saying so in the headers

    server = await serve(once)
    async with LeanRequest() as request:
        for _ in range(3):
            assert (await post(request, server.url, chat_id=1))[0] == 200
            await asyncio.sleep(0.05)  # the close reaches the idle connection
    assert server.connections == 3


async def test_errors_are_ptbs_own(serve: Callable[[Answer], Awaitable[RawServer]]) -> None:
    async def silent(_: bytes, reader: asyncio.StreamReader, __: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(5)
        return False

    async def hang_up(_: bytes, __: asyncio.StreamReader, ___: asyncio.StreamWriter) -> bool:
        return False

    slow, rude = await serve(silent), await serve(hang_up)
    async with LeanRequest(read_timeout=0.2, connection_pool_size=1, pool_timeout=0.1) as request:
        with pytest.raises(TimedOut):
            await post(request, slow.url, chat_id=1)
        with pytest.raises(NetworkError, match=r"^ReadError"):
            await post(request, rude.url, chat_id=1)
        with pytest.raises(NetworkError, match=r"^ConnectError"):
            await post(request, "http://127.0.0.1:1/bot1:A/sendMessage", chat_id=1)
        first = asyncio.create_task(post(request, slow.url, chat_id=1))
        await asyncio.sleep(0.05)
        with pytest.raises(TimedOut, match=r"^Pool timeout"):
            await post(request, slow.url, chat_id=2)
        with pytest.raises(TimedOut):
            await first


async def test_the_real_bot_sends_through_it_and_uploads_go_through_httpx(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    photo = tmp_path / "dot.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    standin.user_sends_text(42, "hello")
    async with Bot(TOKEN, base_url=standin.base_url, request=LeanRequest()) as bot:
        message = await bot.send_message(42, "<b>bold</b> &amp; plain", parse_mode="HTML")
        assert message.text == "bold & plain" and message.entities[0].type == "bold"
        sent = await bot.send_document(42, photo.read_bytes(), filename="dot.png")
        assert sent.document is not None
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(-1, "x")
