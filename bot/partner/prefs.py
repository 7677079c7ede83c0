"""What the receiver asked for, and the routine adapted to it (pure: no I/O, no clock).

Areas are the receiver's words ("between the shoulder blades"); each maps onto the catalog's
zones. A step is dropped when at least half of its technique's zones are to be avoided (a
whole-back stroke such as oiling stays, with a reminder to keep off); steps at least half on
focus areas get half as much time again, and the plan is refitted to the length the giver
chose. The pressure cue is the lower of what the receiver wants and what the technique allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Literal

from bot.catalog.entries import MIN_STEP_SECONDS, Catalog, Entry
from bot.sessions.plan import Plan, PlanStep, fit_seconds

Area = Literal["shoulders", "blades", "lower", "whole"]
Pressure = Literal["gentle", "medium", "firm"]

AREAS: tuple[Area, ...] = ("shoulders", "blades", "lower", "whole")
AVOIDABLE: tuple[Area, ...] = ("shoulders", "blades", "lower")
PRESSURES: tuple[Pressure, ...] = ("gentle", "medium", "firm")

AREA_NAMES: dict[str, str] = {
    "shoulders": "shoulders",
    "blades": "between the shoulder blades",
    "lower": "lower back",
    "whole": "whole back",
}
AREA_ZONES: dict[str, frozenset[str]] = {
    "shoulders": frozenset({"shoulders", "neck"}),
    "blades": frozenset({"upper", "mid"}),
    "lower": frozenset({"lower", "sides"}),
    "whole": frozenset({"upper", "mid", "lower", "shoulders", "neck", "sides"}),
}
# The catalog's pressure scale (bot.catalog.entries.PRESSURES), gentlest first.
SCALE = ("light", "medium", "firm")
SCALE_OF: dict[str, str] = {"gentle": "light", "medium": "medium", "firm": "firm"}
FOCUS_WEIGHT = 1.5
# "More of this" adds this much plan time to the current step, up to MAX_STEP_SECONDS.
EXTEND_SECONDS = 30
MAX_STEP_SECONDS = 600


@dataclass(frozen=True)
class Preferences:
    """The receiver's check-in answers; empty tuples and "" mean "not said"."""

    focus: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    pressure: str = ""

    @property
    def empty(self) -> bool:
        return not (self.focus or self.avoid or self.pressure)

    def to_json(self) -> str:
        return json.dumps({"focus": self.focus, "avoid": self.avoid, "pressure": self.pressure})

    @classmethod
    def from_json(cls, text: str | None) -> Preferences:
        """Stored answers; anything unknown (an area renamed since) is left out."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        focus = tuple(a for a in data.get("focus", ()) if a in AREAS)
        avoid = tuple(a for a in data.get("avoid", ()) if a in AVOIDABLE)
        pressure = data.get("pressure", "")
        return cls(focus, avoid, pressure if pressure in PRESSURES else "")

    def toggled(self, field: Literal["focus", "avoid"], area: str) -> Preferences:
        """Add or remove one area; "whole back" and the single areas exclude each other."""
        chosen = list(getattr(self, field))
        if area in chosen:
            chosen.remove(area)
        elif area == "whole":
            chosen = ["whole"]
        else:
            chosen = [a for a in chosen if a != "whole"] + [area]
        ordered: tuple[str, ...] = tuple(a for a in AREAS if a in chosen)
        if field == "focus":
            return replace(self, focus=ordered)
        return replace(self, avoid=ordered)


def _zones(areas: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(AREA_ZONES[a] for a in areas)) if areas else frozenset()


def allowed_pressure(technique: Entry | None) -> str:
    """The firmest the technique allows on the catalog's scale (medium when unknown)."""
    if technique is None or technique.pressure not in SCALE:
        return "medium"
    return technique.pressure


def pressure_for(preferred: str, technique: Entry | None) -> str:
    """The receiver's pressure, never above what the technique allows."""
    allowed = allowed_pressure(technique)
    wanted = SCALE_OF.get(preferred, allowed)
    return SCALE[min(SCALE.index(wanted), SCALE.index(allowed))]


def _mostly(technique: Entry | None, zones: frozenset[str]) -> bool:
    """At least half of the technique's zones are among ``zones``."""
    if technique is None or not technique.zones or not zones:
        return False
    hit = sum(1 for zone in technique.zones if zone in zones)
    return hit * 2 >= len(technique.zones)


def _touches(technique: Entry | None, zones: frozenset[str]) -> bool:
    return technique is not None and any(zone in zones for zone in technique.zones)


def _cue(step: PlanStep, extra: list[str]) -> str:
    return " ".join(part for part in (step.cue, *extra) if part)


def adapt(plan: Plan, prefs: Preferences, catalog: Catalog) -> Plan:
    """The plan matched to the receiver: avoided steps out, focus steps longer, pressure cued.

    The total length stays what the giver chose; when every step would be dropped, they all
    stay, each with a reminder of what to keep off.
    """
    if prefs.empty:
        return plan
    avoid = _zones(prefs.avoid)
    focus = _zones(tuple(a for a in prefs.focus if a != "whole"))
    kept = [s for s in plan.steps if not _mostly(catalog.get(s.technique), avoid)]
    if not kept:
        kept = list(plan.steps)
    weights = [
        s.seconds * (FOCUS_WEIGHT if _mostly(catalog.get(s.technique), focus) else 1.0)
        for s in kept
    ]
    target = max(plan.seconds, MIN_STEP_SECONDS * len(kept))
    seconds = fit_seconds(weights, target)
    avoid_names = ", ".join(AREA_NAMES[a] for a in prefs.avoid)
    steps: list[PlanStep] = []
    for step, length in zip(kept, seconds, strict=True):
        technique = catalog.get(step.technique)
        extra: list[str] = []
        if prefs.pressure:
            extra.append(f"Pressure: {pressure_for(prefs.pressure, technique)}.")
        if avoid and _touches(technique, avoid):
            extra.append(f"Keep off the {avoid_names}.")
        if _mostly(technique, focus):
            extra.append("A focus area: take your time.")
        steps.append(replace(step, seconds=length, cue=_cue(step, extra)))
    return replace(plan, steps=tuple(steps))


def gentler(step: PlanStep, catalog: Catalog, prefs: Preferences, seconds: int) -> PlanStep | None:
    """A light stroke on the same part of the back to replace a step that hurt; None when the
    step is already as gentle as they come (then it is skipped)."""
    current = catalog.get(step.technique)
    if current is None or allowed_pressure(current) == "light":
        return None
    avoid = _zones(prefs.avoid)
    zones = frozenset(current.zones)
    for entry in catalog.of_kind("technique"):
        if entry.pressure == "light" and _touches(entry, zones) and not _mostly(entry, avoid):
            return PlanStep(
                entry.id,
                max(MIN_STEP_SECONDS, seconds),
                "Gentler now: light pressure, slow strokes, and ask how it feels.",
            )
    return None


def summary(prefs: Preferences, health: str) -> str:
    """One plain line (no markup) of the check-in, for the giver."""
    parts: list[str] = []
    if prefs.focus:
        parts.append("focus on " + ", ".join(AREA_NAMES[a] for a in prefs.focus))
    if prefs.avoid:
        parts.append("avoid " + ", ".join(AREA_NAMES[a] for a in prefs.avoid))
    if prefs.pressure:
        parts.append(f"{prefs.pressure} pressure")
    if health == "flagged":
        parts.append("said YES to a health condition")
    elif health == "clear":
        parts.append("no health conditions")
    return "; ".join(parts) if parts else "no preferences"
