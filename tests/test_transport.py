"""RetryingRequest over PTB's HTTPXRequest: which failures are retried (the call surely did
not go out) and which reach the caller (it may have)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from handlers.transport import RetryingRequest, bot_api_requests
from standin import BotApiStandIn, Fault
from tests.support.botapi import TOKEN
from tests.support.process import free_port

CHAT = 4242


def quick(**kwargs: object) -> RetryingRequest:
    return RetryingRequest(first_delay=0.01, **kwargs)  # type: ignore[arg-type]


def sends(standin: BotApiStandIn) -> list[int]:
    return [r.status for r in standin.requests if r.method == "sendMessage"]


async def test_it_is_ptbs_httpx_request_for_both_the_calls_and_the_long_poll() -> None:
    calls, updates = bot_api_requests(None)
    assert isinstance(calls, HTTPXRequest) and isinstance(updates, HTTPXRequest)
    assert type(updates) is HTTPXRequest


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_gateway_error_is_retried_until_the_call_goes_through(
    standin: BotApiStandIn, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    standin.register_chat(CHAT)
    failures = iter([status, status])

    def flaky(method: str, params: object) -> Fault | None:
        code = next(failures, None) if method == "sendMessage" else None
        return Fault.http(code) if code else None

    standin.set_fault(flaky)
    with caplog.at_level(logging.WARNING):
        async with Bot(TOKEN, base_url=standin.base_url, request=quick()) as bot:
            message = await bot.send_message(CHAT, "<b>hello</b>", parse_mode="HTML")
    assert message.text == "hello"
    assert sends(standin) == [status, status, 200]
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert retries == [
        f"sendMessage failed (HTTP {status}); retry 1 in 0.0 s",
        f"sendMessage failed (HTTP {status}); retry 2 in 0.0 s",
    ]
    assert not any(TOKEN in line for line in retries)


async def test_a_gateway_error_that_lasts_reaches_the_caller(standin: BotApiStandIn) -> None:
    standin.register_chat(CHAT)
    standin.set_fault(lambda method, params: 502 if method == "sendMessage" else None)
    async with Bot(TOKEN, base_url=standin.base_url, request=quick(attempts=3)) as bot:
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(CHAT, "x")
    assert sends(standin) == [502, 502, 502]


async def test_429_is_not_retried_here_but_reaches_ptb_as_retry_after(
    standin: BotApiStandIn,
) -> None:
    standin.register_chat(CHAT)
    standin.flood_limits(per_chat_per_second=None, overall_per_second=1, retry_after=7)
    async with Bot(TOKEN, base_url=standin.base_url, request=quick()) as bot:
        await bot.send_message(CHAT, "first")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "second")
    standin.disable_flood_limits()
    assert caught.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    assert sends(standin) == [200, 429]


async def test_a_read_timeout_is_not_retried_the_message_may_have_gone_out(
    standin: BotApiStandIn,
) -> None:
    standin.register_chat(CHAT)
    tries: list[str] = []

    def hang(method: str, params: object) -> Fault | None:
        if method != "sendMessage":
            return None
        tries.append(method)
        return Fault.hang(2.0)

    standin.set_fault(hang)
    request = quick(read_timeout=0.3)
    async with Bot(TOKEN, base_url=standin.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "x")
        await asyncio.sleep(0.5)  # a retry would have arrived by now
    assert tries == ["sendMessage"]


async def test_a_refused_connection_is_retried_and_then_reported() -> None:
    url = f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe"
    request = quick(attempts=3)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"^httpx\.ConnectError"):
            await request.do_request(url, "POST")
    finally:
        await request.shutdown()


async def test_a_connection_that_comes_back_is_used(
    standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """The Bot API is unreachable for a moment (a restart): the call waits and goes out."""
    port = free_port()
    relay_started = asyncio.Event()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", standin.port)

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
            sink.close()

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))

    async def open_later() -> asyncio.Server:
        await asyncio.sleep(0.1)
        server = await asyncio.start_server(relay, "127.0.0.1", port)
        relay_started.set()
        return server

    opening = asyncio.create_task(open_later())
    with caplog.at_level(logging.WARNING):
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=quick(attempts=8))
        async with bot:
            assert (await bot.get_me()).id == 123456789
    server = await opening
    server.close()
    assert relay_started.is_set()
    assert any("no connection" in r.getMessage() for r in caplog.records)


async def test_a_full_pool_is_retried_and_bad_requests_are_not(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    standin.register_chat(CHAT)
    standin.set_fault(
        lambda method, params: Fault.hang(0.4) if params.get("text") == "slow" else None
    )
    request = quick(connection_pool_size=1, pool_timeout=0.05, attempts=20)
    async with Bot(TOKEN, base_url=standin.base_url, request=request) as bot:
        slow = asyncio.create_task(bot.send_message(CHAT, "slow"))
        await asyncio.sleep(0.1)
        # The one connection is busy for a while: this call waits for it, then goes out.
        assert (await bot.send_message(CHAT, "fast")).text == "fast"
        await slow
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(-1, "x")
    assert sends(standin) == [200, 200, 400]


async def test_the_rate_limiter_never_lets_more_than_its_rate_through_in_any_second() -> None:
    from bot.app import smooth_rate_limiter

    limiter = smooth_rate_limiter(60)
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def call(*args: object, **kwargs: object) -> bool:
        times.append(loop.time())
        return True

    await asyncio.gather(
        *(
            limiter.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)
            for chat in range(100)
        )
    )
    await limiter.shutdown()
    assert len(times) == 100
    busiest = max(sum(1 for later in times if 0 <= later - t < 1.0) for t in times)
    assert busiest <= 60
