"""What a new user saw on the charts (issue 15, point 4): a day's axis in fractions of a
second, a month's in hours with bars half a day off, rates past 100%, a year as 336
bars, colour bars without units, and a modebar offering Plotly's cloud."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from callbacks.figures import (
    DAY_MS,
    daily_figure,
    dispute_daily_figure,
    matrix_figure,
    weekday_hour_figure,
)
from dashboard.leader_layout import graph_config
from data_access.kpis import Window

TODAY = date(2026, 12, 2)


def _day(day: date, received: int, closed: int) -> dict:
    return {"key": day.isoformat(), "received": received, "closed": closed,
            "closure_rate": closed / received}  # fmt: skip


def test_today_is_one_day_wide_with_one_tick_under_its_bar():
    fig = daily_figure([_day(TODAY, 7, 3)], "zh", Window(TODAY, TODAY))
    axis = fig.layout.xaxis
    assert axis.type == "date"
    assert axis.range == ("2026-12-02", "2026-12-03")  # not a millisecond around midnight
    assert axis.dtick == DAY_MS and axis.tick0 == "2026-12-02 12:00"
    assert "%S" not in axis.tickformat and "%H" not in axis.tickformat
    received, closed, rate = fig.data  # a lone bar was a millisecond wide: invisible
    assert received.x == closed.x == rate.x == ("2026-12-02 12:00:00",)
    assert received.width == closed.width == (0.4 * DAY_MS,)
    assert received.offset == (-0.4 * DAY_MS,) and closed.offset == (0,)


def test_a_month_has_whole_day_ticks_and_bars_on_their_days():
    start = TODAY.replace(day=1)
    rows = [_day(start, 7, 5), _day(TODAY, 7, 0)]
    axis = daily_figure(rows, "en", Window(start, TODAY)).layout.xaxis
    assert axis.dtick % DAY_MS == 0  # days, never hours
    assert axis.tick0.endswith("12:00")
    assert axis.range == ("2026-12-01", "2026-12-03")
    month = daily_figure(rows, "en", Window(date(2026, 11, 1), date(2026, 11, 30))).layout.xaxis
    assert month.dtick == 2 * DAY_MS  # 30 days: at most 16 ticks


def test_rates_run_from_0_to_100_percent_in_round_steps():
    fig = daily_figure([_day(TODAY, 4, 4)], "en", Window(TODAY, TODAY))
    axis = fig.layout.yaxis2
    assert tuple(axis.range) == (0, 1) and axis.dtick == 0.2 and axis.tickformat == ".0%"
    assert fig.data[2].cliponaxis is False  # a 100% point is drawn whole


def test_a_year_is_drawn_as_months():
    start = date(2026, 1, 1)
    days = [start + timedelta(days=n) for n in range((TODAY - start).days + 1)]
    rows = [_day(d, 4, 3 if d.month == 2 else 4) for d in days]
    fig = daily_figure(rows, "zh", Window(start, TODAY))
    received, closed, rate = fig.data
    assert len(received.x) == 12
    assert received.x[1] == "2026-02-15 00:00:00" and received.y[1] == 28 * 4
    assert received.width[1] == pytest.approx(0.4 * 28 * DAY_MS)  # a month wide, not a day
    assert closed.y[1] == 28 * 3 and rate.y[1] == 0.75 and rate.y[0] == 1
    axis = fig.layout.xaxis
    assert axis.dtick == "M1" and axis.ticklabelmode == "period"
    assert axis.tickformat == "%Y年%-m月"
    assert axis.range == ("2026-01-01", "2027-01-01")
    # 92 days or fewer stay days
    short = daily_figure(rows[:92], "zh", Window(start, start + timedelta(days=91)))
    assert len(short.data[0].x) == 92


def test_disputes_by_month_rate_is_resolved_over_accepted():
    start = date(2026, 1, 1)
    rows = [
        {"key": (start + timedelta(days=n)).isoformat(), "accepted": 2, "mediated": 1,
         "adjudicated": 0, "resolution_rate": 0.5}
        for n in range(200)
    ]  # fmt: skip
    fig = dispute_daily_figure(rows, "en", Window(start, start + timedelta(days=199)))
    assert fig.data[0].y[0] == 62 and fig.data[1].y[0] == 31 and fig.data[2].y[0] == 0.5


def test_colour_bars_name_their_unit_and_tick_whole_numbers():
    grid = [[0] * 24 for _ in range(7)]
    grid[2][9] = 2
    bar = weekday_hour_figure(grid, "zh").data[0].colorbar
    assert bar.title.text == "件" and bar.dtick == 1 and bar.tickformat == ",d"
    cells = [{"row": "a", "column": "b", "received": 730}]
    bar = matrix_figure(cells, {}, {}, "en").data[0].colorbar
    assert bar.title.text == "cases" and bar.dtick == 200


def test_the_modebar_is_offline_and_speaks_the_page_language():
    zh = graph_config("daily_2026-12-01_2026-12-02", "zh")
    assert zh["locale"] == "zh-CN" and graph_config("x", "en")["locale"] == "en-US"
    assert zh["showSendToCloud"] is False and zh["showEditInChartStudio"] is False
    assert "sendChartToCloud" in zh["modeBarButtonsToRemove"]
    assert zh["displaylogo"] is False
