"""The shared grid map: offline traces, density classes, hotspots and partial updates."""

from dashboard.components.grid_map import (
    CLASSES,
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


def test_figure_is_plain_scatter_with_classes_hover_and_hotspots():
    grids = _grids(8)
    counts = {"G01": 10, "G02": 1}
    fig = grid_map_figure(grids, counts, {"G01": "Busy grid"})
    assert len(fig.data) == CLASSES + 2
    assert all(trace.type == "scatter" for trace in fig.data)
    assert list(fig.data[-1].text) == ["Busy grid · 10", "G02 · 1"]
    assert "Busy grid: 10" in fig.data[CLASSES].text
    busiest = fig.data[density_class(10, 10)]
    assert busiest.x[:5] == (1.0, 2.0, 2.0, 1.0, 1.0)
    empty = fig.data[0]
    assert empty.x.count(None) == 6  # the six grids with no incidents
    assert "mapbox" not in fig.to_json() and "map_style" not in fig.to_json()


def test_colours_grow_with_counts_and_zero_is_lightest():
    grids = _grids(3)
    colours = fill_colours(grids, {"G00": 0, "G01": 5, "G02": 500}, dark=False)
    assert colours[0] == SCALE[0]
    assert SCALE.index(colours[1]) < SCALE.index(colours[2])


def test_patch_moves_polygons_between_classes_and_updates_hotspots():
    grids = _grids(4)
    patch = grid_map_patch(grids, {"G00": 3}, {}).to_plotly_json()
    ops = {tuple(op["location"]): op for op in patch["operations"]}
    assert ("data", 0, "x") in ops and ("data", CLASSES + 1, "text") in ops
    top = density_class(3, 3)
    assert ops[("data", top, "x")]["params"]["value"][:4] == [0.0, 1.0, 1.0, 0.0]
    assert ops[("data", CLASSES + 1, "text")]["params"]["value"] == ["G00 · 3"]
