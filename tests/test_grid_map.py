"""The shared grid map: offline traces, density classes, hotspots and partial updates."""

from dashboard.components.grid_map import (
    HOTSPOTS_TRACE,
    HOVER,
    SCALE,
    density_class,
    fill_colours,
    grid_map_figure,
    grid_map_patch,
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
    assert list(fig.data[HOTSPOTS_TRACE].text) == ["Busy grid · 10", "G02 · 1"]
    assert "Busy grid: 10" in fig.data[HOVER].text
    shapes = fig.layout.shapes
    assert len(shapes) == 8
    assert shapes[1].path == "M1.0,0.0L2.0,0.0L2.0,1.0L1.0,1.0L1.0,0.0Z"
    assert shapes[1].fillcolor == SCALE[density_class(10, 10)]
    assert {shapes[i].fillcolor for i in (0, 3, 4, 5, 6, 7)} == {SCALE[0]}
    assert "mapbox" not in fig.to_json() and "map_style" not in fig.to_json()


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
    assert ops == {("data", HOTSPOTS_TRACE, "x"): [0.5], ("data", HOTSPOTS_TRACE, "y"): [0.5]}
