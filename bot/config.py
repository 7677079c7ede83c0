"""Settings read from the environment and an optional ``.env`` file."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_PATH = "data/massage-coach.sqlite3"
# Telegram tokens look like "123456789:AAE..." (bot id, colon, 35 url-safe characters).
TOKEN_PATTERN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,50}$")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# Every environment variable the bot reads (each one documented in .env.example).
SETTING_NAMES = (
    "BOT_TOKEN",
    "BOT_API_URL",
    "DATABASE_PATH",
    "TIME_SCALE",
    "ADMIN_IDS",
    "LOG_LEVEL",
    "RATE_LIMIT_OVERALL",
    "FLOOD_LIMIT",
    "WEBHOOK_URL",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "WEBHOOK_SECRET",
    "PROXY_URL",
    "SEMANTIC_SEARCH",
)
# What httpx (and so PTB's HTTPXRequest) can use as a proxy; socks5h resolves names there.
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class ConfigError(Exception):
    """A setting is missing or malformed; the message says what to fix."""


@dataclass(frozen=True)
class Secret:
    """A value that never shows itself in reprs, logs or tracebacks."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "**********" if self.value else ""


@dataclass(frozen=True)
class Settings:
    """Every setting the bot reads; see ``.env.example`` for what each one does."""

    bot_token: Secret
    bot_api_url: str = DEFAULT_API_URL
    database_path: Path = Path(DEFAULT_DATABASE_PATH)
    time_scale: float = 1.0
    admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    rate_limit_overall: float = 30.0
    flood_limit: int = 20
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Secret = Secret("")
    # Empty: httpx's default, which honours HTTPS_PROXY, ALL_PROXY and NO_PROXY.
    proxy_url: Secret = Secret("")
    semantic_search: bool = True
    pictures: bool = True

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook_url)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values besides the token that must never reach a log line."""
        return proxy_passwords(self.proxy_url.value)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse ``KEY=value`` lines; ``#`` comments, ``export`` and quotes are allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(f"{path}:{number}: expected KEY=value, got {raw.strip()!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum or value != value or value == float("inf"):
        raise ConfigError(f"{name} must be a number >= {minimum:g}, got {raw!r}")
    return value


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number >= 0, got {raw!r}")
    return int(raw)


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("on", "off"):
        raise ConfigError(f"{name} must be on or off, got {raw!r}")
    return raw == "on"


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"{name} must be a port number between 1 and 65535, got {raw!r}")
    return int(raw)


def _admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"ADMIN_IDS must be comma-separated Telegram user ids, got {part!r}")
        ids.add(int(part))
    return frozenset(ids)


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if value and not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must start with http:// or https://, got {value!r}")
    return value


def without_password(url: str) -> str:
    """``url`` with the password of its user part replaced by ``***``, for messages."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}{sep}{userinfo.partition(':')[0]}:***@{host}"


def proxy_passwords(url: str) -> tuple[str, ...]:
    """The password in a proxy URL as written and percent-decoded (empty if none)."""
    userinfo, at, _ = url.partition("://")[2].rpartition("@")
    password = userinfo.partition(":")[2] if at else ""
    return tuple(dict.fromkeys(part for part in (password, unquote(password)) if part))


def _proxy_url(env: Mapping[str, str]) -> Secret:
    raw = env.get("PROXY_URL", "").strip()
    if not raw:
        return Secret("")
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if (
        parts.scheme.lower() not in PROXY_SCHEMES
        or not parts.hostname
        or port == 0
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(
            "PROXY_URL must look like http://host:port, https://host:port or "
            f"socks5://user:password@host:port, got {without_password(raw)!r}"
        )
    return Secret(raw)


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    dotenv: Path | None = Path(".env"),
    require_token: bool = True,
) -> Settings:
    """Build settings from ``.env`` overlaid by the real environment.

    Raises:
        ConfigError: with one line that names the setting and what to fix.
    """
    env: dict[str, str] = read_dotenv(dotenv) if dotenv is not None else {}
    env.update(os.environ if environ is None else environ)

    token = env.get("BOT_TOKEN", "").strip()
    if require_token and not token:
        raise ConfigError("BOT_TOKEN is not set: get a token from @BotFather and put it in .env")
    if token and not TOKEN_PATTERN.match(token):
        raise ConfigError(
            "BOT_TOKEN does not look like a bot token (expected digits, a colon and about "
            "35 letters, as @BotFather gives it)"
        )

    log_level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")

    secret = env.get("WEBHOOK_SECRET", "").strip()
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError(
            "WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256 characters)"
        )
    time_scale = _number(env, "TIME_SCALE", 1.0, minimum=0.0001)
    webhook_url = _url(env, "WEBHOOK_URL", "")
    if webhook_url and not secret:
        # Without the secret anyone who learns the URL can post forged updates.
        raise ConfigError(
            "WEBHOOK_SECRET must be set when WEBHOOK_URL is (letters, digits, _ and -; "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )

    return Settings(
        bot_token=Secret(token),
        bot_api_url=_url(env, "BOT_API_URL", DEFAULT_API_URL),
        database_path=Path(env.get("DATABASE_PATH", "").strip() or DEFAULT_DATABASE_PATH),
        time_scale=time_scale,
        admin_ids=_admin_ids(env.get("ADMIN_IDS", "")),
        log_level=log_level,
        rate_limit_overall=_number(env, "RATE_LIMIT_OVERALL", 30.0, minimum=0.0),
        flood_limit=_whole(env, "FLOOD_LIMIT", 20),
        webhook_url=webhook_url,
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=_port(env, "WEBHOOK_PORT", 8443),
        webhook_secret=Secret(secret),
        proxy_url=_proxy_url(env),
        semantic_search=_switch(env, "SEMANTIC_SEARCH", True),
        pictures=_switch(env, "PICTURES", True),
    )


def prepare_database_path(path: Path) -> None:
    """Create the database's folder and prove it is writable, or raise ConfigError."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"DATABASE_PATH folder {folder} cannot be created: {error.strerror}"
        ) from None
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(f"DATABASE_PATH {path} is not writable")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"DATABASE_PATH folder {folder} is not writable")


class RedactTokenFilter(logging.Filter):
    """Logging filter that scrubs the token (and other secrets) from every record passing
    through a handler.

    Both the whole token and its secret half are scrubbed: a URL-encoded token
    ("123%3AABC...") still carries the secret half verbatim. ``secrets`` (the proxy's
    password, as written and decoded) become ``<secret>``.
    """

    def __init__(self, token: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        secret = token.partition(":")[2]
        tokens = [(part, "<token>") for part in (token, secret) if part]
        others = [(part, "<secret>") for part in secrets if part]
        # Longest first, so a secret inside another one cannot leave a piece behind.
        self._needles = tuple(sorted(tokens + others, key=lambda pair: -len(pair[0])))

    def _scrub(self, text: str) -> str:
        for needle, replacement in self._needles:
            text = text.replace(needle, replacement)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._needles:
            return True
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if scrubbed != message:
            record.msg = scrubbed
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self._scrub(text) != text:
                record.exc_text = self._scrub(text)
        return True
