"""The wall's trend axis moves in coarse steps, so Plotly redraws its tick labels at the
positions it has already measured (its label-size cache grew with every update, #5)."""

from __future__ import annotations

from callbacks.wall_figures import trend_figure, trend_patch, trend_top


def test_trend_top_covers_the_counts_in_coarse_steps():
    assert trend_top([0] * 24, [0] * 24) == 1
    assert trend_top([3, 7], [9]) == 10
    assert trend_top([301], [12]) == 500
    assert trend_top([500], []) == 500
    assert trend_top([501], []) == 1000


def test_counts_moving_within_a_step_keep_the_axis_still():
    assert {trend_top([n] * 24, [n // 2] * 24) for n in range(201, 501)} == {500}


def test_first_figure_and_patch_agree():
    today, yesterday = [5, 40, 130], [20, 60, 90]
    assert list(trend_figure(today, yesterday, "en").layout.yaxis.range) == [0, 200]
    operations = trend_patch(today, yesterday).to_plotly_json()["operations"]
    assert {
        "operation": "Assign",
        "location": ["layout", "yaxis", "range"],
        "params": {"value": [0, 200]},
    } in operations
