"""Configuration: defaults, every setting parsed, and one clear error per bad value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_API_URL,
    ConfigError,
    RedactTokenFilter,
    load_settings,
    prepare_database_path,
    read_dotenv,
)

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_"


def test_defaults_with_only_a_token() -> None:
    settings = load_settings({"BOT_TOKEN": TOKEN}, dotenv=None)
    assert settings.bot_token.value == TOKEN
    assert settings.bot_api_url == DEFAULT_API_URL
    assert settings.database_path == Path("data/massage-coach.sqlite3")
    assert settings.time_scale == 1.0
    assert settings.admin_ids == frozenset()
    assert settings.log_level == "INFO"
    assert settings.rate_limit_overall == 30.0
    assert not settings.uses_webhook


def test_every_setting_is_read() -> None:
    settings = load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": "http://127.0.0.1:8081/bot",
            "DATABASE_PATH": "/tmp/x/db.sqlite3",
            "TIME_SCALE": "0.01",
            "ADMIN_IDS": "1, 22,333",
            "LOG_LEVEL": "debug",
            "RATE_LIMIT_OVERALL": "0",
            "FLOOD_LIMIT": "0",
            "WEBHOOK_URL": "https://example.org/hook",
            "WEBHOOK_LISTEN": "0.0.0.0",
            "WEBHOOK_PORT": "8080",
            "WEBHOOK_SECRET": "s3cret_-x",
        },
        dotenv=None,
    )
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"
    assert settings.database_path == Path("/tmp/x/db.sqlite3")
    assert settings.time_scale == 0.01
    assert settings.admin_ids == {1, 22, 333}
    assert settings.log_level == "DEBUG"
    assert settings.rate_limit_overall == 0
    assert settings.flood_limit == 0
    assert settings.uses_webhook
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8080)
    assert settings.webhook_secret.value == "s3cret_-x"


@pytest.mark.parametrize(
    "url",
    [
        "http://proxy.lan:3128",
        "https://u:p@proxy.lan:8443",
        "socks5://coach:s%40cret@10.0.0.1:1080",
        "socks5h://proxy.lan:1080",
        "http://[::1]:3128",
    ],
)
def test_proxy_url_is_read_and_kept_secret(url: str) -> None:
    settings = load_settings({"BOT_TOKEN": TOKEN, "PROXY_URL": f" {url} "}, dotenv=None)
    assert settings.proxy_url.value == url
    assert url not in repr(settings)


def test_no_proxy_url_by_default_and_its_passwords_are_secrets() -> None:
    assert load_settings({"BOT_TOKEN": TOKEN}, dotenv=None).proxy_url.value == ""
    settings = load_settings(
        {"BOT_TOKEN": TOKEN, "PROXY_URL": "socks5://coach:s%40cret@proxy:1080"}, dotenv=None
    )
    assert settings.secrets == ("s%40cret", "s@cret")


def test_a_bad_proxy_url_is_shown_without_its_password() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"BOT_TOKEN": TOKEN, "PROXY_URL": "socks5://u:hunter2@host:x"}, dotenv=None)
    assert "hunter2" not in str(caught.value)
    assert "socks5://u:***@host:x" in str(caught.value)


def test_log_filter_redacts_the_proxy_password_in_both_spellings() -> None:
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "via %s and %s",
        ("socks5://coach:s%40cret@proxy:1080", "password s@cret"),
        None,
    )
    RedactTokenFilter(TOKEN, ("s%40cret", "s@cret")).filter(record)
    assert "s@cret" not in record.getMessage() and "s%40cret" not in record.getMessage()
    assert record.getMessage() == "via socks5://coach:<secret>@proxy:1080 and password <secret>"


def test_token_never_shows_in_repr() -> None:
    settings = load_settings({"BOT_TOKEN": TOKEN}, dotenv=None)
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings.bot_token)


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({}, "BOT_TOKEN is not set"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN does not look like"),
        ({"BOT_TOKEN": TOKEN, "TIME_SCALE": "fast"}, "TIME_SCALE must be a number"),
        ({"BOT_TOKEN": TOKEN, "TIME_SCALE": "-1"}, "TIME_SCALE must be a number >="),
        ({"BOT_TOKEN": TOKEN, "TIME_SCALE": "nan"}, "TIME_SCALE"),
        ({"BOT_TOKEN": TOKEN, "RATE_LIMIT_OVERALL": "lots"}, "RATE_LIMIT_OVERALL"),
        ({"BOT_TOKEN": TOKEN, "WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT"),
        ({"BOT_TOKEN": TOKEN, "FLOOD_LIMIT": "2.5"}, "FLOOD_LIMIT"),
        ({"BOT_TOKEN": TOKEN, "ADMIN_IDS": "1,bob"}, "ADMIN_IDS"),
        ({"BOT_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"BOT_TOKEN": TOKEN, "BOT_API_URL": "api.telegram.org"}, "BOT_API_URL"),
        ({"BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"BOT_TOKEN": TOKEN, "PROXY_URL": "127.0.0.1:3128"}, "PROXY_URL must look like"),
        ({"BOT_TOKEN": TOKEN, "PROXY_URL": "ftp://proxy:21"}, "PROXY_URL"),
        ({"BOT_TOKEN": TOKEN, "PROXY_URL": "socks5://u:pw@host:port"}, "PROXY_URL"),
        ({"BOT_TOKEN": TOKEN, "PROXY_URL": "http://proxy:3128/path"}, "PROXY_URL"),
        ({"BOT_TOKEN": TOKEN, "PROXY_URL": "http://:3128"}, "PROXY_URL"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle) as caught:
        load_settings(env, dotenv=None)
    assert "\n" not in str(caught.value)


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f'# comment\nexport BOT_TOKEN="{TOKEN}"\nTIME_SCALE=0.5 # inline comment\n'
        "LOG_LEVEL='WARNING'\n\n",
        encoding="utf-8",
    )
    assert read_dotenv(dotenv)["TIME_SCALE"] == "0.5"
    settings = load_settings({"LOG_LEVEL": "ERROR"}, dotenv=dotenv)
    assert settings.bot_token.value == TOKEN
    assert settings.time_scale == 0.5
    assert settings.log_level == "ERROR"


def test_malformed_dotenv_line_names_file_and_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("BOT_TOKEN\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.env:1"):
        load_settings({}, dotenv=dotenv)


def test_database_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "db.sqlite3"
    prepare_database_path(path)
    assert path.parent.is_dir()


def test_unwritable_database_folder_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="DATABASE_PATH"):
        prepare_database_path(blocker / "db.sqlite3")


def test_log_filter_redacts_token_in_messages_and_tracebacks() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", (f"https://x/bot{TOKEN}/getMe",), None
    )
    assert RedactTokenFilter(TOKEN).filter(record)
    assert TOKEN not in record.getMessage()
    assert "<token>" in record.getMessage()
    try:
        raise RuntimeError(f"failed at {TOKEN}")
    except RuntimeError as error:
        failed = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "boom", None, (type(error), error, None)
        )
    RedactTokenFilter(TOKEN).filter(failed)
    assert TOKEN not in logging.Formatter().format(failed)


def test_log_filter_redacts_a_url_encoded_token() -> None:
    encoded = TOKEN.replace(":", "%3A")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "GET /bot%s/getMe", (encoded,), None
    )
    RedactTokenFilter(TOKEN).filter(record)
    assert TOKEN.split(":")[1] not in record.getMessage()


def test_every_setting_is_documented_in_env_example_and_readme() -> None:
    from bot.config import SETTING_NAMES

    repo = Path(__file__).resolve().parent.parent
    example = (repo / ".env.example").read_text(encoding="utf-8")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    for name in SETTING_NAMES:
        assert f"\n{name}=" in example, name
        assert f"`{name}`" in readme, name
