"""The diagrams' look and geometry: colours, sizes, body coordinates, the canvas, text.

See `bot.pictures.draw` for why the drawing code is our own.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.pictures.spec import Point

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
