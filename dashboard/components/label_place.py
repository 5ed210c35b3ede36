"""Where to put each hotspot's label so that neighbours' labels do not cover each other.

Plotly places every text at the same side of its marker; two hot grids side by side then
print their names over each other. Here each label, busiest first, takes the first side
(of POSITIONS) whose box covers no label placed before it, no star and nothing off the
map, else the side that covers least (stars counting less than labels); a label that
would cover another label shows only its short form (the count; the name stays in the
hover). Boxes are estimated in pixels from the text (CJK characters a font size wide,
others 0.6) on a map assumed MAP_WIDTH_PX wide: a wider map only spaces them more.
"""

from __future__ import annotations

POSITIONS = (
    "top center", "bottom center", "middle right", "middle left",
    "top right", "top left", "bottom right", "bottom left",
)  # fmt: skip
MAP_WIDTH_PX = 360.0  # about the narrowest the map is drawn (the KPI page at 1600 px)
FONT_PX = 14.0
MARKER_PX = 18.0
GAP_PX = 4.0  # kept clear around each label: labels that only touched read as one line

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


def _pad(box: Box, gap: float = GAP_PX) -> Box:
    return (box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap)


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(box: Box, bounds: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, bounds)


STAR_WEIGHT = 0.25  # a label across another grid's star is worse than none, better than
# one across another label


def _best_side(
    x: float,
    y: float,
    text: str,
    labels: list[Box],
    stars: list[Box],
    bounds: Box,
    font: float = FONT_PX,
) -> tuple[float, str, Box]:
    """(clash, side, box): the side whose box covers least of the labels placed before,
    the map's outside and (weighted less) the stars, the first such side on a tie; its
    clash counts labels and the outside only."""
    height = font * 1.4  # a line and a little air
    boxes = [_box(x, y, p, text_width(text, font), height) for p in POSITIONS]
    clashes = [sum(_overlap(_pad(b), t) for t in labels) + 2 * _outside(b, bounds) for b in boxes]
    costs = [
        c + STAR_WEIGHT * sum(_overlap(b, t) for t in stars)
        for c, b in zip(clashes, boxes, strict=True)
    ]
    best = costs.index(min(costs))
    return clashes[best], POSITIONS[best], boxes[best]


def place(
    points: list[tuple[float, float]],
    texts: list[str],
    shorts: list[str],
    bounds: Box,
    font: float = FONT_PX,
    taken: tuple[Box, ...] = (),
) -> tuple[list[str], list[str]]:
    """(a textposition, the text shown) per point (pixels, y up), in the order given (most
    important first), inside `bounds` (the map's box) where a side allows, clear of the
    labels `taken` already (the towns' names). A label that would cover another label
    shows its short form (the count; the name stays in the hover)."""
    r = MARKER_PX / 2
    stars: list[Box] = [(x - r, y - r, x + r, y + r) for x, y in points]
    labels: list[Box] = list(taken)
    sides, shown = [], []
    for (x, y), text, short in zip(points, texts, shorts, strict=True):
        clash, side, box = _best_side(x, y, text, labels, stars, bounds, font)
        if clash > 0:
            short_clash, short_side, short_box = _best_side(
                x, y, short, labels, stars, bounds, font
            )
            if short_clash < clash:
                text, side, box = short, short_side, short_box
        sides.append(side)
        shown.append(text)
        labels.append(box)
    return sides, shown


def to_pixels(
    points: list[tuple[float, float]], extent: Box, y_ratio: float, width: float = MAP_WIDTH_PX
) -> tuple[list[tuple[float, float]], Box]:
    """Map coordinates (lon, lat) as pixels on a `width`-wide map of `extent` (min lon,
    min lat, max lon, max lat) whose y unit is `y_ratio` x units long, and the map's own
    box in those pixels."""
    per = width / max(extent[2] - extent[0], 1e-9)
    pixels = [((lon - extent[0]) * per, (lat - extent[1]) * per * y_ratio) for lon, lat in points]
    return pixels, (0.0, 0.0, width, (extent[3] - extent[1]) * per * y_ratio)


def centred(
    points: list[tuple[float, float]], texts: list[str], font: float
) -> tuple[list[float], list[Box]]:
    """(how far up to move it, in pixels; its box) per name drawn centred on its point (a
    town's name at its centre): not at all, else a line up or down, then two, whichever
    first covers none of the names placed before it (in the order given), else the one
    that covers least."""
    height = font * 1.4
    step = height + GAP_PX
    placed: list[Box] = []
    shifts = []
    for (x, y), text in zip(points, texts, strict=True):
        width = text_width(text, font)
        moves = (0.0, step, -step, 2 * step, -2 * step)
        boxes = [
            (x - width / 2, y + dy - height / 2, x + width / 2, y + dy + height / 2) for dy in moves
        ]
        clashes = [sum(_overlap(_pad(b), t) for t in placed) for b in boxes]
        best = clashes.index(min(clashes))
        shifts.append(moves[best])
        placed.append(boxes[best])
    return shifts, placed
