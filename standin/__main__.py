"""Run the stand-in standalone: ``python -m standin --port 8081`` prints its base URL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import signal
import sys

from standin.server import running_standin


async def _serve_until_signalled(args: argparse.Namespace) -> None:
    async with running_standin(
        host=args.host,
        port=args.port,
        default_token=args.token,
        check_chats=not args.no_chat_check,
    ) as server:
        if args.flood:
            server.flood_limits(args.flood_per_chat, args.flood_overall, args.flood_retry_after)
        print(server.base_url, flush=True)
        print(
            f"Bot API stand-in running; drive users with POST "
            f"http://{args.host}:{server.port}/standin/<action>; Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        freezer = asyncio.create_task(_freeze_gc(args.freeze_gc)) if args.freeze_gc else None
        await stop.wait()
        if freezer is not None:
            freezer.cancel()


async def _freeze_gc(every: float) -> None:
    """Keep the stand-in's pauses short under benchmark load.

    The stand-in keeps every message it was sent, so its heap only grows, and each full
    collection walks all of it: pauses of 70-130 ms after a few thousand messages, which a
    benchmark would charge to the bot. Every ``every`` seconds the young generations are
    collected and the survivors moved out of the collector's sight (``gc.freeze``). The stored
    messages are plain JSON data without cycles, freed by reference counting as before; a
    cycle still alive at a freeze is never collected, a small leak a benchmark can afford.
    """
    while True:
        await asyncio.sleep(every)
        gc.collect(1)
        gc.freeze()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m standin", description="Local stand-in for the Telegram Bot API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="the bot the /standin/ actions address")
    parser.add_argument("--no-chat-check", action="store_true", help='no "chat not found"')
    parser.add_argument("--flood", action="store_true", help="enable flood control")
    parser.add_argument("--flood-per-chat", type=float, default=1.0)
    parser.add_argument("--flood-overall", type=float, default=30.0)
    parser.add_argument("--flood-retry-after", type=int, default=None)
    parser.add_argument(
        "--freeze-gc",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="for benchmarks: freeze surviving objects every SECONDS (no long GC pauses)",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_until_signalled(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
