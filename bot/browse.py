"""Entry cards with their buttons, the /techniques menus, and the ``ask:``/``br:`` button data.

Button data is built and parsed only here. ``ask:<entry id>`` opens an entry's card as a new
message; ``br:home``, ``br:s:<section>`` and ``br:e:<section>:<entry id>`` are the browse
menu, edited in place, where the section in an entry's data is where "back" returns to.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards import html_text, render_entry_card
from bot.content import Catalog, Entry
from bot.messaging import Button, Reply

ASK_PREFIX = "ask:"
BROWSE_PREFIX = "br:"
MAX_RELATED = 3
MAX_LABEL = 32

# The browse menu: (content section file name, button label), one row per tuple.
ZONE_SECTIONS = (
    ("upper-back", "🙆 Upper back & shoulders"),
    ("lower-back", "🧍 Lower back"),
    ("techniques", "🖐 General strokes"),
)
KIND_SECTIONS = (
    ("routines", "▶️ Routines"),
    ("prep", "🧺 Preparation"),
    ("products", "🧴 Products"),
    ("tips", "💡 Tips"),
    ("safety", "🛟 Safety"),
    ("faq", "❓ Questions"),
)
BROWSE_LABELS = dict(ZONE_SECTIONS + KIND_SECTIONS)

BROWSE_INTRO = (
    "📚 <b>Browse techniques and tips</b>\n"
    "By part of the back, or by kind. You can also just type a question."
)


@dataclass(frozen=True)
class OpenEntry:
    """Show an entry's card as a new message."""

    entry_id: str


@dataclass(frozen=True)
class BrowseHome:
    """Show the top of the browse menu."""


@dataclass(frozen=True)
class BrowseSection:
    """List one section's entries."""

    section: str


@dataclass(frozen=True)
class BrowseEntry:
    """Show an entry inside the browse menu, with a way back to ``section``."""

    section: str
    entry_id: str


Action = OpenEntry | BrowseHome | BrowseSection | BrowseEntry


def ask_data(entry_id: str) -> str:
    return f"{ASK_PREFIX}{entry_id}"


def home_data() -> str:
    return f"{BROWSE_PREFIX}home"


def section_data(section: str) -> str:
    return f"{BROWSE_PREFIX}s:{section}"


def entry_data(section: str, entry_id: str) -> str:
    return f"{BROWSE_PREFIX}e:{section}:{entry_id}"


def parse(data: str, catalog: Catalog) -> Action | None:
    """The action a button stands for, or None when the data is forged or names what is gone."""
    sections = {section.name for section in catalog.sections}
    if data.startswith(ASK_PREFIX):
        entry_id = data[len(ASK_PREFIX) :]
        return OpenEntry(entry_id) if entry_id in catalog else None
    if not data.startswith(BROWSE_PREFIX):
        return None
    parts = data[len(BROWSE_PREFIX) :].split(":")
    if parts == ["home"]:
        return BrowseHome()
    if len(parts) == 2 and parts[0] == "s" and parts[1] in sections:
        return BrowseSection(parts[1])
    if len(parts) == 3 and parts[0] == "e" and parts[1] in sections and parts[2] in catalog:
        return BrowseEntry(parts[1], parts[2])
    return None


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def session_buttons(entry: Entry, catalog: Catalog) -> tuple[Button, ...]:
    """Practise a technique, or start the routine it belongs to (handled by sessions)."""
    row: list[Button] = []
    if entry.kind == "technique":
        row.append(Button("🖐 Practice 2 min", data=f"ses:practice:{entry.id}"))
    routine = (
        entry if entry.kind == "routine" else next(iter(catalog.routines_using(entry.id)), None)
    )
    if routine is not None:
        row.append(Button("▶️ Start a guided session", data=f"ses:start:{routine.id}"))
    return tuple(row)


def related(entry: Entry, catalog: Catalog) -> list[Entry]:
    """Entries to offer next: its own related list, then others of the same routine or zone."""
    found = [catalog.entries[i] for i in entry.related if i in catalog]
    if len(found) < MAX_RELATED and entry.zones:
        found += [
            other
            for other in catalog.of_kind("technique")
            if other.id != entry.id
            and other not in found
            and other.zones
            and other.zones[0] == entry.zones[0]
        ]
    return found[:MAX_RELATED]


def card(entry: Entry, catalog: Catalog) -> Reply:
    """An entry's card as an answer: session buttons, then related entries."""
    rows: list[tuple[Button, ...]] = []
    sessions = session_buttons(entry, catalog)
    if sessions:
        rows.append(sessions)
    rows.extend(
        (Button("➡️ " + _label(o.title), data=ask_data(o.id)),) for o in related(entry, catalog)
    )
    return Reply(render_entry_card(entry, catalog), buttons=tuple(rows), picture=_picture(entry))


def _picture(entry: Entry) -> str:
    return entry.id if entry.picture is not None else ""


def home() -> Reply:
    """The top of the browse menu: by zone, then by kind."""
    rows: list[tuple[Button, ...]] = [
        (Button(label, data=section_data(name)),) for name, label in ZONE_SECTIONS
    ]
    kinds = [Button(label, data=section_data(name)) for name, label in KIND_SECTIONS]
    rows.extend(tuple(kinds[i : i + 2]) for i in range(0, len(kinds), 2))
    return Reply(BROWSE_INTRO, buttons=tuple(rows))


def section(catalog: Catalog, name: str) -> Reply | None:
    """One section's entries, one button each, and a way back."""
    found = next((s for s in catalog.sections if s.name == name), None)
    if found is None:
        return None
    rows = [
        (Button(_label(catalog.entries[i].title), data=entry_data(name, i)),)
        for i in found.entry_ids
    ]
    rows.append((Button("⬅️ Back", data=home_data()),))
    title = html_text(BROWSE_LABELS.get(name, found.title))
    return Reply(f"<b>{title}</b>\nPick one to read it.", buttons=tuple(rows))


def browse_entry(catalog: Catalog, section_name: str, entry_id: str) -> Reply | None:
    """An entry inside the browse menu: its card, session buttons, related, and back."""
    entry = catalog.get(entry_id)
    if entry is None:
        return None
    rows: list[tuple[Button, ...]] = []
    sessions = session_buttons(entry, catalog)
    if sessions:
        rows.append(sessions)
    rows.extend(
        (Button("➡️ " + _label(o.title), data=entry_data(section_name, o.id)),)
        for o in related(entry, catalog)
    )
    rows.append((Button("⬅️ Back", data=section_data(section_name)),))
    return Reply(render_entry_card(entry, catalog), buttons=tuple(rows), picture=_picture(entry))


def section_of(catalog: Catalog, entry_id: str) -> str:
    """The section (content file) an entry is written in."""
    return next((s.name for s in catalog.sections if entry_id in s.entry_ids), "")
