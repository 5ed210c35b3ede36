"""Open-set codes are data, never markup: Plotly reads labels, hover text, tick text and
annotations as HTML, so a producer's `<a href>` or `<span style>` code must reach every
figure escaped (dashboard.components.plot_text), shown as typed."""

from __future__ import annotations

import json
import re

import pytest

from callbacks import figures, wall_figures
from callbacks.incident import location_figure
from dashboard.components.grid_map import grid_map_figure, grid_map_patch
from data_access.masterdata import Catalog

LINK = '<a href="http://x">点我</a>'
BIG = '<span style="font-size:90px">大字</span>'
BOLD = "<b>x</b><br><i>y</i>"
HOSTILE = (LINK, BIG, BOLD)
MARKUP = re.compile(r"<\s*/?\s*(a|span|b|i|br|em|sup|sub|s|u)\b", re.IGNORECASE)
OUTCOMES = tuple(figures.OUTCOME_COLOURS)


def _grids() -> list[dict]:
    rings = ([[0, 0], [1, 0], [1, 1], [0, 0]], [[2, 0], [3, 0], [3, 1], [2, 0]])
    return [
        {"code": code, "ring": ring, "center": [ring[1][0] - 0.5, 0.5]}
        for code, ring in zip((LINK, BIG), rings, strict=True)
    ]


def _figures(monkeypatch) -> dict:
    """Every figure builder, fed hostile codes (unknown codes are shown as themselves)."""
    rows = [{"key": code, "received": 3, "closed": 1} for code in HOSTILE]
    cells = [{"row": a, "column": b, "received": 2} for a in HOSTILE for b in HOSTILE]
    hostile_names = dict.fromkeys(("accepted", "mediating", *OUTCOMES), LINK)
    flow = {
        "accepted": 9,
        "mediating": 3,
        "direct": dict.fromkeys(OUTCOMES, 1),
        "via_mediating": dict.fromkeys(OUTCOMES, 1),
    }
    outcomes = {o: {"count": 1, "histogram": [1, 0, 0]} for o in OUTCOMES}
    grids, counts = _grids(), {LINK: 5, BIG: 2}
    state = {"grid": BIG, "lat": None, "lon": None}
    return {
        "channel": figures.channel_figure(rows, {}, "en"),
        "category": figures.category_figure(rows, {}, "zh"),
        "matrix": figures.matrix_figure(cells, {}, {}, "en"),
        "flow": figures.dispute_flow_figure(flow, hostile_names, "en"),
        "durations": figures.durations_figure(
            {"edges": [1, 3], "outcomes": outcomes}, hostile_names, "en"
        ),
        "map": grid_map_figure(grids, counts, {}),
        "map_patch": grid_map_patch(grids, counts, {}),
        "incident_map": location_figure(state, grids, Catalog({}), "en"),
        "wall_trend": wall_figures.trend_figure([1] * 24, [2] * 24, "zh"),
    }


NOT_DRAWN = frozenset({"customdata"})  # handed to callbacks (a clicked bar's code), never shown


def _strings(node) -> list[str]:
    """Every string of a figure's JSON that Plotly may draw."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in NOT_DRAWN for s in _strings(v)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in _strings(v)]
    return []


def test_no_markup_from_data_survives_in_any_figure(monkeypatch):
    for name, figure in _figures(monkeypatch).items():
        plain = json.loads(json.dumps(figure.to_plotly_json(), default=str))
        texts = _strings(plain)
        assert texts, name
        for text in texts:
            assert not MARKUP.search(text), (name, text)


def test_escaped_codes_read_as_typed(monkeypatch):
    built = _figures(monkeypatch)
    assert list(built["channel"].data[0].labels) == [
        '&lt;a href="http://x"&gt;点我&lt;/a&gt;',
        '&lt;span style="font-size:90px"&gt;大字&lt;/span&gt;',
        "&lt;b&gt;x&lt;/b&gt;&lt;br&gt;&lt;i&gt;y&lt;/i&gt;",
    ]
    hover = built["map"].data[0].text
    assert hover[0] == '&lt;a href="http://x"&gt;点我&lt;/a&gt;: 5'


@pytest.mark.parametrize("text", ["Tom & Jerry", "a < b", "城东街道"])
def test_plain_names_keep_their_meaning(text):
    figure = figures.channel_figure([{"key": "c", "received": 1}], {"c": text}, "en")
    label = figure.data[0].labels[0]
    assert label.replace("&amp;", "&").replace("&lt;", "<") == text
