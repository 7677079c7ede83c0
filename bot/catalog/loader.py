"""Load ``content/*.yaml`` and validate every entry once at start-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from bot.catalog.cards import render_entry_card
from bot.catalog.entries import (
    KINDS,
    MIN_STEP_SECONDS,
    PRESSURES,
    ZONES,
    Catalog,
    Entry,
    RoutineStep,
    Section,
)
from bot.catalog.files import CONTENT_DIR, ContentError, read_yaml
from bot.pictures.spec import picture_problems

TELEGRAM_MESSAGE_LIMIT = 4096

_REQUIRED = ("id", "kind", "title", "summary", "body", "aliases")
_OPTIONAL = ("keywords", "zones", "pressure", "duration", "cautions", "related", "picture")
_ROUTINE_ONLY = ("length_minutes", "steps")
_STEP_REQUIRED = ("technique", "seconds")
_STEP_OPTIONAL = ("cue", "halfway", "drop")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _strings(value: object, where: str, name: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"{where}: {name} must be a list of texts")
        return ()
    items = tuple(item.strip() for item in value)
    if any(not item for item in items):
        problems.append(f"{where}: {name} has an empty item")
    return tuple(item for item in items if item)


def _steps(raw: object, where: str, problems: list[str]) -> tuple[RoutineStep, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: a routine needs a non-empty list of steps")
        return ()
    steps: list[RoutineStep] = []
    for number, item in enumerate(raw, start=1):
        here = f"{where} step {number}"
        if not isinstance(item, dict):
            problems.append(f"{here}: expected technique, seconds and an optional cue")
            continue
        unknown = sorted(set(item) - set(_STEP_REQUIRED) - set(_STEP_OPTIONAL))
        if unknown:
            problems.append(f"{here}: unknown field(s) {', '.join(map(str, unknown))}")
        missing = [name for name in _STEP_REQUIRED if name not in item]
        if missing:
            problems.append(f"{here}: missing field(s) {', '.join(missing)}")
            continue
        seconds = item["seconds"]
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < MIN_STEP_SECONDS:
            problems.append(f"{here}: seconds must be a whole number >= {MIN_STEP_SECONDS}")
            continue
        drop = item.get("drop")
        if drop is not None and (not isinstance(drop, int) or isinstance(drop, bool) or drop < 1):
            problems.append(f"{here}: drop must be a positive whole number")
            drop = None
        steps.append(
            RoutineStep(
                technique=_text(item["technique"]),
                seconds=seconds,
                cue=_text(item.get("cue")),
                halfway=_text(item.get("halfway")),
                drop=drop,
            )
        )
    return tuple(steps)


def _length(raw: object, where: str, problems: list[str]) -> tuple[int, int] | None:
    if (
        isinstance(raw, list)
        and len(raw) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in raw)
        and 0 < raw[0] <= raw[1]
    ):
        return (raw[0], raw[1])
    problems.append(f"{where}: length_minutes must be [min, max] in whole minutes")
    return None


def _entry(raw: object, source: str, index: int, problems: list[str]) -> Entry | None:
    if not isinstance(raw, dict):
        problems.append(f"{source} entry {index}: expected a mapping of fields")
        return None
    entry_id = _text(raw.get("id")) or f"#{index}"
    where = f"{source} entry {entry_id}"
    kind = _text(raw.get("kind"))
    allowed = (
        set(_REQUIRED) | set(_OPTIONAL) | (set(_ROUTINE_ONLY) if kind == "routine" else set())
    )
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    missing = [name for name in _REQUIRED if _blank(raw.get(name))]
    if kind == "routine":
        missing += [name for name in _ROUTINE_ONLY if name not in raw]
    if missing:
        problems.append(f"{where}: missing or empty field(s) {', '.join(missing)}")
        return None
    for name in ("id", "kind", "title", "summary", "body"):
        if not _text(raw[name]):
            problems.append(f"{where}: {name} must be non-empty text")
            return None
    if kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    zones = _strings(raw.get("zones"), where, "zones", problems)
    bad_zones = [zone for zone in zones if zone not in ZONES]
    if bad_zones:
        problems.append(f"{where}: unknown zone(s) {', '.join(bad_zones)}")
    pressure = _text(raw.get("pressure"))
    if pressure and pressure not in PRESSURES:
        problems.append(f"{where}: pressure must be one of {', '.join(PRESSURES)}")
    duration = raw.get("duration")
    if duration is not None and not isinstance(duration, str):
        problems.append(f"{where}: duration must be text such as '2-3 minutes'")
    return Entry(
        id=entry_id,
        kind=kind,
        title=_text(raw["title"]),
        summary=_text(raw["summary"]),
        body=_text(raw["body"]),
        aliases=_strings(raw.get("aliases"), where, "aliases", problems),
        source=source,
        keywords=_strings(raw.get("keywords"), where, "keywords", problems),
        zones=zones,
        pressure=pressure,
        duration=_text(duration),
        cautions=_strings(raw.get("cautions"), where, "cautions", problems),
        related=_strings(raw.get("related"), where, "related", problems),
        length_minutes=_length(raw["length_minutes"], where, problems)
        if kind == "routine"
        else None,
        steps=_steps(raw["steps"], where, problems) if kind == "routine" else (),
        picture=picture_problems(raw.get("picture"), kind, where, problems),
    )


def _check_links(entries: Mapping[str, Entry], problems: list[str]) -> None:
    for entry in entries.values():
        where = f"{entry.source} entry {entry.id}"
        for related in entry.related:
            if related not in entries:
                problems.append(f"{where}: related entry {related} does not exist")
        for number, step in enumerate(entry.steps, start=1):
            target = entries.get(step.technique)
            if target is None or target.kind != "technique":
                problems.append(f"{where} step {number}: no technique with id {step.technique!r}")
        if entry.length_minutes and entry.steps:
            low, high = entry.length_minutes
            total = entry.total_seconds
            if not low * 60 <= total <= high * 60:
                problems.append(
                    f"{where}: steps add up to {total} s, outside length_minutes {low}-{high}"
                )


def _load_file(path: Path, problems: list[str]) -> tuple[str, list[object]]:
    source = f"content/{path.name}"
    before = len(problems)
    data = read_yaml(path, source, problems)
    if len(problems) > before:
        return "", []
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        problems.append(f"{source}: expected 'section:' and a list under 'entries:'")
        return "", []
    unknown = sorted(str(key) for key in data if key not in ("section", "entries"))
    if unknown:
        problems.append(f"{source}: unknown top-level field(s) {', '.join(unknown)}")
    return _text(data.get("section")) or path.stem, list(data["entries"])


def load_catalog(
    directory: Path = CONTENT_DIR,
    *,
    render: Callable[[Entry, Catalog], str] | None = None,
) -> Catalog:
    """Load every ``*.yaml`` file in ``directory`` (not its subfolders) and validate it.

    Args:
        directory: folder holding one YAML file per section.
        render: optional ``(entry, catalog) -> str`` used to check each rendered card
            fits in one Telegram message; defaults to the bot's own card renderer.

    Raises:
        ContentError: naming the file and entry of every problem found.
    """
    problems: list[str] = []
    entries: dict[str, Entry] = {}
    sections: list[Section] = []
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise ContentError([f"{directory}: no content files (*.yaml) found"])
    for path in paths:
        title, raw_entries = _load_file(path, problems)
        ids: list[str] = []
        for index, raw in enumerate(raw_entries, start=1):
            entry = _entry(raw, f"content/{path.name}", index, problems)
            if entry is None:
                continue
            if entry.id in entries:
                problems.append(
                    f"{entry.source} entry {entry.id}: duplicate id, "
                    f"already defined in {entries[entry.id].source}"
                )
                continue
            entries[entry.id] = entry
            ids.append(entry.id)
        sections.append(Section(name=path.stem, title=title, entry_ids=tuple(ids)))
    _check_links(entries, problems)
    catalog = Catalog(entries=entries, sections=tuple(sections))
    if render is None:
        render = render_entry_card
    for entry in catalog:
        length = len(render(entry, catalog))
        if length > TELEGRAM_MESSAGE_LIMIT:
            problems.append(
                f"{entry.source} entry {entry.id}: rendered card is {length} characters, "
                f"over Telegram's {TELEGRAM_MESSAGE_LIMIT}"
            )
    if problems:
        raise ContentError(problems)
    return catalog
