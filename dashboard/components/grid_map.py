"""The county's grid map, drawn offline: filled polygons on plain cartesian axes.

No tiles, glyphs or topojson are fetched (ENVIRONMENT.md): each grid is one filled
`go.Scatter` trace in a fixed order, so a live update patches only the fill colours
that changed. Hotspots are marked with a star and a label, not by colour alone.
One component, used by the wall, the KPI page and the incident page.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from dash import Patch

# light to dark, readable for colour-blind viewers (single-hue sequential, cividis-like)
SCALE = ("#e8eef6", "#c4d4e8", "#93b3d6", "#5f8cbd", "#3a6a9e", "#1f4a7a", "#0b2a4f")
DARK_SCALE = ("#1b2a3a", "#23415e", "#2d5b82", "#3f78a4", "#6497c0", "#97bddb", "#d7e8f5")
HOTSPOTS = 5


def _bin(value: int, top: int) -> int:
    if value <= 0 or top <= 0:
        return 0
    return 1 + min(len(SCALE) - 2, int(math.log1p(value) / math.log1p(top) * (len(SCALE) - 2)))


def fill_colours(grids: list[dict], counts: dict[str, int], dark: bool) -> list[str]:
    scale = DARK_SCALE if dark else SCALE
    top = max(counts.values(), default=0)
    return [scale[_bin(counts.get(g["code"], 0), top)] for g in grids]


def hotspots(grids: list[dict], counts: dict[str, int], names: dict[str, str]) -> dict:
    """The busiest grids (at least one incident) as marker coordinates and labels."""
    busiest = sorted(
        (g for g in grids if counts.get(g["code"], 0) > 0),
        key=lambda g: (-counts[g["code"]], g["code"]),
    )[:HOTSPOTS]
    return {
        "x": [g["center"][0] for g in busiest],
        "y": [g["center"][1] for g in busiest],
        "text": [f"{names.get(g['code'], g['code'])} {counts[g['code']]}" for g in busiest],
    }


def grid_map_figure(
    grids: list[dict], counts: dict[str, int], names: dict[str, str], dark: bool = False
) -> go.Figure:
    colours = fill_colours(grids, counts, dark)
    edge = "#0d1520" if dark else "#ffffff"
    fig = go.Figure()
    for grid, colour in zip(grids, colours, strict=True):
        xs, ys = zip(*grid["ring"], strict=True)
        fig.add_scatter(
            x=xs,
            y=ys,
            fill="toself",
            fillcolor=colour,
            mode="lines",
            line={"color": edge, "width": 0.6},
            hoverinfo="text",
            text=f"{names.get(grid['code'], grid['code'])}: {counts.get(grid['code'], 0)}",
            showlegend=False,
        )
    spots = hotspots(grids, counts, names)
    fig.add_scatter(
        **spots,
        mode="markers+text",
        marker={"symbol": "star", "size": 16, "color": "#f2a900", "line": {"width": 1}},
        textposition="top center",
        textfont={"color": "#ffffff" if dark else "#1d2733", "size": 13},
        hoverinfo="skip",
        showlegend=False,
    )
    mid_lat = sum(g["center"][1] for g in grids) / max(len(grids), 1)
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False},
        yaxis={
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": 1 / max(math.cos(math.radians(mid_lat)), 0.1),
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        dragmode=False,
        hovermode="closest",
    )
    return fig


def grid_map_patch(
    grids: list[dict], counts: dict[str, int], names: dict[str, str], dark: bool = False
) -> Patch:
    """Only what changes between updates: the fill colours and the hotspot markers."""
    patch = Patch()
    for i, colour in enumerate(fill_colours(grids, counts, dark)):
        patch["data"][i]["fillcolor"] = colour
    spots = hotspots(grids, counts, names)
    for key, value in spots.items():
        patch["data"][len(grids)][key] = value
    return patch
