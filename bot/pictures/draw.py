"""Draw a technique's diagram with Pillow: a top view of the back, the zone, the hand's path.

Own drawing code because no kept library draws anatomy diagrams from data; Pillow does the
pixels. Everything is drawn at twice the size and scaled down, which smooths the edges that
Pillow's drawing calls leave jagged. The look is fixed here, so every picture matches:
an opaque light card (it reads on light and dark chat themes), slate outlines, sand skin,
teal shading for the zone, coral for the movement with a white halo, bold text no smaller
than ``SMALLEST_TEXT`` pixels on a 1,080-pixel-wide picture.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from bot.pictures.spec import REINFORCED_LABEL, TOOLS, ZONES, Mark, PictureSpec, Point

RENDERER_VERSION = "1"
WIDTH, HEIGHT = 1080, 1320
SCALE = 2
SMALLEST_TEXT = 38
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-Bold.ttf"

CARD = (250, 246, 238)
INK = (47, 62, 70)
SKIN = (241, 219, 196)
SKIN_LINE = (196, 160, 132)
TABLE = (214, 224, 230)
TOWEL = (176, 196, 207)
SHADE = (64, 170, 166)
SHADE_ALPHA = 120
MOVE = (200, 62, 44)
WHITE = (255, 255, 255)
SPINE = (120, 132, 140)

# Layout, in final pixels.
CX = 430
TITLE_BOTTOM = 140
SHOULDER_Y = 440
PER_DOWN = 46
HEAD_Y = 335
TABLE_TOP = 255
LEGEND_TOP = 1030
# Half-width of the back (pixels) at a given ``down``; straight lines between the knots.
_OUTLINE = (
    (-1.4, 40.0),
    (-0.9, 44.0),
    (-0.55, 95.0),
    (-0.25, 140.0),
    (0.0, 163.0),
    (0.6, 178.0),
    (2.0, 176.0),
    (4.0, 164.0),
    (5.5, 148.0),
    (7.0, 138.0),
    (8.5, 146.0),
    (10.0, 160.0),
    (11.6, 166.0),
)
EDGE = 0.93
CIRCLE_RADIUS = {"small": 30.0, "large": 56.0}
BOTTOM_DOWN = 11.6


def half_width(down: float) -> float:
    """Half the width of the back at ``down``, in pixels."""
    knots = _OUTLINE
    if down <= knots[0][0]:
        return knots[0][1]
    for (d0, w0), (d1, w1) in itertools.pairwise(knots):
        if down <= d1:
            return w0 + (w1 - w0) * (down - d0) / (d1 - d0)
    return knots[-1][1]


def body_y(down: float) -> float:
    return SHOULDER_Y + down * PER_DOWN


def to_pixels(point: Point, mirrored: bool = False) -> tuple[float, float]:
    """Map ``[across, down]`` onto the picture; ``mirrored`` swaps left and right."""
    across, down = point
    if mirrored:
        across = -across
    return (CX + across / 10 * half_width(down) * EDGE, body_y(down))


class Canvas:
    """Pillow drawing in final-pixel coordinates on a canvas ``SCALE`` times larger."""

    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), CARD)
        self.draw = ImageDraw.Draw(self.image)

    @staticmethod
    def up(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * SCALE, y * SCALE) for x, y in points]

    def polygon(
        self,
        points: Sequence[tuple[float, float]],
        fill: tuple[int, ...] | None,
        outline: tuple[int, ...] | None = None,
        width: float = 0,
        draw: ImageDraw.ImageDraw | None = None,
    ) -> None:
        target = draw or self.draw
        target.polygon(self.up(points), fill=fill)
        if outline is not None and width:
            self.line([*points, points[0]], outline, width, draw=target)

    def line(
        self,
        points: Sequence[tuple[float, float]],
        colour: tuple[int, ...],
        width: float,
        draw: ImageDraw.ImageDraw | None = None,
    ) -> None:
        target = draw or self.draw
        target.line(self.up(points), fill=colour, width=round(width * SCALE), joint="curve")
        radius = width / 2
        for x, y in (points[0], points[-1]):
            self.ellipse((x, y), radius, radius, colour, draw=target)

    def ellipse(
        self,
        centre: tuple[float, float],
        rx: float,
        ry: float,
        fill: tuple[int, ...] | None,
        outline: tuple[int, ...] | None = None,
        width: float = 0,
        draw: ImageDraw.ImageDraw | None = None,
    ) -> None:
        target = draw or self.draw
        x, y = centre
        box = ((x - rx) * SCALE, (y - ry) * SCALE, (x + rx) * SCALE, (y + ry) * SCALE)
        target.ellipse(box, fill=fill, outline=outline, width=round(width * SCALE))

    def rounded(
        self,
        box: tuple[float, float, float, float],
        radius: float,
        fill: tuple[int, ...] | None,
        outline: tuple[int, ...] | None = None,
        width: float = 0,
        draw: ImageDraw.ImageDraw | None = None,
    ) -> None:
        target = draw or self.draw
        target.rounded_rectangle(
            tuple(v * SCALE for v in box),
            radius=radius * SCALE,
            fill=fill,
            outline=outline,
            width=round(width * SCALE),
        )

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        colour: tuple[int, ...] = INK,
        anchor: str = "la",
        draw: ImageDraw.ImageDraw | None = None,
    ) -> None:
        target = draw or self.draw
        target.text(
            (xy[0] * SCALE, xy[1] * SCALE), text, font=font(size), fill=colour, anchor=anchor
        )

    def finish(self) -> bytes:
        small = self.image.reduce(SCALE)  # a box average of each 2x2 block: cheap, smooth
        out = io.BytesIO()
        small.save(out, format="PNG")
        return out.getvalue()


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size * SCALE)


def text_width(text: str, size: int) -> float:
    return font(size).getlength(text) / SCALE


def wrap(text: str, size: int, width: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` at ``size``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and text_width(trial, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


# ----- the person on the table ---------------------------------------------------------------


def _outline_points() -> list[tuple[float, float]]:
    downs = [-1.4 + step * 0.1 for step in range(int((BOTTOM_DOWN + 1.4) / 0.1) + 1)]
    right = [(CX + half_width(d), body_y(d)) for d in downs]
    left = [(CX - half_width(d), body_y(d)) for d in reversed(downs)]
    return right + left


def _torso_mask() -> Image.Image:
    mask = Image.new("L", (WIDTH * SCALE, HEIGHT * SCALE), 0)
    ImageDraw.Draw(mask).polygon(Canvas.up(_outline_points()), fill=255)
    return mask


def _draw_person(canvas: Canvas) -> None:
    table_half = half_width(0.6) + 95
    canvas.rounded(
        (CX - table_half, TABLE_TOP, CX + table_half, LEGEND_TOP + 60), 36, TABLE, INK, 4
    )
    # Arms resting along the sides, drawn first so the shoulders overlap them.
    for sign in (1, -1):
        inner = CX + sign * (half_width(0.6) + 8)
        outer = inner + sign * 52
        box = (min(inner, outer), body_y(0.2), max(inner, outer), body_y(9.4))
        canvas.rounded(box, 26, SKIN, INK, 4)
    canvas.ellipse((CX, HEAD_Y), 56, 66, SKIN, INK, 5)
    outline = _outline_points()
    canvas.polygon(outline, SKIN)
    canvas.line(outline[: len(outline) // 2], INK, 5)
    canvas.line(outline[len(outline) // 2 :], INK, 5)
    # Hair on the back of the head, so the head reads as seen from above, face down.
    canvas.ellipse((CX, HEAD_Y - 10), 46, 48, (150, 118, 96))
    canvas.ellipse((CX, HEAD_Y), 56, 66, None, INK, 5)


def _draw_landmarks(canvas: Canvas) -> None:
    for sign in (1, -1):
        blade = [(2.6, 0.7), (8.2, 0.5), (6.6, 2.0), (3.4, 4.1), (2.5, 2.8)]
        points = [to_pixels((a * sign, d)) for a, d in blade]
        canvas.line([*points, points[0]], SKIN_LINE, 5)
    # The spine: a column of small bones, on purpose left bare of any shading or mark.
    down = -0.7
    while down < 10.2:
        x, y = to_pixels((0, down))
        canvas.rounded((x - 9, y - 8, x + 9, y + 8), 5, SPINE)
        down += 0.5
    # A towel over the hips marks where the back ends.
    towel_top = body_y(10.0)
    hw = half_width(10.0) + 70
    canvas.rounded((CX - hw, towel_top, CX + hw, LEGEND_TOP + 60), 24, TOWEL, INK, 4)
    for offset in (40, 80):
        canvas.line(
            [(CX - hw + 20, towel_top + offset), (CX + hw - 20, towel_top + offset)],
            (156, 178, 190),
            4,
        )


def _zone_polygon(zone: str, sign: int) -> list[tuple[float, float]]:
    a0, a1, d0, d1 = ZONES[zone]
    steps = 24
    downs = [d0 + (d1 - d0) * i / steps for i in range(steps + 1)]
    outer = [to_pixels((sign * a1 * 1.2, d)) for d in downs]
    inner = [to_pixels((sign * a0, d)) for d in reversed(downs)]
    return outer + inner


def _draw_shading(canvas: Canvas, spec: PictureSpec) -> None:
    zone_mask = Image.new("L", canvas.image.size, 0)
    zone_draw = ImageDraw.Draw(zone_mask)
    for shade in spec.shade:
        signs = {"both": (1, -1), "right": (1,), "left": (-1,)}[shade.half]
        for sign in signs:
            zone_draw.polygon(Canvas.up(_zone_polygon(shade.zone, sign)), fill=SHADE_ALPHA)
    zone_mask = ImageChops.multiply(zone_mask, _torso_mask())
    tint = Image.new("RGB", canvas.image.size, SHADE)
    canvas.image.paste(tint, (0, 0), zone_mask)


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


def _loop_path(
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


def _wave_path(
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


def _circle_path(
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
        pen.arrow(_wave_path(base, 13, 34), head=30)
        label_at = _before_start(base)
    elif mark.kind == "loops":
        base = _body_path(mark.points, mirrored)
        coil = _loop_path(base, 11, clockwise)
        pen.arrow(coil, head=30)
        label_at = _before_start(base)
    elif mark.kind == "circles":
        radius = CIRCLE_RADIUS[mark.size]
        for point in mark.points:
            centre = to_pixels(point, mirrored)
            pen.arrow(_circle_path(centre, radius, clockwise), head=28)
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


def _draw_marks(canvas: Canvas, spec: PictureSpec) -> None:
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


# ----- where the giver stands --------------------------------------------------------------


def _giver(canvas: Canvas, centre: tuple[float, float], facing_down: bool, label: str) -> None:
    """The person giving the massage, seen from above: shoulders, head and arms reaching in."""
    x, y = centre
    body = (92, 110, 120)
    if facing_down:
        for sign in (1, -1):
            canvas.line([(x + sign * 72, y), (x + sign * 128, y + 74)], INK, 24)
        canvas.ellipse((x, y), 92, 34, INK)
        canvas.ellipse((x, y - 4), 34, 34, body, WHITE, 4)
        canvas.text((x + 120, y), label, 44, INK, anchor="lm")
    else:
        for sign in (1, -1):
            canvas.line([(x, y + sign * 70), (x - 78, y + sign * 48)], INK, 24)
        canvas.ellipse((x, y), 34, 92, INK)
        canvas.ellipse((x + 4, y), 34, 34, body, WHITE, 4)
        canvas.text((x, y + 130), label, 44, INK, anchor="mm")


def _draw_stand(canvas: Canvas, spec: PictureSpec) -> None:
    side = (CX + half_width(0.6) + 95 + 70, body_y(4.5))
    head = (CX, TABLE_TOP - 50)
    if spec.stand == "head":
        _giver(canvas, head, True, "YOU")
    elif spec.stand == "side":
        _giver(canvas, side, False, "YOU")
    else:
        _giver(canvas, head, True, "YOU")
        _giver(canvas, side, False, "or here")


# ----- title and legend ----------------------------------------------------------------------


def _draw_title(canvas: Canvas, title: str) -> None:
    size = 54
    lines = wrap(title, size, WIDTH - 96)
    while len(lines) > 1 and size > 44:
        size -= 2
        lines = wrap(title, size, WIDTH - 96)
    if len(lines) > 2:
        lines = [*lines[:1], " ".join(lines[1:])]
    top = 28 if len(lines) > 1 else 44
    for number, line in enumerate(lines):
        canvas.text((48, top + number * (size + 10)), line, size, INK)


def _hand(canvas: Canvas, box: tuple[float, float, float, float], tool: str) -> None:
    """A right hand, palm towards you, with the part that does the work in coral."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    if tool == "forearm":
        arm = (x0 + width * 0.26, y0 + height * 0.36, x0 + width * 0.70, y1 + 10)
        canvas.rounded(arm, width * 0.2, MOVE, INK, 4)
        _hand(canvas, (x0 + width * 0.1, y0 - 6, x0 + width * 0.78, y0 + height * 0.5), "none")
        return
    palm = (x0 + width * 0.18, y0 + height * 0.42, x0 + width * 0.78, y1)
    finger_w = (palm[2] - palm[0]) / 4
    tops = (0.16, 0.04, 0.0, 0.1)
    fingers = []
    for i, top in enumerate(tops):
        fx = palm[0] + finger_w * i
        fingers.append((fx + 3, y0 + height * top, fx + finger_w - 3, palm[1] + 30))
    thumb_centre = (x0 + width * 0.9, y0 + height * 0.56)
    highlight = {
        "heel": "heel",
        "palm": "palm",
        "palms": "palm",
        "thumb": "thumb",
        "thumbs": "thumb",
        "fingertips": "tips",
        "fingers": "fingers",
        "middle-finger": "middle",
        "grasp": "grasp",
    }.get(tool, "")
    for i, finger in enumerate(fingers):
        fill = MOVE if highlight == "fingers" else SKIN
        canvas.rounded(finger, finger_w / 2 - 3, fill, INK, 4)
        # Fingers run little, ring, middle, index from the left (a right palm, facing you).
        if highlight in ("tips", "grasp") or (highlight == "middle" and i == 2):
            fingertip = (finger[0], finger[1], finger[2], finger[1] + finger_w * 1.1)
            canvas.rounded(fingertip, finger_w / 2 - 3, MOVE, INK, 4)
    # The thumb, angled out from the side of the palm: an outlined thick stroke.
    root = (palm[2] - 14, palm[3] - 46)
    tip = (thumb_centre[0] + 14, thumb_centre[1] - 30)
    canvas.line([root, tip], INK, 44)
    canvas.line([root, tip], SKIN, 36)
    if highlight in ("thumb", "grasp"):
        canvas.ellipse(tip, 19, 19, MOVE)
    canvas.rounded(palm, 30, MOVE if highlight == "palm" else SKIN, INK, 4)
    if highlight == "heel":
        heel = (palm[0], palm[1] + (palm[3] - palm[1]) * 0.55, palm[2], palm[3])
        canvas.rounded(heel, 30, MOVE, INK, 4)


_MARK_WORDS = {
    "glide": "Glide",
    "light": "Glide back lightly",
    "loops": "Small circles",
    "knead": "Squeeze and roll",
    "circles": "Circle on the spot",
    "holds": "Press and hold",
    "rub": "Rub to and fro",
    "then": "Other side next",
}


def _legend_rows(spec: PictureSpec) -> list[str]:
    rows: list[str] = []
    for mark in spec.marks:
        key = "light" if mark.kind == "glide" and mark.light else mark.kind
        if key not in rows:
            rows.append(key)
    if any(mark.sides == "then" for mark in spec.marks):
        rows.append("then")
    return rows


def _legend_icon(pen: Pen, key: str, x: float, y: float) -> None:
    if key in ("glide", "light"):
        pen.arrow([(x, y), (x + 76, y)], dashed=key == "light")
    elif key == "knead":
        pen.arrow(_wave_path([(x - 4, y), (x + 86, y)], 10, 26), head=26)
    elif key == "loops":
        pen.arrow(_loop_path([(x - 6, y + 6), (x + 86, y + 6)], 8, True), head=26)
    elif key == "circles":
        pen.arrow(_circle_path((x + 38, y), 24, True))  # right of CX: gap faces right
    elif key == "holds":
        pen.dot((x + 38, y), 16)
    elif key == "rub":
        pen.double_arrow([(x - 4, y), (x + 84, y)], head=26)
    else:
        pen.arrow([(x, y), (x + 80, y)])


def _draw_legend(canvas: Canvas, spec: PictureSpec) -> None:
    top, bottom = LEGEND_TOP, HEIGHT - 24
    canvas.rounded((24, top, WIDTH - 24, bottom), 28, WHITE, INK, 4)
    _hand(canvas, (40, top + 46, 170, top + 220), spec.tool)
    lines = [(line, 42) for line in wrap(TOOLS[spec.tool], 42, 300)]
    if spec.reinforced:
        lines += [
            (line, SMALLEST_TEXT) for line in wrap("+ " + REINFORCED_LABEL, SMALLEST_TEXT, 300)
        ]
    line_height = 50
    first = (top + bottom) / 2 - (len(lines) - 1) * line_height / 2
    for number, (line, size) in enumerate(lines):
        canvas.text((204, first + number * line_height), line, size, INK, anchor="lm")
    canvas.line([(522, top + 30), (522, bottom - 30)], TABLE, 4)
    rows = _legend_rows(spec)
    row_height = 66.0
    first = (top + bottom) / 2 - (len(rows) - 1) * row_height / 2
    solid, faded = Pen(canvas, faded=False), Pen(canvas, faded=True)
    for number, key in enumerate(rows):
        y = first + number * row_height
        pen = faded if key == "then" else solid
        pen.width = 8
        _legend_icon(pen, key, 546, y)
        canvas.text((652, y), _legend_words(spec, key), SMALLEST_TEXT, INK, anchor="lm")
    solid.apply()
    faded.apply()


def _legend_words(spec: PictureSpec, key: str) -> str:
    seconds = max((mark.seconds for mark in spec.marks if mark.kind == key), default=0)
    if key == "holds" and seconds:
        return f"Press, hold {seconds} s"
    return _MARK_WORDS[key]


def draw_picture(title: str, spec: PictureSpec) -> bytes:
    """The PNG bytes of one technique's diagram."""
    canvas = Canvas()
    _draw_title(canvas, title)
    _draw_person(canvas)
    _draw_shading(canvas, spec)
    _draw_landmarks(canvas)
    _draw_stand(canvas, spec)
    _draw_marks(canvas, spec)
    _draw_legend(canvas, spec)
    return canvas.finish()
