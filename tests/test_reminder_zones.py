"""Time zones: the newest rules are used, and what people type resolves to the right zone."""

from __future__ import annotations

import os
import subprocess
import sys
import zoneinfo
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.reminders import RULES, zone_rules
from bot.reminders.zones import ZoneChoice, ZoneError, ZoneIndex, ZoneMatch

ZONES = ZoneIndex()
ROOT = Path(__file__).resolve().parent.parent


# -- which rules ------------------------------------------------------------------------------


def test_the_tzdata_package_rules_are_in_use() -> None:
    assert RULES.source == zone_rules.PACKAGE
    assert RULES.version == zone_rules.package_version() != ""
    assert zone_rules.in_use() == RULES


def test_vancouver_follows_the_newest_rules() -> None:
    # British Columbia keeps UTC-7 all year from 2026-11-01 (tzdata 2026a and later); an
    # older host copy still says UTC-8 for that winter, an hour off.
    winter = datetime(2026, 12, 1, 12, tzinfo=zoneinfo.ZoneInfo("America/Vancouver"))
    assert winter.utcoffset() == timedelta(hours=-7)


def _fresh(code: str, **env: str) -> str:
    """Run ``code`` in a new interpreter (zoneinfo's search path is set at its start)."""
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONTZPATH"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


VANCOUVER_WINTER = (
    "import bot.reminders, zoneinfo, datetime;"
    "z = zoneinfo.ZoneInfo('America/Vancouver');"
    "print(bot.reminders.RULES.source, datetime.datetime(2026, 12, 1, tzinfo=z).utcoffset())"
)


def test_a_fresh_process_uses_the_package_over_the_host_copy() -> None:
    # The host's tz files come first in zoneinfo's default search path; importing the
    # reminders feature must switch to the package before any zone is built.
    assert _fresh(VANCOUVER_WINTER) == "tzdata package -1 day, 17:00:00"


def test_a_newer_host_copy_is_kept(tmp_path: Path) -> None:
    (tmp_path / "tzdata.zi").write_text("# version 2999z\n", encoding="utf-8")
    code = "import bot.reminders as r; print(r.RULES.source, r.RULES.version)"
    assert _fresh(code, PYTHONTZPATH=str(tmp_path)) == "host 2999z"


def test_an_older_host_copy_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "tzdata.zi").write_text("# version 2020a\n", encoding="utf-8")
    code = "import bot.reminders as r, zoneinfo; print(r.RULES.source, zoneinfo.TZPATH)"
    assert _fresh(code, PYTHONTZPATH=str(tmp_path)) == "tzdata package ()"


def test_check_names_the_rules_in_use() -> None:
    assert RULES.describe().startswith(f"time-zone rules: {RULES.version} from the tzdata")


# -- what people type -------------------------------------------------------------------------

# typed -> the zone stored, and words the one-line note must contain ("" for no note)
RESOLVED: list[tuple[str, str, str]] = [
    # names, cities and offsets that worked before
    ("Europe/Berlin", "Europe/Berlin", ""),
    ("europe/berlin", "Europe/Berlin", ""),
    ("berlin", "Europe/Berlin", ""),
    ("Berln", "Europe/Berlin", ""),
    ("new york", "America/New_York", ""),
    ("New Yrok", "America/New_York", ""),
    ("in london", "Europe/London", ""),
    ("Mumbai", "Asia/Kolkata", ""),
    ("munich", "Europe/Berlin", ""),
    ("buenos aires", "America/Argentina/Buenos_Aires", ""),
    ("UTC", "UTC", ""),
    ("gmt", "UTC", ""),
    ("UTC+2", "UTC+02:00", ""),
    ("utc -5", "UTC-05:00", ""),
    ("-5", "UTC-05:00", ""),
    ("+5:30", "UTC+05:30", ""),
    ("GMT+0545", "UTC+05:45", ""),
    ("+0", "UTC", ""),
    ("UTC+14", "UTC+14:00", ""),
    ("UTC−3", "UTC-03:00", ""),
    ("Vancouver", "America/Vancouver", ""),
    ("Oslo", "Europe/Oslo", ""),
    ("Amsterdam", "Europe/Amsterdam", ""),
    ("Montreal", "America/Toronto", ""),
    # abbreviations and everyday names: a region zone that follows daylight saving
    ("EST", "America/New_York", "US Eastern time"),
    ("EDT", "America/New_York", "with daylight saving"),
    ("Eastern", "America/New_York", "US Eastern time"),
    ("eastern time", "America/New_York", "US Eastern time"),
    ("US/Eastern", "America/New_York", "US Eastern time"),
    ("CST", "America/Chicago", "Shanghai"),
    ("CDT", "America/Chicago", "US Central time"),
    ("Central", "America/Chicago", "US Central time"),
    ("MST", "America/Denver", "Phoenix"),
    ("Mountain", "America/Denver", "US Mountain time"),
    ("PST", "America/Los_Angeles", "US Pacific time"),
    ("PDT", "America/Los_Angeles", "US Pacific time"),
    ("Pacific Time", "America/Los_Angeles", "US Pacific time"),
    ("Pacific Standard Time", "America/Los_Angeles", "US Pacific time"),
    ("IST", "Asia/Kolkata", "no daylight saving"),
    ("BST", "Europe/London", "British time"),
    ("CET", "Europe/Berlin", "Central European time"),
    ("CEST", "Europe/Berlin", "Central European time"),
    ("MSK", "Europe/Moscow", "Moscow time"),
    ("AEST", "Australia/Sydney", "Brisbane"),
    ("AEDT", "Australia/Sydney", "Australian Eastern time"),
    ("HST", "Pacific/Honolulu", "Hawaii"),
    ("AKST", "America/Anchorage", "Alaska"),
    ("JST", "Asia/Tokyo", "Japan time"),
    ("NZDT", "Pacific/Auckland", "New Zealand time"),
    ("WET", "Europe/Lisbon", "Western European time"),
    # native spellings and old names -> the current zone
    ("Zürich", "Europe/Zurich", ""),
    ("München", "Europe/Berlin", ""),
    ("Kraków", "Europe/Warsaw", ""),
    ("Tokio", "Asia/Tokyo", ""),
    ("Lisboa", "Europe/Lisbon", ""),
    ("Kiev", "Europe/Kyiv", ""),
    ("Kyiv", "Europe/Kyiv", ""),
    ("Saigon", "Asia/Ho_Chi_Minh", ""),
    ("Calcutta", "Asia/Kolkata", ""),
    ("Wien", "Europe/Vienna", ""),
    ("Praha", "Europe/Prague", ""),
    ("Genève", "Europe/Zurich", ""),
    ("São Paulo", "America/Sao_Paulo", ""),
    ("Bogotá", "America/Bogota", ""),
    ("Europe/Kiev", "Europe/Kyiv", "old name of Europe/Kyiv"),
    ("Asia/Calcutta", "Asia/Kolkata", "old name of Asia/Kolkata"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh", "old name"),
    ("Canada/Pacific", "America/Vancouver", "old name"),
    ("american samoa", "Pacific/Pago_Pago", ""),
]

# typed -> the zones offered as buttons
ASKED: list[tuple[str, set[str]]] = [
    ("Samoa", {"Pacific/Apia", "Pacific/Pago_Pago"}),
    ("AST", {"America/Halifax", "Asia/Riyadh"}),
    ("EET", {"Europe/Athens", "Africa/Cairo"}),
    ("SST", {"Pacific/Pago_Pago", "Asia/Singapore"}),
]

# typed -> words the refusal must contain
REFUSED: list[tuple[str, str]] = [
    ("localtime", "not a place"),
    ("Factory", "not a place"),
    ("posix/Europe/Berlin", "not a place"),
    ("right/UTC", "not a place"),
    ("posixrules", "not a place"),
    ("UTC-5:30", "No place uses UTC-05:30"),
    ("UTC+3:45", "No place uses UTC+03:45"),
    ("-12", "No place uses UTC-12:00"),
    ("Springfield", "UTC+2"),
    ("Mars/Olympus", "UTC+2"),
    ("+15", "does not exist"),
    ("-13", "does not exist"),
    ("+5:20", "does not exist"),
    ("", "UTC+2"),
    ("ab", "UTC+2"),
]


@pytest.mark.parametrize(("text", "zone", "note"), RESOLVED, ids=[t for t, _, _ in RESOLVED])
def test_zone_is_read_as(text: str, zone: str, note: str) -> None:
    found = ZONES.read(text)
    assert isinstance(found, ZoneMatch)
    assert found.zone == zone and zone in ZONES
    assert note in found.note and bool(note) == bool(found.note)


@pytest.mark.parametrize(("text", "offered"), ASKED)
def test_a_name_several_places_use_gets_a_question(text: str, offered: set[str]) -> None:
    found = ZONES.read(text)
    assert isinstance(found, ZoneChoice)
    zones = {zone for _, zone in found.options}
    assert offered <= zones and all(zone in ZONES for zone in zones)


@pytest.mark.parametrize(("text", "says"), REFUSED)
def test_zone_is_refused_with_a_suggestion(text: str, says: str) -> None:
    with pytest.raises(ZoneError) as caught:
        ZONES.read(text)
    assert says in str(caught.value)


def test_the_unused_offset_refusal_suggests_the_nearest_and_a_city() -> None:
    with pytest.raises(ZoneError) as caught:
        ZONES.read("UTC-5:30")
    assert "UTC-06:00 or UTC-05:00" in str(caught.value) and "city" in str(caught.value)


def test_every_abbreviation_zone_follows_its_region() -> None:
    # The tz database's own EST is a fixed UTC-5 (no DST); the one people mean is not.
    summer = datetime(2026, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo(ZONES.resolve("EST")))
    assert summer.utcoffset() == timedelta(hours=-4)


def test_stored_old_names_still_work() -> None:
    # Chats that saved a zone before keep it: old names stay valid zones.
    assert "Europe/Kiev" in ZONES and "UTC-05:30" in ZONES
