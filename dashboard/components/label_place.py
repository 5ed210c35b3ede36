"""Where to put each hotspot's label so that neighbours' labels do not cover each other.

Plotly places every text at the same side of its marker; two hot grids side by side then
print their names over each other. Here each label, busiest first, takes the first side
(of POSITIONS) whose box overlaps no label or marker placed before it and stays on the
map, else the side that does so least. Boxes are estimated in pixels from the text (CJK
characters a font size wide, others 0.6) on a map assumed MAP_WIDTH_PX wide: a wider map
only spaces them more.
"""

from __future__ import annotations

POSITIONS = (
    "top center", "bottom center", "middle right", "middle left",
    "top right", "top left", "bottom right", "bottom left",
)  # fmt: skip
MAP_WIDTH_PX = 480.0  # the narrowest the map is drawn at (the KPI page's panel)
FONT_PX = 14.0
MARKER_PX = 18.0

Box = tuple[float, float, float, float]  # left, bottom, right, top, in pixels


def text_width(text: str, font: float = FONT_PX) -> float:
    return sum(font if ord(ch) >= 0x2E80 else 0.6 * font for ch in text)


def _box(x: float, y: float, position: str, width: float, height: float) -> Box:
    """The label's box when drawn at `position` of a marker centred at (x, y)."""
    r = MARKER_PX / 2
    vertical, horizontal = position.split()
    if horizontal == "center":
        left = x - width / 2
    else:
        left = x + r if horizontal == "right" else x - r - width
    if vertical == "middle":
        bottom = y - height / 2
    else:
        bottom = y + r if vertical == "top" else y - r - height
    return (left, bottom, left + width, bottom + height)


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(box: Box, bounds: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, bounds)


def place(points: list[tuple[float, float]], texts: list[str], bounds: Box) -> list[str]:
    """A textposition per point (pixels, y up), in the order given (most important first),
    keeping labels inside `bounds` (the map's box) where a side allows."""
    r = MARKER_PX / 2
    taken: list[Box] = [(x - r, y - r, x + r, y + r) for x, y in points]
    height = FONT_PX * 1.4  # a line and a little air
    out = []
    for (x, y), text in zip(points, texts, strict=True):
        width = text_width(text)
        boxes = [_box(x, y, p, width, height) for p in POSITIONS]
        costs = [sum(_overlap(b, t) for t in taken) + 2 * _outside(b, bounds) for b in boxes]
        best = costs.index(min(costs))  # the first free side, else the least covered
        out.append(POSITIONS[best])
        taken.append(boxes[best])
    return out


def to_pixels(
    points: list[tuple[float, float]], extent: Box, y_ratio: float
) -> tuple[list[tuple[float, float]], Box]:
    """Map coordinates (lon, lat) as pixels on a MAP_WIDTH_PX-wide map of `extent`
    (min lon, min lat, max lon, max lat) whose y unit is `y_ratio` x units long, and the
    map's own box in those pixels."""
    per = MAP_WIDTH_PX / max(extent[2] - extent[0], 1e-9)
    pixels = [((lon - extent[0]) * per, (lat - extent[1]) * per * y_ratio) for lon, lat in points]
    return pixels, (0.0, 0.0, MAP_WIDTH_PX, (extent[3] - extent[1]) * per * y_ratio)
