"""The movement on a diagram: glides, circles, kneading waves, holds, repeats (see draw)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from bot.pictures.canvas import (
    CIRCLE_RADIUS,
    CX,
    INK,
    MOVE,
    WHITE,
    Canvas,
    text_width,
    to_pixels,
)
from bot.pictures.spec import Mark, PictureSpec, Point

# ----- the movement ----------------------------------------------------------------------------


def _body_path(points: Sequence[Point], mirrored: bool) -> list[tuple[float, float]]:
    """Points between the given ones, so a path follows the curve of the back."""
    path: list[tuple[float, float]] = []
    for (a0, d0), (a1, d1) in itertools.pairwise(points):
        for step in range(12):
            t = step / 12
            path.append(to_pixels((a0 + (a1 - a0) * t, d0 + (d1 - d0) * t), mirrored))
    path.append(to_pixels(points[-1], mirrored))
    return path


def _length(path: Sequence[tuple[float, float]]) -> float:
    return sum(math.dist(p, q) for p, q in itertools.pairwise(path))


def _at(path: Sequence[tuple[float, float]], distance: float) -> tuple[float, float, float]:
    """The point ``distance`` along ``path`` and the direction (radians) there."""
    walked = 0.0
    for p, q in itertools.pairwise(path):
        step = math.dist(p, q)
        if step and walked + step >= distance:
            t = (distance - walked) / step
            angle = math.atan2(q[1] - p[1], q[0] - p[0])
            return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t, angle)
        walked += step
    p, q = path[-2], path[-1]
    return (q[0], q[1], math.atan2(q[1] - p[1], q[0] - p[0]))


def _trim(path: list[tuple[float, float]], cut: float) -> list[tuple[float, float]]:
    """``path`` without its last ``cut`` pixels, where the arrowhead goes."""
    total = _length(path)
    if total <= cut:
        return path[:1] * 2
    kept = [path[0]]
    walked = 0.0
    for p, q in itertools.pairwise(path):
        walked += math.dist(p, q)
        if walked >= total - cut:
            break
        kept.append(q)
    x, y, _ = _at(path, total - cut)
    return [*kept, (x, y)]


def _arrowhead(x: float, y: float, angle: float, size: float) -> list[tuple[float, float]]:
    """A triangle whose tip is exactly at ``(x, y)``, pointing along ``angle``."""
    back = angle + math.pi
    return [
        (x, y),
        (x + math.cos(back + 0.45) * size, y + math.sin(back + 0.45) * size),
        (x + math.cos(back - 0.45) * size, y + math.sin(back - 0.45) * size),
    ]


class Pen:
    """Draws the coral movement marks with a white halo; ``faded`` for 'then the other side'."""

    def __init__(self, canvas: Canvas, faded: bool) -> None:
        self.canvas = canvas
        self.layer = Image.new("RGBA", canvas.image.size, (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.layer)
        self.faded = faded
        self.width = 10.0

    def path(self, points: Sequence[tuple[float, float]], dashed: bool = False) -> None:
        pieces = _dashes(points, 26, 18) if dashed else [list(points)]
        width = self.width * (0.8 if dashed else 1.0)
        for piece in pieces:
            self.canvas.line(piece, WHITE, width + 8, draw=self.draw)
        for piece in pieces:
            self.canvas.line(piece, MOVE, width, draw=self.draw)

    def arrow(
        self, points: Sequence[tuple[float, float]], dashed: bool = False, head: float = 36.0
    ) -> None:
        x, y, angle = _at(points, _length(points))
        self.path(_trim(list(points), head * 0.7), dashed)
        tip = _arrowhead(x, y, angle, head)
        self.canvas.polygon(_grow(tip, 5), WHITE, draw=self.draw)
        self.canvas.polygon(tip, MOVE, draw=self.draw)

    def double_arrow(self, points: Sequence[tuple[float, float]], head: float = 32.0) -> None:
        """A to-and-fro stroke: one line with a head at each end."""
        forward = _trim(list(points), head * 0.7)
        both = list(reversed(_trim(list(reversed(forward)), head * 0.7)))
        self.path(both)
        for line in (list(points), list(reversed(points))):
            x, y, angle = _at(line, _length(line))
            tip = _arrowhead(x, y, angle, head)
            self.canvas.polygon(_grow(tip, 5), WHITE, draw=self.draw)
        for line in (list(points), list(reversed(points))):
            x, y, angle = _at(line, _length(line))
            self.canvas.polygon(_arrowhead(x, y, angle, head), MOVE, draw=self.draw)

    def dot(self, centre: tuple[float, float], radius: float) -> None:
        self.canvas.ellipse(centre, radius + 5, radius + 5, WHITE, draw=self.draw)
        self.canvas.ellipse(centre, radius, radius, MOVE, draw=self.draw)

    def badge(self, centre: tuple[float, float], text: str, size: int = 40) -> None:
        width = text_width(text, size) + 24
        x, y = centre
        box = (x - width / 2, y - size * 0.7, x + width / 2, y + size * 0.7)
        self.canvas.rounded(box, 14, WHITE, MOVE, 4, draw=self.draw)
        self.canvas.text((x, y), text, size, MOVE, anchor="mm", draw=self.draw)

    def number(self, centre: tuple[float, float], value: int) -> None:
        self.canvas.ellipse(centre, 27, 27, INK, WHITE, 4, draw=self.draw)
        self.canvas.text(centre, str(value), 36, WHITE, anchor="mm", draw=self.draw)

    def apply(self) -> None:
        box = self.layer.getbbox()
        if box is None:
            return
        layer = self.layer.crop(box)  # only the part drawn on: a fraction of the canvas
        if self.faded:
            alpha = layer.getchannel("A").point(lambda value: value * 45 // 100)
            layer.putalpha(alpha)
        self.canvas.image.paste(layer.convert("RGB"), box[:2], layer.getchannel("A"))


def _grow(triangle: list[tuple[float, float]], by: float) -> list[tuple[float, float]]:
    cx = sum(p[0] for p in triangle) / 3
    cy = sum(p[1] for p in triangle) / 3
    grown = []
    for x, y in triangle:
        distance = math.dist((x, y), (cx, cy)) or 1.0
        grown.append((x + (x - cx) / distance * by * 1.8, y + (y - cy) / distance * by * 1.8))
    return grown


def _dashes(
    points: Sequence[tuple[float, float]], on: float, off: float
) -> list[list[tuple[float, float]]]:
    total = _length(points)
    pieces: list[list[tuple[float, float]]] = []
    start = 0.0
    while start < total:
        end = min(start + on, total)
        piece = [_at(points, start + (end - start) * i / 4)[:2] for i in range(5)]
        pieces.append(piece)
        start = end + off
    return pieces


def loop_path(
    base: Sequence[tuple[float, float]], radius: float, clockwise: bool
) -> list[tuple[float, float]]:
    """A coil of small circles travelling along ``base``, then a straight run for the arrow."""
    total = _length(base)
    span = max(total - radius * 3.0, radius * 2)
    turns = max(2, round(span / (radius * 2.4)))
    advance = span / (2 * math.pi * turns)
    sign = 1 if clockwise else -1
    path: list[tuple[float, float]] = []
    steps = turns * 32
    for i in range(steps + 1):
        phase = 2 * math.pi * turns * i / steps
        along = radius + advance * phase - radius * math.sin(phase)
        aside = radius * (1 - math.cos(phase)) * 0.85 * sign
        x, y, angle = _at(base, min(along, total))
        path.append(
            (x + math.cos(angle + math.pi / 2) * aside, y + math.sin(angle + math.pi / 2) * aside)
        )
    x, y, _ = _at(base, total)
    path.append((x, y))
    return path


def wave_path(
    base: Sequence[tuple[float, float]], height: float, wavelength: float
) -> list[tuple[float, float]]:
    """A wave along ``base`` (kneading: squeeze, release, move on), straight at the end."""
    total = _length(base)
    span = max(total - wavelength, wavelength)
    waves = max(2, round(span / wavelength))
    path: list[tuple[float, float]] = []
    steps = waves * 16
    for i in range(steps + 1):
        along = span * i / steps
        aside = math.sin(2 * math.pi * waves * i / steps) * height
        x, y, angle = _at(base, along)
        path.append(
            (x + math.cos(angle + math.pi / 2) * aside, y + math.sin(angle + math.pi / 2) * aside)
        )
    x, y, _ = _at(base, total)
    path.append((x, y))
    return path


def circle_path(
    centre: tuple[float, float], radius: float, clockwise: bool
) -> list[tuple[float, float]]:
    """Most of a circle, its arrowhead on top: pointing right turns clockwise, left turns
    anticlockwise, so two hands circling opposite ways read at a glance."""
    x, y = centre
    outward = -math.pi / 2 + (1 if clockwise else -1) * math.pi * 0.2  # tip ends on top
    sign = 1 if clockwise else -1
    sweep = 2 * math.pi * 0.8
    start = outward + sign * (2 * math.pi - sweep) / 2
    points = []
    for i in range(41):
        angle = start + sign * sweep * i / 40
        points.append((x + math.cos(angle) * radius, y + math.sin(angle) * radius))
    return points


def _before_start(path: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Where a repeat badge goes: just before the path starts, clear of the arrowhead."""
    x, y, angle = _at(path, 1.0)
    return (x - math.cos(angle) * 52, y - math.sin(angle) * 52)


def _number_point(mark: Mark) -> tuple[float, float]:
    """Where the author put the number, else beside the start: outward of a path that runs
    up or down the back, above one that runs across."""
    if mark.number_at is not None:
        return to_pixels(mark.number_at)
    first = to_pixels(mark.points[0])
    if len(mark.points) == 1:
        return (first[0] + 50, first[1] - 36)
    second = to_pixels(mark.points[1])
    if abs(second[1] - first[1]) > abs(second[0] - first[0]):
        outward = 1 if mark.points[0][0] > 0 else -1
        return (first[0] + outward * 48, first[1] + 10)
    return (first[0], first[1] - 52)


def _draw_mark(pen: Pen, mark: Mark, mirrored: bool) -> None:
    clockwise = (mark.direction == "clockwise") != mirrored
    label_at: tuple[float, float] | None = None
    if mark.kind == "glide":
        path = _body_path(mark.points, mirrored)
        pen.arrow(path, dashed=mark.light)
        label_at = _before_start(path)
    elif mark.kind == "knead":
        base = _body_path(mark.points, mirrored)
        pen.arrow(wave_path(base, 13, 34), head=30)
        label_at = _before_start(base)
    elif mark.kind == "loops":
        base = _body_path(mark.points, mirrored)
        coil = loop_path(base, 11, clockwise)
        pen.arrow(coil, head=30)
        label_at = _before_start(base)
    elif mark.kind == "circles":
        radius = CIRCLE_RADIUS[mark.size]
        for point in mark.points:
            centre = to_pixels(point, mirrored)
            pen.arrow(circle_path(centre, radius, clockwise), head=28)
        last = to_pixels(mark.points[-1], mirrored)
        outward = 1 if last[0] >= CX else -1
        label_at = (last[0] + outward * (radius + 56), last[1])
    elif mark.kind == "holds":
        for point in mark.points:
            pen.dot(to_pixels(point, mirrored), 17)
        last = to_pixels(mark.points[-1], mirrored)
        label_at = (last[0], last[1] + 52)
    elif mark.kind == "rub":
        for a, b in zip(mark.points, mark.points[1:], strict=False):
            pen.double_arrow(_body_path((a, b), mirrored))
    if mark.number and not mirrored:
        x, y = _number_point(mark)
        if abs(x - CX) < 52:  # never over the spine
            x = CX + 52 if x >= CX else CX - 52
        pen.number((x, y), mark.number)
    if mark.repeat and label_at is not None and not pen.faded and not mirrored:
        text = f"×{mark.repeat}"
        # Keep the badge off the spine too: push it sideways, away from the middle.
        room = text_width(text, 40) / 2 + 40
        x, y = label_at
        if abs(x - CX) < room:
            x = CX + room if x >= CX else CX - room
        pen.badge((x, y), text)


def draw_marks(canvas: Canvas, spec: PictureSpec) -> None:
    faded = Pen(canvas, faded=True)
    solid = Pen(canvas, faded=False)
    for mark in spec.marks:
        if mark.sides == "then":
            _draw_mark(faded, mark, mirrored=True)
    faded.apply()
    for mark in spec.marks:
        _draw_mark(solid, mark, mirrored=False)
        if mark.sides == "both":
            _draw_mark(solid, mark, mirrored=True)
    solid.apply()
