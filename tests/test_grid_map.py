"""The shared grid map: offline traces, density classes, hotspots and partial updates."""

import pytest

from dashboard.components.grid_map import (
    HOTSPOTS_TRACE,
    HOVER,
    KM_PER_DEGREE,
    SCALE,
    _y_ratio,
    density_class,
    fill_colours,
    grid_map_figure,
    grid_map_patch,
    scale_km,
)
from dashboard.components.label_place import (
    FONT_PX,
    MARKER_PX,
    _box,
    _overlap,
    text_width,
    to_pixels,
)


def _grids(n: int) -> list[dict]:
    out = []
    for i in range(n):
        x = float(i)
        ring = [[x, 0.0], [x + 1, 0.0], [x + 1, 1.0], [x, 1.0], [x, 0.0]]
        out.append({"code": f"G{i:02d}", "town": "T", "ring": ring, "center": [x + 0.5, 0.5]})
    return out


def test_figure_is_plain_scatter_with_grid_shapes_hover_and_hotspots():
    grids = _grids(8)
    counts = {"G01": 10, "G02": 1}
    fig = grid_map_figure(grids, counts, {"G01": "Busy grid"})
    assert [trace.type for trace in fig.data] == ["scatter", "scatter"]
    # the second, next to the first on a one-row map, has no free side: its count only
    assert list(fig.data[HOTSPOTS_TRACE].text) == ["Busy grid · 10", "1"]
    assert "Busy grid: 10" in fig.data[HOVER].text
    shapes = fig.layout.shapes
    assert [s.type for s in shapes] == ["path"] * 8 + ["line"] * 3  # grids, then the scale
    assert shapes[1].path == "M1.0,0.0L2.0,0.0L2.0,1.0L1.0,1.0L1.0,0.0Z"
    assert shapes[1].fillcolor == SCALE[density_class(10, 10)]
    assert {shapes[i].fillcolor for i in (0, 3, 4, 5, 6, 7)} == {SCALE[0]}
    assert "mapbox" not in fig.to_json() and "map_style" not in fig.to_json()


def test_the_map_has_a_scale_bar_of_a_round_length_written_in_its_language():
    grids = _grids(8)  # 8 degrees of longitude on the equator: 890 km across
    fig = grid_map_figure(grids, {}, {}, lang="zh")
    bar = fig.layout.shapes[8]
    assert bar.y0 == bar.y1 < 0  # under the map
    assert (bar.x1 - bar.x0) * KM_PER_DEGREE == pytest.approx(200, rel=1e-3)  # round, <= 1/4
    assert fig.layout.annotations[0].text == "200 公里"
    assert grid_map_figure(grids, {}, {}).layout.annotations[0].text == "200 km"
    assert [scale_km(w) for w in (3.0, 9.0, 41.0, 0.5)] == [0.5, 2, 10, 0.1]


def test_colours_grow_with_counts_and_zero_is_lightest():
    grids = _grids(3)
    colours = fill_colours(grids, {"G00": 0, "G01": 5, "G02": 500}, dark=False)
    assert colours[0] == SCALE[0]
    assert SCALE.index(colours[1]) < SCALE.index(colours[2])


def test_patch_sends_colours_and_hotspots_but_no_polygons():
    grids = _grids(4)
    patch = grid_map_patch(grids, {"G00": 3}, {}).to_plotly_json()
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch["operations"]}
    colours = [ops.pop(("layout", "shapes", i, "fillcolor")) for i in range(4)]
    assert colours == [SCALE[density_class(3, 3)], SCALE[0], SCALE[0], SCALE[0]]
    assert ops.pop(("data", HOVER, "text")) == ["G00: 3", "G01: 0", "G02: 0", "G03: 0"]
    assert ops.pop(("data", HOTSPOTS_TRACE, "text")) == ["G00 · 3"]
    assert ops.pop(("data", HOTSPOTS_TRACE, "textposition")) == ["top center"]
    assert ops == {("data", HOTSPOTS_TRACE, "x"): [0.5], ("data", HOTSPOTS_TRACE, "y"): [0.5]}


def test_neighbouring_hotspots_label_on_sides_that_do_not_overlap():
    """Hot grids side by side on a 12 x 8 map: each label keeps clear of the others and of
    the stars, inside the map (and one alone sits above its star, as Plotly would put it)."""
    grids = [
        {
            "code": f"G{row}{col:02d}",
            "town": "T",
            "ring": [[col, row], [col + 1, row], [col + 1, row + 1], [col, row + 1], [col, row]],
            "center": [col + 0.5, row + 0.5],
        }
        for row in range(8)
        for col in range(12)
    ]
    hot_cells = [(4, 3), (4, 4), (4, 5), (1, 9), (1, 10)]  # three and two side by side
    counts = {f"G{row}{col:02d}": 50 - i for i, (row, col) in enumerate(hot_cells)}
    names = {code: "居民小区网格" for code in counts}
    hot = grid_map_figure(grids, counts, names).data[HOTSPOTS_TRACE]
    points = list(zip(hot.x, hot.y, strict=True))
    pixels, bounds = to_pixels(points, (0, 0, 12, 8), _y_ratio(grids))
    boxes = [
        _box(x, y, p, text_width(t), FONT_PX * 1.4)
        for (x, y), p, t in zip(pixels, hot.textposition, hot.text, strict=True)
    ]
    r = MARKER_PX / 2
    stars = [(x - r, y - r, x + r, y + r) for x, y in pixels]
    for i, box in enumerate(boxes):
        others = boxes[:i] + boxes[i + 1 :] + stars
        assert not any(_overlap(box, other) for other in others), (i, hot.textposition)
        assert _overlap(box, bounds) == (box[2] - box[0]) * (box[3] - box[1])
    assert len(set(hot.textposition)) > 1
    assert hot.text[0] == "居民小区网格 · 50"  # the busiest keeps its name
    alone = grid_map_figure(grids, {"G405": 3}, names).data[HOTSPOTS_TRACE]
    assert list(alone.textposition) == ["top center"]


def test_labels_keep_a_gap_rather_than_touch():
    """Two names side by side that would touch (2 px apart) read as one line of text."""
    from dashboard.components.label_place import place

    text = "中中中中"  # 56 px wide: at x=100 its top-centre box spans 72-128 px
    sides, shown = place([(100.0, 100.0), (158.0, 100.0)], [text, text], ["1", "2"],
                         (0.0, 0.0, 400.0, 400.0))  # fmt: skip
    assert sides[0] == "top center" and shown == [text, text]
    assert sides[1] != "top center"  # the free side 2 px away is taken as a clash


@pytest.mark.parametrize("towns", [None, {"T": "Town"}])
def test_repeat_reports_are_rings_on_their_grids_and_a_patch_moves_them(towns):
    grids = _grids(8)
    fig = grid_map_figure(grids, {"G01": 4}, {}, True, 2, "en", towns, repeats={"G03": 1, "G05": 9})
    rings = fig.data[-1]
    assert len(fig.data) == (5 if towns else 3)  # after the towns' outline and names
    assert rings.marker.symbol == "circle-open"
    assert (list(rings.x), list(rings.text)) == ([3.5, 5.5], ["1", "9"])
    small, large = rings.marker.size
    assert 32 < small < large == 64  # 16 px + up to 16 more for the most, x2 at 4K
    assert len(grid_map_figure(grids, {"G01": 4}, {}, True).data) == 2  # none asked: no trace

    patch = grid_map_patch(grids, {"G01": 4}, {}, True, towns, repeats={"G07": 2}, scale=2)
    index = len(fig.data) - 1
    assigned = {
        tuple(op["location"]): op["params"]["value"]
        for op in patch.to_plotly_json()["operations"]
        if op["location"][:2] == ["data", index]
    }
    assert assigned[("data", index, "x")] == [7.5]
    assert assigned[("data", index, "text")] == ["2"]
    assert assigned[("data", index, "marker", "size")] == [64]
