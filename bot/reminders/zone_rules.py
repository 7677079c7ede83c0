"""Which copy of the IANA time-zone rules the process uses: the newest one it has.

``zoneinfo`` reads the host's tz files (its TZPATH) before the ``tzdata`` package, and a
host copy is often older: with 2025b on the host and 2026f in the package, a Vancouver
user would be an hour off from 2026-11-01. ``prefer_newest`` empties TZPATH when the
package is newer, so ``zoneinfo`` falls back to the package's data. It runs when
``bot.reminders`` is first imported, before any reminder builds a ZoneInfo, so the bot,
the command line, the benches and the tests all see the same rules.
"""

from __future__ import annotations

import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "tzdata package"
HOST = "host"
_VERSION = re.compile(r"^#\s*version\s+(\S+)")


@dataclass(frozen=True)
class RulesInUse:
    """Where the zone rules come from ('tzdata package' or 'host') and their version."""

    source: str
    version: str
    path: str = ""

    def describe(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"time-zone rules: {self.version} from the {self.source}{where}"


def package_version() -> str:
    """The IANA version of the ``tzdata`` package's data, from its own tzdata.zi."""
    try:
        zi = importlib.resources.files("tzdata.zoneinfo") / "tzdata.zi"
        with zi.open("r", encoding="utf-8") as file:
            match = _VERSION.match(file.readline())
    except (ModuleNotFoundError, OSError):
        return ""
    return match[1] if match else ""


def host_version(tzpath: tuple[str, ...]) -> tuple[str, str] | None:
    """(version, folder) of the first host copy that names its version in tzdata.zi."""
    for folder in tzpath:
        try:
            with open(Path(folder) / "tzdata.zi", encoding="utf-8") as file:
                match = _VERSION.match(file.readline())
        except OSError:
            continue
        if match:
            return match[1], folder
    return None


def _newer(version: str, than: str) -> bool:
    # IANA versions are a year and a letter ("2025b" < "2026f"); longer letters come later.
    return (len(version), version) > (len(than), than)


def prefer_newest() -> RulesInUse:
    """Make zoneinfo use the package's rules unless the host copy is newer; say which."""
    package = package_version()
    if not package:
        return in_use()  # no package data: the host copy is all there is
    if not zoneinfo.TZPATH:
        return RulesInUse(PACKAGE, package)
    host = host_version(zoneinfo.TZPATH)
    if host is not None and not _newer(package, host[0]):
        return RulesInUse(HOST, host[0], host[1])
    zoneinfo.reset_tzpath([])
    zoneinfo.ZoneInfo.clear_cache()  # nothing built from the older copy survives
    return RulesInUse(PACKAGE, package)


def in_use() -> RulesInUse:
    """The rules zoneinfo reads now (after ``prefer_newest``)."""
    if not zoneinfo.TZPATH:
        return RulesInUse(PACKAGE, package_version())
    host = host_version(zoneinfo.TZPATH)
    return RulesInUse(HOST, host[0] if host else "unknown", host[1] if host else "")


def data_file(name: str) -> str:
    """A text file of the rules in use (tzdata.zi, zone.tab), '' when there is none."""
    rules = in_use()
    try:
        if rules.source == PACKAGE:
            return (importlib.resources.files("tzdata.zoneinfo") / name).read_text("utf-8")
        return (Path(rules.path) / name).read_text(encoding="utf-8")
    except OSError:
        return ""
