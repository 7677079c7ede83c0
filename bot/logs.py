"""Logging set-up: one line per event, third-party chatter at warning, never the token."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot.config import RedactTokenFilter

NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "tornado.access", "aiosqlite")


def token_safe_handler(
    stream: TextIO, token: str, secrets: tuple[str, ...] = ()
) -> logging.Handler:
    """A handler writing one line per record to ``stream``, the token and ``secrets`` (the
    proxy's password) scrubbed out."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokenFilter(token, secrets))
    return handler


def quiet_noisy_loggers() -> None:
    """Keep third-party chatter at warning."""
    for name in NOISY_LOGGERS:
        # httpx logs every request URL at INFO, and those URLs contain the token.
        logging.getLogger(name).setLevel(logging.WARNING)


def setup_logging(level: str, token: str = "", secrets: tuple[str, ...] = ()) -> None:
    """Log to stderr at ``level``; scrub the token and ``secrets`` from every line."""
    root = logging.getLogger()
    root.handlers[:] = [token_safe_handler(sys.stderr, token, secrets)]
    root.setLevel(level)
    quiet_noisy_loggers()
