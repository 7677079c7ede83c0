"""Draw a technique's diagram with Pillow: a top view of the back, the zone, the hand's path.

Own drawing code because no kept library draws anatomy diagrams from data; Pillow does the
pixels. Everything is drawn at twice the size and scaled down, which smooths the edges that
Pillow's drawing calls leave jagged. The look is fixed here, so every picture matches:
an opaque light card (it reads on light and dark chat themes), slate outlines, sand skin,
teal shading for the zone, coral for the movement with a white halo, bold text no smaller
than ``SMALLEST_TEXT`` pixels on a 1,080-pixel-wide picture.
"""

from __future__ import annotations

from PIL import Image, ImageChops, ImageDraw

from bot.pictures.canvas import (
    BOTTOM_DOWN,
    CX,
    HEAD_Y,
    HEIGHT,
    INK,
    LEGEND_TOP,
    MOVE,
    SCALE,
    SHADE,
    SHADE_ALPHA,
    SKIN,
    SKIN_LINE,
    SMALLEST_TEXT,
    SPINE,
    TABLE,
    TABLE_TOP,
    TOWEL,
    WHITE,
    WIDTH,
    Canvas,
    body_y,
    half_width,
    to_pixels,
    wrap,
)
from bot.pictures.marks import (
    Pen,
    circle_path,
    draw_marks,
    loop_path,
    wave_path,
)
from bot.pictures.spec import REINFORCED_LABEL, TOOLS, ZONES, PictureSpec

# ----- the person on the table ---------------------------------------------------------------

# Part of every picture's cache key: raise it when the drawing changes.
RENDERER_VERSION = "1"


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
        pen.arrow(wave_path([(x - 4, y), (x + 86, y)], 10, 26), head=26)
    elif key == "loops":
        pen.arrow(loop_path([(x - 6, y + 6), (x + 86, y + 6)], 8, True), head=26)
    elif key == "circles":
        pen.arrow(circle_path((x + 38, y), 24, True))  # right of CX: gap faces right
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
    draw_marks(canvas, spec)
    _draw_legend(canvas, spec)
    return canvas.finish()
