"""The county's grid map, drawn offline: filled polygons on plain cartesian axes.

No tiles, glyphs or topojson are fetched (ENVIRONMENT.md). Each grid is a filled path
shape under the axes, coloured by its density class, so an update (`grid_map_patch`)
sends colours only, never the polygons; an invisible marker at each grid's centre
carries its name and count for hover. Hotspots are marked with a star and a label, not
by colour alone; the labels take sides that keep them apart (label_place). One
component, used by the wall, the KPI page and the incident page.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from dash import Patch

from dashboard.components import label_place
from dashboard.components.plot_text import plot_text, plot_texts
from dashboard.i18n import t

# light to dark, one hue: ordered by lightness, readable for colour-blind viewers
SCALE = ("#e8eef6", "#c4d4e8", "#93b3d6", "#5f8cbd", "#3a6a9e", "#1f4a7a", "#0b2a4f")
DARK_SCALE = ("#16273a", "#23415e", "#2d5b82", "#3f78a4", "#6497c0", "#97bddb", "#d7e8f5")
# repeat reports (data_access.repeats): another hue, so the two maps are never confused
WARM_SCALE = ("#f6eee8", "#f3d3bd", "#eeac83", "#e3814f", "#c85a2b", "#9a3a17", "#63200a")
DARK_WARM_SCALE = ("#2a1c16", "#4a2a1c", "#6f3b22", "#a0532c", "#cf7a47", "#e9a87c", "#f8dcc6")
PALETTES = {"volume": (SCALE, DARK_SCALE), "repeats": (WARM_SCALE, DARK_WARM_SCALE)}
HOTSPOTS = 5
CLASSES = len(SCALE)
HOVER, HOTSPOTS_TRACE = 0, 1  # the figure's traces; the grids themselves are shapes
REPEAT_RING = ("#c85a2b", "#ff9a5c")  # light, dark: the repeats palette's hue
KM_PER_DEGREE = 111.32  # of latitude, and of longitude at the equator


def density_class(value: int, top: int) -> int:
    """0 for no incidents, else 1..CLASSES-1 on a log scale up to the busiest grid."""
    if value <= 0 or top <= 0:
        return 0
    return 1 + min(CLASSES - 2, int(math.log1p(value) / math.log1p(top) * (CLASSES - 2)))


def fill_colours(
    grids: list[dict], counts: dict[str, int], dark: bool, palette: str = "volume"
) -> list[str]:
    light, darker = PALETTES[palette]
    scale = darker if dark else light
    top = max(counts.values(), default=0)
    return [scale[density_class(counts.get(g["code"], 0), top)] for g in grids]


def class_ranges(counts: dict[str, int]) -> list[tuple[int, int, int]]:
    """(class, lowest, highest count) of each density class in use, for a legend: the
    classes are on a log scale up to the busiest grid, so their ranges change with it."""
    top = max(counts.values(), default=0)
    ranges: dict[int, list[int]] = {}
    for value in sorted(set(counts.values()) | {0}):
        ranges.setdefault(density_class(value, top), []).append(value)
    return [(k, min(v), max(v)) for k, v in sorted(ranges.items())]


def town_outlines(grids: list[dict]) -> tuple[list, list]:
    """x and y (None between segments) of the grid edges that are town boundaries: the
    edges of one grid only (the county's edge) or of grids in two towns. Neighbouring
    grids share their vertices, so an edge is matched by its two end points."""
    towns: dict[tuple, list[str]] = {}
    for grid in grids:
        ring = grid["ring"]
        for a, b in zip(ring, ring[1:], strict=False):
            key = tuple(sorted((tuple(round(c, 6) for c in a), tuple(round(c, 6) for c in b))))
            towns.setdefault(key, []).append(grid["town"])
    xs: list = []
    ys: list = []
    for (a, b), owners in towns.items():
        if len(owners) == 1 or len(set(owners)) > 1:
            xs += [a[0], b[0], None]
            ys += [a[1], b[1], None]
    return xs, ys


def town_centres(grids: list[dict]) -> dict[str, tuple[float, float]]:
    """Each town's label point: the mean of its grids' centres."""
    points: dict[str, list] = {}
    for grid in grids:
        points.setdefault(grid["town"], []).append(grid["center"])
    return {
        town: (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        for town, pts in points.items()
    }


def _path(ring: list) -> str:
    """A polygon as an SVG path in data coordinates (a Plotly `path` shape)."""
    return "M" + "L".join(f"{lon},{lat}" for lon, lat in ring) + "Z"


def _y_ratio(grids: list[dict]) -> float:
    """How much longer a degree of latitude is drawn than one of longitude."""
    mid_lat = sum(g["center"][1] for g in grids) / max(len(grids), 1)
    return 1 / max(math.cos(math.radians(mid_lat)), 0.1)


def _extent(grids: list[dict]) -> tuple[float, float, float, float]:
    lons = [lon for g in grids for lon, _ in g["ring"]]
    lats = [lat for g in grids for _, lat in g["ring"]]
    return (min(lons, default=0), min(lats, default=0), max(lons, default=0), max(lats, default=0))


def scale_km(width_km: float) -> float:
    """The longest round length (1, 2, 5 x 10^n km) no longer than a quarter of the map."""
    quarter = max(width_km / 4, 1e-3)
    decade = 10 ** math.floor(math.log10(quarter))
    return max(m * decade for m in (1, 2, 5) if m * decade <= quarter)


def scale_bar(grids: list[dict], dark: bool, lang: str, scale: float = 1.0) -> tuple[list, dict]:
    """(shapes, annotation): a bar of a round number of km at the map's bottom left,
    with its length written above it, so a viewer can tell distances."""
    west, south, east, north = _extent(grids)
    km_per_lon = KM_PER_DEGREE * math.cos(math.radians((south + north) / 2))
    km = scale_km((east - west) * km_per_lon)
    x0, y = west, south - 0.04 * (north - south)
    x1 = x0 + km / km_per_lon
    tick = 0.015 * (north - south)
    colour = "#c9d6e3" if dark else "#1d2733"
    line = {"color": colour, "width": 2 * scale}
    shapes = [
        {"type": "line", "x0": x0, "x1": x1, "y0": y, "y1": y, "line": line},
        {"type": "line", "x0": x0, "x1": x0, "y0": y, "y1": y + tick, "line": line},
        {"type": "line", "x0": x1, "x1": x1, "y0": y, "y1": y + tick, "line": line},
    ]
    label = {
        "x": (x0 + x1) / 2,
        "y": y + tick,
        "text": t("map.scale", lang, km=f"{km:g}"),
        "showarrow": False,
        "yanchor": "bottom",
        "font": {"size": 12 * scale, "color": colour},
    }
    return shapes, label


def hotspots(
    grids: list[dict],
    counts: dict[str, int],
    names: dict[str, str],
    counts_only: bool = False,
    font: float = label_place.FONT_PX,
    width: float = label_place.MAP_WIDTH_PX,
    taken: tuple = (),
) -> dict:
    """The busiest grids (at least one incident) as marker coordinates and labels, each
    label on a side where it covers no busier grid's label and none of the boxes `taken`
    (the towns' names) on a map `width` pixels wide in type `font` pixels high
    (label_place); `counts_only` where town names already say where (the wall's large
    type has no room for both)."""
    busiest = sorted(
        (g for g in grids if counts.get(g["code"], 0) > 0),
        key=lambda g: (-counts[g["code"]], g["code"]),
    )[:HOTSPOTS]
    texts = [
        str(counts[g["code"]])
        if counts_only
        else f"{names.get(g['code'], g['code'])} · {counts[g['code']]}"
        for g in busiest
    ]
    extent = _extent(grids)
    pixels, box = label_place.to_pixels(
        [g["center"] for g in busiest], extent, _y_ratio(grids), width
    )
    shorts = [str(counts[g["code"]]) for g in busiest]
    sides, shown = label_place.place(pixels, texts, shorts, box, font, taken)
    return {
        "x": [g["center"][0] for g in busiest],
        "y": [g["center"][1] for g in busiest],
        "text": plot_texts(shown),  # escaped once placed: boxes measure the text shown
        "textposition": sides,
    }


def town_labels(
    grids: list[dict], town_names: dict[str, str], font: float, width: float
) -> tuple[dict, tuple]:
    """(the towns' names as a text trace's x, y and text, their boxes in pixels on a map
    `width` pixels wide): each at its town's centre, moved a line or two up or down where
    it would cover another (label_place.centred)."""
    centres = town_centres(grids)
    texts = [town_names.get(town, town) for town in centres]
    points = list(centres.values())
    extent, y_ratio = _extent(grids), _y_ratio(grids)
    pixels, _ = label_place.to_pixels(points, extent, y_ratio, width)
    shifts, boxes = label_place.centred(pixels, texts, font)
    per_pixel = max(extent[2] - extent[0], 1e-9) / width / y_ratio  # map y units per pixel
    trace = {
        "x": [c[0] for c in points],
        "y": [c[1] + dy * per_pixel for c, dy in zip(points, shifts, strict=True)],
        "text": plot_texts(texts),
    }
    return trace, tuple(boxes)


def _hover(grids: list[dict], counts: dict[str, int], names: dict[str, str]) -> list[str]:
    return [
        f"{plot_text(names.get(g['code'], g['code']))}: {counts.get(g['code'], 0)}" for g in grids
    ]


def grid_map_figure(
    grids: list[dict],
    counts: dict[str, int],
    names: dict[str, str],
    dark: bool = False,
    scale: float = 1.0,
    lang: str = "en",
    town_names: dict[str, str] | None = None,
    text_size: float = 14,
    map_px: float = label_place.MAP_WIDTH_PX,
    palette: str = "volume",
    repeats: dict[str, int] | None = None,
) -> go.Figure:
    """`scale` multiplies marker and text sizes (Plotly's are pixels; 2 on a 4K wall);
    `palette` (PALETTES) the fills' hue: "repeats" for repeat reports;
    with `repeats` (repeat reports per grid), a ring on each grid that has some, over a
    map of another figure (the wall's: it has no control to switch the map's layer);
    with `town_names`, the towns' boundaries and names are drawn over the grids, spread
    so that none covers another or a hotspot's count on a map about `map_px` wide (at
    scale 1). The grids are the first shapes, in `grids` order (grid_map_patch); the
    scale bar's come after."""
    towns, taken = (
        town_labels(grids, town_names, text_size, map_px) if town_names is not None else ({}, ())
    )
    bar, bar_label = scale_bar(grids, dark, lang, scale)
    edge = "#0b1622" if dark else "#ffffff"
    # unvalidated: plotly checks each of ~300 shapes' properties one by one (~90 ms a map)
    fig = go.Figure(_validate=False)
    fig.add_scatter(
        x=[g["center"][0] for g in grids],
        y=[g["center"][1] for g in grids],
        text=_hover(grids, counts, names),
        mode="markers",
        marker={"size": 8, "opacity": 0},
        hoverinfo="text",
        showlegend=False,
    )
    fig.add_scatter(
        **hotspots(grids, counts, names, town_names is not None, text_size, map_px, taken),
        mode="markers+text",
        marker={"symbol": "star", "size": 18 * scale, "color": "#f2a900", "line": {"width": 1}},
        textfont={
            "color": "#ffffff" if dark else "#1d2733",
            "size": text_size * scale,
            "shadow": "auto",  # a halo in the background's colour: readable on any fill
        },
        hoverinfo="skip",
        showlegend=False,
    )
    if town_names is not None:
        _add_towns(fig, grids, towns, dark, scale, text_size)
    if repeats is not None:
        fig.add_scatter(
            **repeat_rings(grids, repeats, scale),
            mode="markers",
            marker_symbol="circle-open",
            marker_color=REPEAT_RING[dark],
            marker_line_width=4 * scale,
            hoverinfo="text",
            showlegend=False,
        )
    fig.update_layout(
        shapes=[
            {
                "type": "path",
                "path": _path(grid["ring"]),
                "xref": "x",
                "yref": "y",
                "fillcolor": colour,
                "line": {"color": edge, "width": 0.7},
                "layer": "below",
            }
            for grid, colour in zip(grids, fill_colours(grids, counts, dark, palette), strict=True)
        ]
        + (bar if grids else []),
        annotations=[bar_label] if grids else [],
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False},
        yaxis={
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": _y_ratio(grids),
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        dragmode=False,
        hovermode="closest",
    )
    return fig


def _add_towns(fig, grids, towns: dict, dark: bool, scale: float, text_size: float) -> None:
    """Town boundaries (a line trace) and names (`towns`: town_labels' trace); added after
    the hover and hotspot traces, so a Patch's trace indices stay the same."""
    xs, ys = town_outlines(grids)
    line = "#f5f7fa" if dark else "#1d2733"
    fig.add_scatter(
        x=xs, y=ys, mode="lines", line={"color": line, "width": 2 * scale},
        hoverinfo="skip", showlegend=False,
    )  # fmt: skip
    fig.add_scatter(
        **towns,
        mode="text",
        textfont={"color": "#9fc3e6" if dark else "#38506b", "size": text_size * scale,
                  "shadow": "auto"},
        hoverinfo="skip",
        showlegend=False,
    )  # fmt: skip


def repeat_rings(grids: list[dict], repeats: dict[str, int], scale: float = 1.0) -> dict:
    """A ring at the centre of each grid with repeat reports, larger for more (up to twice
    the smallest, on a log scale to the most), with the count for hover."""
    shown = [g for g in grids if repeats.get(g["code"], 0) > 0]
    top = max((repeats[g["code"]] for g in shown), default=1)
    return {
        "x": [g["center"][0] for g in shown],
        "y": [g["center"][1] for g in shown],
        "marker_size": [
            (16 + 16 * math.log1p(repeats[g["code"]]) / math.log1p(top)) * scale for g in shown
        ],
        "text": [str(repeats[g["code"]]) for g in shown],
    }


def grid_map_patch(
    grids: list[dict],
    counts: dict[str, int],
    names: dict[str, str],
    dark: bool = False,
    town_names: dict[str, str] | None = None,
    text_size: float = 14,
    map_px: float = label_place.MAP_WIDTH_PX,
    repeats: dict[str, int] | None = None,
    scale: float = 1.0,
) -> Patch:
    """What changes between updates: each grid's colour, the hover counts and the hotspots;
    the polygons stay in the browser (they were ~60% of an update's bytes and CPU).
    `town_names`, `text_size`, `map_px`, `repeats`, `scale`: as the figure was drawn (its
    hotspots then show counts only, clear of the towns' names)."""
    patch = Patch()
    shapes = patch["layout"]["shapes"]
    for index, colour in enumerate(fill_colours(grids, counts, dark)):
        shapes[index]["fillcolor"] = colour
    patch["data"][HOVER]["text"] = _hover(grids, counts, names)
    taken = () if town_names is None else town_labels(grids, town_names, text_size, map_px)[1]
    spots = hotspots(grids, counts, names, town_names is not None, text_size, map_px, taken)
    for key, value in spots.items():
        patch["data"][HOTSPOTS_TRACE][key] = value
    if repeats is not None:  # the last trace: after the towns' two when they are drawn
        rings = patch["data"][HOTSPOTS_TRACE + 1 + (2 if town_names is not None else 0)]
        ring = repeat_rings(grids, repeats, scale)
        rings["x"], rings["y"], rings["text"] = ring["x"], ring["y"], ring["text"]
        rings["marker"]["size"] = ring["marker_size"]
    return patch
