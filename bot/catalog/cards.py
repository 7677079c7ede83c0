"""Render entries as HTML cards for Telegram (plain strings: no telegram import)."""

from __future__ import annotations

from bot.catalog.entries import Catalog, Entry
from bot.text import format_minutes, html_text

# The scale of tip.pressure-scale, so every card's label means the same thing.
PRESSURE_WORDS = {
    "none": "no pressure",
    "light": "light (1–3 out of 10)",
    "medium": "medium (4–6 out of 10)",
    "firm": "firm (about 7 out of 10)",
}
ZONE_WORDS = {
    "upper": "upper back",
    "mid": "mid back",
    "lower": "lower back",
    "shoulders": "shoulders",
    "neck": "neck",
    "sides": "sides",
}


def _facts(entry: Entry) -> list[str]:
    facts: list[str] = []
    if entry.zones:
        facts.append("📍 " + ", ".join(ZONE_WORDS.get(zone, zone) for zone in entry.zones))
    if entry.pressure:
        facts.append("✋ Pressure: " + PRESSURE_WORDS.get(entry.pressure, entry.pressure))
    if entry.duration:
        facts.append("⏱ " + entry.duration)
    elif entry.steps:
        facts.append(f"⏱ {format_minutes(entry.total_seconds)}, {len(entry.steps)} steps")
    return facts


def render_entry_card(entry: Entry, catalog: Catalog) -> str:
    """Render an entry as an HTML card: title, summary, body, facts and cautions."""
    lines = [f"<b>{html_text(entry.title)}</b>", f"<i>{html_text(entry.summary)}</i>", ""]
    lines.append(html_text(entry.body))
    if entry.steps:
        lines.append("")
        for number, step in enumerate(entry.steps, start=1):
            technique = catalog.get(step.technique)
            name = technique.title if technique else step.technique
            lines.append(f"{number}. {html_text(name)} · {format_minutes(step.seconds)}")
    facts = _facts(entry)
    if facts:
        lines.extend(["", html_text(" · ".join(facts))])
    if entry.cautions:
        lines.extend(["", "<b>⚠️ Take care</b>"])
        lines.extend(f"• {html_text(caution)}" for caution in entry.cautions)
    return "\n".join(lines)
