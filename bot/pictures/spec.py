"""The ``picture:`` block of a technique: what a content author writes, parsed and checked.

Points are ``[across, down]`` on the back seen from above, head at the top:
``across`` runs from -10 (the left edge of the back in the picture) through 0 (the spine)
to 10 (the right edge); ``down`` runs from 0 (the top of the shoulders) to 10 (the top of the
hips). Points follow the outline, so ``[10, 7]`` is always on the edge of the waist.
Nothing may be drawn on the spine: a mark that comes within ``SPINE_CLEARANCE`` of
``across = 0`` is refused, so no picture ever teaches pressing on the bones.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

STANDS = ("head", "side", "head-or-side", "side-far")
TOOLS = {
    "heel": "Heel of the hand",
    "palm": "Flat palm",
    "palms": "Both palms",
    "thumb": "Thumb pad",
    "thumbs": "Both thumbs",
    "fingertips": "Fingertips",
    "fingers": "Flat fingers",
    "middle-finger": "Middle fingertip",
    "grasp": "Thumb and fingers",
    "forearm": "Forearms",
}
REINFORCED_LABEL = "other hand on top"
MARKS = ("glide", "loops", "knead", "circles", "holds", "rub")
SIDES = ("one", "both", "then")
DIRECTIONS = ("clockwise", "anticlockwise")
SIZES = ("small", "large")
# Zone name -> (across from, across to, down from, down to), right half of the back; a zone
# is mirrored to the left unless it ends in -right/-left. The spine strip is never shaded.
ZONES: dict[str, tuple[float, float, float, float]] = {
    "shoulders": (1.5, 10.0, -0.6, 1.6),
    "upper": (1.5, 10.0, 0.0, 3.8),
    "between-blades": (1.5, 4.2, 0.6, 3.8),
    "beside-spine": (1.5, 4.5, -0.3, 10.0),
    "mid": (1.5, 10.0, 3.6, 6.6),
    "lower": (1.5, 10.0, 6.4, 10.0),
    "sides": (7.0, 10.0, 5.0, 10.0),
    "whole": (1.5, 10.0, -0.6, 10.0),
}
SPINE_CLEARANCE = 1.4
# A circle is drawn around its point, so its centre must sit further from the spine.
CIRCLE_CLEARANCE = {"small": 4.0, "large": 6.0}
ACROSS_LIMIT = 10.5
DOWN_RANGE = (-1.0, 10.5)


class PictureError(ValueError):
    """A picture block is unusable; the message names what is wrong."""


Point = tuple[float, float]


@dataclass(frozen=True)
class Mark:
    """One movement drawn on the back: a glide, loops, kneading, circles, holds or a rub."""

    kind: str
    points: tuple[Point, ...]
    sides: str = "one"
    repeat: int = 0
    light: bool = False
    direction: str = "clockwise"
    size: str = "small"
    seconds: int = 0
    number: int = 0
    number_at: Point | None = None


@dataclass(frozen=True)
class Shade:
    """A shaded zone: its name and which half of the back (both, left or right)."""

    zone: str
    half: str


@dataclass(frozen=True)
class PictureSpec:
    """Everything needed to draw one technique's diagram."""

    stand: str
    tool: str
    reinforced: bool
    shade: tuple[Shade, ...]
    marks: tuple[Mark, ...]

    def digest(self, *extra: str) -> str:
        """A stable hash of this spec and ``extra`` texts (the title, the renderer version)."""
        payload = json.dumps(
            {"spec": _as_plain(self), "extra": list(extra)}, sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _as_plain(spec: PictureSpec) -> dict[str, Any]:
    return {
        "stand": spec.stand,
        "tool": spec.tool,
        "reinforced": spec.reinforced,
        "shade": [[shade.zone, shade.half] for shade in spec.shade],
        "marks": [mark.__dict__ for mark in spec.marks],
    }


_PICTURE_FIELDS = ("stand", "tool", "reinforced", "shade", "marks")
_MARK_OPTIONS = (
    "sides",
    "repeat",
    "light",
    "direction",
    "size",
    "seconds",
    "number",
    "number_at",
)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _point(value: object, what: str) -> Point:
    if isinstance(value, list) and len(value) == 2:
        across, down = _number(value[0]), _number(value[1])
        if across is not None and down is not None:
            if abs(across) > ACROSS_LIMIT or not DOWN_RANGE[0] <= down <= DOWN_RANGE[1]:
                raise PictureError(
                    f"{what}: point {value} is off the back (across -10..10, down 0..10)"
                )
            return (across, down)
    raise PictureError(f"{what}: a point is [across, down], e.g. [5, 8]; got {value!r}")


def _crosses_spine(points: tuple[Point, ...]) -> bool:
    if len(points) == 1:
        return abs(points[0][0]) < SPINE_CLEARANCE
    for (a0, d0), (a1, d1) in itertools.pairwise(points):
        for step in range(41):
            t = step / 40
            if abs(a0 + (a1 - a0) * t) < SPINE_CLEARANCE and d0 + (d1 - d0) * t > -0.5:
                return True
    return False


def _whole(value: object, name: str, what: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise PictureError(f"{what}: {name} must be a whole number >= {low}")
    return value


def _choice(value: object, name: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise PictureError(f"{what}: {name} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def _mark(raw: object, number: int) -> Mark:
    what = f"mark {number}"
    if not isinstance(raw, dict):
        raise PictureError(f"{what}: expected one of {', '.join(MARKS)} with a list of points")
    kinds = [key for key in raw if key in MARKS]
    if len(kinds) != 1:
        raise PictureError(f"{what}: needs exactly one of {', '.join(MARKS)}")
    kind = str(kinds[0])
    unknown = sorted(str(key) for key in raw if key != kind and key not in _MARK_OPTIONS)
    if unknown:
        raise PictureError(f"{what}: unknown option(s) {', '.join(unknown)}")
    raw_points = raw[kind]
    if not isinstance(raw_points, list) or not raw_points:
        raise PictureError(f"{what}: {kind} needs a list of points")
    points = tuple(_point(item, what) for item in raw_points)
    if kind in ("glide", "loops", "knead", "rub") and len(points) < 2:
        raise PictureError(f"{what}: a {kind} needs at least two points, start and end")
    size = _choice(raw.get("size", "small"), "size", SIZES, what)
    if kind in ("circles", "holds"):
        clearance = CIRCLE_CLEARANCE[size] if kind == "circles" else SPINE_CLEARANCE
        if any(abs(point[0]) < clearance for point in points):
            raise PictureError(
                f"{what}: a point is too close to the spine; keep |across| >= {clearance}"
            )
    elif _crosses_spine(points):
        raise PictureError(f"{what}: the {kind} runs over the spine; keep |across| >= 1.5")
    return Mark(
        kind=kind,
        points=points,
        sides=_choice(raw.get("sides", "one"), "sides", SIDES, what),
        repeat=_whole(raw["repeat"], "repeat", what, 2) if "repeat" in raw else 0,
        light=bool(raw.get("light", False)),
        direction=_choice(raw.get("direction", "clockwise"), "direction", DIRECTIONS, what),
        size=size,
        seconds=_whole(raw["seconds"], "seconds", what, 1) if "seconds" in raw else 0,
        number=_whole(raw["number"], "number", what, 1) if "number" in raw else 0,
        number_at=_point(raw["number_at"], what) if "number_at" in raw else None,
    )


def _shade(raw: object) -> Shade:
    if not isinstance(raw, str):
        raise PictureError(f"shade: zone names are text; got {raw!r}")
    name, half = raw.strip(), "both"
    for suffix in ("-left", "-right"):
        if name.endswith(suffix):
            name, half = name.removesuffix(suffix), suffix[1:]
    if name not in ZONES:
        raise PictureError(
            f"shade: unknown zone {raw!r}; use {', '.join(ZONES)} (optionally -left/-right)"
        )
    return Shade(zone=name, half=half)


def parse_picture(raw: object) -> PictureSpec:
    """Turn a technique's ``picture:`` mapping into a spec, or raise ``PictureError``."""
    if not isinstance(raw, dict):
        raise PictureError("expected a mapping with stand, tool, shade and marks")
    unknown = sorted(str(key) for key in raw if key not in _PICTURE_FIELDS)
    if unknown:
        raise PictureError(f"unknown field(s) {', '.join(unknown)}")
    missing = [name for name in ("stand", "tool", "shade", "marks") if name not in raw]
    if missing:
        raise PictureError(f"missing field(s) {', '.join(missing)}")
    stand = _choice(raw["stand"], "stand", STANDS, "stand")
    tool = _choice(raw["tool"], "tool", tuple(TOOLS), "tool")
    shade_raw, marks_raw = raw["shade"], raw["marks"]
    if not isinstance(shade_raw, list) or not shade_raw:
        raise PictureError("shade: needs a list of zones, e.g. [lower, mid]")
    if not isinstance(marks_raw, list) or not marks_raw:
        raise PictureError("marks: needs at least one glide, loops, circles, holds or rub")
    return PictureSpec(
        stand=stand,
        tool=tool,
        reinforced=bool(raw.get("reinforced", False)),
        shade=tuple(_shade(item) for item in shade_raw),
        marks=tuple(_mark(item, number) for number, item in enumerate(marks_raw, start=1)),
    )


def picture_problems(
    raw: object, kind: str, where: str, problems: list[str]
) -> PictureSpec | None:
    """The loader's hook: a technique must have a valid picture; nothing else may have one."""
    if kind != "technique":
        if raw is not None:
            problems.append(f"{where}: only techniques carry a picture")
        return None
    if raw is None:
        problems.append(f"{where}: a technique needs a picture: block (see bot/pictures/spec.py)")
        return None
    try:
        return parse_picture(raw)
    except PictureError as error:
        problems.append(f"{where}: picture: {error}")
        return None
