"""Logging set-up: one line per event, third-party chatter at warning, never the token."""

from __future__ import annotations

import logging
import sys

from bot.config import RedactTokenFilter

NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "tornado.access", "aiosqlite")


def setup_logging(level: str, token: str = "") -> None:
    """Log to stderr at ``level``; scrub the token from every line that gets through."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokenFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        # httpx logs every request URL at INFO, and those URLs contain the token.
        logging.getLogger(name).setLevel(logging.WARNING)
