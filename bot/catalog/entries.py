"""Content entries as data: what an entry, a routine step, a section and the catalog hold."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from bot.pictures.spec import PictureSpec

KINDS = ("prep", "product", "technique", "routine", "tip", "safety", "faq")
ZONES = ("upper", "mid", "lower", "shoulders", "neck", "sides")
PRESSURES = ("none", "light", "medium", "firm")
MIN_STEP_SECONDS = 20


@dataclass(frozen=True)
class RoutineStep:
    """One timed step of a routine: which technique, for how long, and what to say."""

    technique: str
    seconds: int
    cue: str = ""
    halfway: str = ""
    drop: int | None = None


@dataclass(frozen=True)
class Entry:
    """A technique, tip, routine or other answer the bot can give."""

    id: str
    kind: str
    title: str
    summary: str
    body: str
    aliases: tuple[str, ...]
    source: str
    keywords: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    pressure: str = ""
    duration: str = ""
    cautions: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    length_minutes: tuple[int, int] | None = None
    steps: tuple[RoutineStep, ...] = ()
    picture: PictureSpec | None = None  # techniques only; bot/pictures/spec.py

    @property
    def total_seconds(self) -> int:
        return sum(step.seconds for step in self.steps)


@dataclass(frozen=True)
class Section:
    """One content file: its title and the ids it holds, in file order."""

    name: str
    title: str
    entry_ids: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """All entries, in file order, with lookups by id and kind."""

    entries: Mapping[str, Entry]
    sections: tuple[Section, ...] = field(default=())

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def of_kind(self, kind: str) -> list[Entry]:
        return [entry for entry in self.entries.values() if entry.kind == kind]

    def routines_using(self, technique_id: str) -> list[Entry]:
        return [
            entry
            for entry in self.of_kind("routine")
            if any(step.technique == technique_id for step in entry.steps)
        ]


def searchable_text(entry: Entry) -> str:
    """Everything a search may match for this entry, in one text."""
    return "\n".join(
        part
        for part in (entry.title, *entry.aliases, *entry.keywords, entry.summary, entry.body)
        if part
    )
