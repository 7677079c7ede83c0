"""Behind a proxy: the bot reaches the Bot API under a host name only the proxy can resolve,
with PROXY_URL (HTTP forward, HTTP CONNECT, SOCKS5, all with user:password) and with the
standard HTTPS_PROXY / HTTP_PROXY variables. A call that skipped the proxy could not even
resolve the name, so a bot that starts, answers and runs a timed step went through it."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest

from standin import BotApiStandIn
from tests.support.app import running_bot
from tests.support.botapi import TOKEN
from tests.support.proxy import (
    HIDDEN_HOST,
    PROXY_PASSWORD,
    PROXY_USER,
    LoopbackProxy,
    tls_front,
)

CASES = {
    # name: (how the proxy is given, proxy scheme, Bot API scheme, expected proxy mode)
    "PROXY_URL-http-forward": ("PROXY_URL", "http", "http", "forward"),
    "PROXY_URL-http-connect": ("PROXY_URL", "http", "https", "connect"),
    "PROXY_URL-socks5": ("PROXY_URL", "socks5", "http", "socks5"),
    "HTTPS_PROXY-connect": ("HTTPS_PROXY", "http", "https", "connect"),
    "HTTP_PROXY-forward": ("HTTP_PROXY", "http", "http", "forward"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_the_bot_works_only_through_the_proxy(
    case: str,
    standin: BotApiStandIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    given, proxy_scheme, api_scheme, mode = CASES[case]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)
    ca_file = tmp_path / "ca.pem"
    async with (
        LoopbackProxy(user=PROXY_USER, password=PROXY_PASSWORD) as proxy,
        tls_front(standin.port, ca_file) as tls_port,
    ):
        port = tls_port if api_scheme == "https" else standin.port
        env = {"BOT_API_URL": f"{api_scheme}://{HIDDEN_HOST}:{port}/bot"}
        if given == "PROXY_URL":
            env["PROXY_URL"] = proxy.url(proxy_scheme)
        else:
            monkeypatch.setenv(given, proxy.url(proxy_scheme))
        # The trust store httpx reads when told to: the CA that signed the TLS front.
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        with caplog.at_level(logging.WARNING):
            async with running_bot(standin, tmp_path / "db.sqlite3", **env) as bot:
                answer = await bot.say("how hard should I press")
                checklist = await bot.say("quick relax session")
                await bot.press(checklist, "Start")
                first = await bot.next_message()
                second = await bot.next_message()  # sent by the timer, not by a user action
        assert not proxy.refused
    assert "pressure" in answer["text"].lower()
    assert "1/6" in first["text"] or "Step 1" in first["text"], first["text"]
    assert second["text"] != first["text"]
    assert {carried.mode for carried in proxy.carried} == {mode}
    assert {(c.host, c.port) for c in proxy.carried} == {(HIDDEN_HOST, port)}
    made = Counter(record.method for record in standin.requests)
    assert made["getMe"] == 1 and made["sendMessage"] >= 4 and made["getUpdates"] >= 1
    if mode == "forward":
        # Every request the stand-in saw was one the proxy carried.
        forwarded = Counter(carried.method for carried in proxy.carried)
        assert all(forwarded[method] >= count for method, count in made.items()), (
            forwarded,
            made,
        )
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_without_the_proxy_the_hidden_host_is_unreachable(
    standin: BotApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the same settings minus the proxy cannot even start the bot."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    from telegram.error import NetworkError

    from bot.app import build
    from tests.support.app import settings_for, shipped_catalog

    settings = settings_for(
        standin,
        tmp_path / "db.sqlite3",
        BOT_API_URL=f"http://{HIDDEN_HOST}:{standin.port}/bot",
    )
    app = build(settings, shipped_catalog())
    # No retries: one attempt is enough to show the name does not resolve here.
    app.bot.request._attempts = 1  # type: ignore[attr-defined]
    with pytest.raises(NetworkError, match="ConnectError"):
        await app.initialize()
    await app.shutdown()


async def test_proxy_url_wins_over_the_environment(
    standin: BotApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PROXY_URL set, HTTP_PROXY pointing at a dead port is not used."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    async with (
        LoopbackProxy(user=PROXY_USER, password=PROXY_PASSWORD) as proxy,
        running_bot(
            standin,
            tmp_path / "db.sqlite3",
            BOT_API_URL=f"http://{HIDDEN_HOST}:{standin.port}/bot",
            PROXY_URL=proxy.url("http"),
        ) as bot,
    ):
        await bot.say("/help")
    assert proxy.carried


async def test_wrong_proxy_credentials_are_refused(tmp_path: Path) -> None:
    """The test proxy does check credentials (so the cases above prove they were sent)."""
    import httpx

    async with LoopbackProxy(user=PROXY_USER, password=PROXY_PASSWORD) as proxy:
        wrong = f"http://{PROXY_USER}:nope@127.0.0.1:{proxy.port}"
        async with httpx.AsyncClient(proxy=wrong, trust_env=False) as client:
            answer = await client.get(f"http://{HIDDEN_HOST}:1/")
    assert answer.status_code == 407
    assert proxy.refused and not proxy.carried


async def test_python_m_bot_through_a_socks5_proxy_never_logs_its_password(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    """The real process at DEBUG, behind a SOCKS5 proxy that is down for its first calls."""
    from tests.support.process import free_port, start_bot

    port = free_port()
    bot = await start_bot(
        standin,
        tmp_path,
        BOT_API_URL=f"http://{HIDDEN_HOST}:{standin.port}/bot",
        PROXY_URL=f"socks5://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}",
        LOG_LEVEL="DEBUG",
    )
    try:
        for _ in range(300):
            if "retry" in bot.log:
                break
            await asyncio.sleep(0.05)
        async with LoopbackProxy(user=PROXY_USER, password=PROXY_PASSWORD, bind_port=port):
            await standin.wait_for_request("setMyShortDescription", timeout=30)
            standin.user_sends_text(5252, "/help")
            await standin.wait_for_message(5252, timeout=15)
            assert await bot.terminate() == 0
    finally:
        await bot.kill()
    log = bot.log
    assert "retry" in log  # the proxy was down at first: the failed calls were logged
    assert "started as @" in log
    assert PROXY_PASSWORD not in log
    assert TOKEN not in log


async def test_a_proxy_that_cannot_reach_the_bot_api_is_retried_then_reported() -> None:
    """A refused tunnel means nothing was sent: retried, then a NetworkError to the caller."""
    from telegram.error import NetworkError

    from handlers.transport import RetryingRequest

    async with LoopbackProxy(hosts={}, user=PROXY_USER, password=PROXY_PASSWORD) as proxy:
        request = RetryingRequest(attempts=3, first_delay=0.01, proxy=proxy.url())
        await request.initialize()
        try:
            with pytest.raises(NetworkError, match=r"^httpx\.ProxyError"):
                await request.do_request(f"https://{HIDDEN_HOST}/bot{TOKEN}/getMe", "POST")
        finally:
            await request.shutdown()
    assert proxy.refused == [f"{HIDDEN_HOST}:443 unreachable"] * 3
