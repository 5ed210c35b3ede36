"""The shared grid map: offline traces, colour bins, hotspots and partial updates."""

from dashboard.components.grid_map import (
    HOTSPOTS,
    SCALE,
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


def test_figure_has_one_trace_per_grid_plus_hotspots_and_no_map_tiles():
    grids = _grids(8)
    counts = {"G01": 10, "G02": 1}
    fig = grid_map_figure(grids, counts, {"G01": "Busy grid"})
    assert len(fig.data) == 9
    assert all(trace.type == "scatter" for trace in fig.data)
    spots = fig.data[-1]
    assert list(spots.text) == ["Busy grid 10", "G02 1"]
    assert "mapbox" not in fig.to_json() and "map_style" not in fig.to_json()


def test_colours_grow_with_counts_and_zero_is_lightest():
    grids = _grids(3)
    colours = fill_colours(grids, {"G00": 0, "G01": 5, "G02": 500}, dark=False)
    assert colours[0] == SCALE[0]
    assert SCALE.index(colours[1]) < SCALE.index(colours[2])


def test_patch_touches_only_colours_and_hotspots():
    grids = _grids(HOTSPOTS + 2)
    patch = grid_map_patch(grids, {"G00": 3}, {}).to_plotly_json()
    paths = {tuple(op["location"]) for op in patch["operations"]}
    assert ("data", 0, "fillcolor") in paths
    assert not any("x" == p[-1] and p[1] != len(grids) for p in paths)
    assert ("data", len(grids), "text") in paths
