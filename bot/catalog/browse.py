"""Entry cards with their buttons, and the /techniques menus.

An `OpenEntry` button opens an entry's card as a new message; `BrowseHome`, `BrowseSection`
and `BrowseEntry` are the browse menu, edited in place, where the section in an entry's data
is where "back" returns to.
"""

from __future__ import annotations

from bot import callbacks as cb
from bot.catalog.cards import render_entry_card
from bot.catalog.entries import Catalog, Entry
from bot.messaging import Button, Reply
from bot.text import html_text

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


def open_entry(catalog: Catalog, entry_id: str) -> Reply | None:
    """An entry's card as a new message; None when the entry is gone."""
    entry = catalog.get(entry_id)
    return card(entry, catalog) if entry is not None else None


def button_label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def session_buttons(entry: Entry, catalog: Catalog) -> tuple[Button, ...]:
    """Practise a technique, or start the routine it belongs to (handled by sessions)."""
    row: list[Button] = []
    if entry.kind == "technique":
        row.append(Button("🖐 Practice 2 min", cb.SessionPractice(entry.id)))
    routine = (
        entry if entry.kind == "routine" else next(iter(catalog.routines_using(entry.id)), None)
    )
    if routine is not None:
        row.append(Button("▶️ Start a guided session", cb.SessionStart(routine.id)))
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
        (Button("➡️ " + button_label(o.title), cb.OpenEntry(o.id)),)
        for o in related(entry, catalog)
    )
    return Reply(render_entry_card(entry, catalog), buttons=tuple(rows), picture=_picture(entry))


def _picture(entry: Entry) -> str:
    return entry.id if entry.picture is not None else ""


def home() -> Reply:
    """The top of the browse menu: by zone, then by kind."""
    rows: list[tuple[Button, ...]] = [
        (Button(label, cb.BrowseSection(name)),) for name, label in ZONE_SECTIONS
    ]
    kinds = [Button(label, cb.BrowseSection(name)) for name, label in KIND_SECTIONS]
    rows.extend(tuple(kinds[i : i + 2]) for i in range(0, len(kinds), 2))
    return Reply(BROWSE_INTRO, buttons=tuple(rows))


def section(catalog: Catalog, name: str) -> Reply | None:
    """One section's entries, one button each, and a way back."""
    found = next((s for s in catalog.sections if s.name == name), None)
    if found is None:
        return None
    rows = [
        (Button(button_label(catalog.entries[i].title), cb.BrowseEntry(name, i)),)
        for i in found.entry_ids
    ]
    rows.append((Button("⬅️ Back", cb.BrowseHome()),))
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
        (Button("➡️ " + button_label(o.title), cb.BrowseEntry(section_name, o.id)),)
        for o in related(entry, catalog)
    )
    rows.append((Button("⬅️ Back", cb.BrowseSection(section_name)),))
    return Reply(render_entry_card(entry, catalog), buttons=tuple(rows), picture=_picture(entry))


def section_of(catalog: Catalog, entry_id: str) -> str:
    """The section (content file) an entry is written in."""
    return next((s.name for s in catalog.sections if entry_id in s.entry_ids), "")
