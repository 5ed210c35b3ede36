"""The leader pages' pure parts: periods, URL views and links, tiles' changes, CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from dash import dcc
from werkzeug.datastructures import MultiDict

import tests.test_work_order_figures as work_order_entries
from common.vocabulary import WORK_ORDER_RATES
from dashboard.components.kpi_tiles import (
    INCIDENT_TILES,
    WORK_ORDER_TILES,
    Links,
    change,
    tile,
)
from dashboard.components.tables import csv_text
from dashboard.links import (
    View,
    dispute_list_href,
    incident_list_href,
    view_from_search,
    view_search,
)
from dashboard.list_params import incident_query
from dashboard.period import comparison_unit, period_window
from data_access.comparisons import comparisons, last_year_window, previous_window
from data_access.incident_list import incident_total
from data_access.kpis import Filters, Window, incident_figures
from tests.factories import TZ, apply_entries

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("period", "start", "previous_start", "previous_end"),
    [
        ("today", date(2026, 11, 25), date(2026, 11, 24), date(2026, 11, 24)),
        ("7d", date(2026, 11, 19), date(2026, 11, 12), date(2026, 11, 18)),
        ("30d", date(2026, 10, 27), date(2026, 9, 27), date(2026, 10, 26)),
        ("month", date(2026, 11, 1), date(2026, 10, 1), date(2026, 10, 25)),
        ("quarter", date(2026, 10, 1), date(2026, 7, 1), date(2026, 8, 25)),
        ("year", date(2026, 1, 1), date(2025, 1, 1), date(2025, 11, 25)),
    ],
)
def test_periods_and_their_previous_windows(period, start, previous_start, previous_end):
    window = period_window(period, TODAY)
    assert window == Window(start, TODAY)
    unit = comparison_unit(period)
    assert previous_window(window, unit) == Window(previous_start, previous_end)
    assert last_year_window(window) == Window(start.replace(year=2025), date(2025, 11, 25))


def test_month_and_leap_day_shifts_clamp_to_the_month_end():
    assert previous_window(Window(date(2026, 3, 1), date(2026, 3, 31)), "month") == Window(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert last_year_window(Window(date(2028, 2, 29), date(2028, 2, 29))).start == date(2027, 2, 28)
    # the same dates a year earlier, not the month's last day
    assert last_year_window(Window(date(2029, 2, 1), date(2029, 2, 28))).end == date(2028, 2, 28)


ON_DEC_2 = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai


@pytest.mark.parametrize(
    ("period", "shown", "previous", "previous_age", "basis"),
    [
        # whole calendar months and quarters against the whole previous one, 31 days or 30
        (
            "last_month",
            ("2026-11-01", "2026-11-30"),
            ("2026-10-01", "2026-10-31"),
            30,
            "previous_month",
        ),
        (
            "last_quarter",
            ("2026-07-01", "2026-09-30"),
            ("2026-04-01", "2026-06-30"),
            92,
            "previous_quarter",
        ),
        # running ones against the same days of the previous one
        ("month", ("2026-12-01", "2026-12-02"), ("2026-11-01", "2026-11-02"), 30, "previous_month"),
        (
            "quarter",
            ("2026-10-01", "2026-12-02"),
            ("2026-07-01", "2026-09-02"),
            91,
            "previous_quarter",
        ),
        ("today", ("2026-12-02", "2026-12-02"), ("2026-12-01", "2026-12-01"), 1, "yesterday"),
        ("30d", ("2026-11-03", "2026-12-02"), ("2026-10-04", "2026-11-02"), 30, "previous_period"),
    ],
)
def test_presets_compare_with_the_previous_period_at_equal_age(
    period, shown, previous, previous_age, basis
):
    """On 2026-12-02 上月 is November, compared with October as of now - 30 days (30 Nov
    less 31 Oct), so both had 1 day 17.5 hours after their end; last year's November as of
    now - 365 days."""
    window = period_window(period, date(2026, 12, 2))
    assert window == Window(*map(date.fromisoformat, shown))
    before, last_year = comparisons(window, comparison_unit(period), ON_DEC_2)
    assert before.window == Window(*map(date.fromisoformat, previous))
    assert before.as_of == ON_DEC_2 - timedelta(days=previous_age)
    assert before.basis == basis
    assert last_year.basis == "last_year"
    assert last_year.window == Window(
        window.start.replace(year=2025), window.end.replace(year=2025)
    )
    assert last_year.as_of == ON_DEC_2 - timedelta(days=365)
    # equal age: each ends as long before its instant as the shown window before now
    end = datetime.combine(window.end + timedelta(days=1), time(), TZ)
    for c in (before, last_year):
        c_end = datetime.combine(c.window.end + timedelta(days=1), time(), TZ)
        assert c.as_of - c_end == ON_DEC_2 - end


def test_a_year_compares_with_last_year_once():
    window = period_window("year", date(2026, 12, 2))
    assert [c.basis for c in comparisons(window, comparison_unit("year"), ON_DEC_2)] == [
        "last_year"
    ]


def test_custom_period_needs_good_dates_else_falls_back_to_30_days():
    assert period_window("custom", TODAY, date(2026, 1, 5), date(2026, 1, 9)) == Window(
        date(2026, 1, 5), date(2026, 1, 9)
    )
    assert period_window("custom", TODAY, date(2026, 1, 9), date(2026, 1, 5)).start == date(
        2026, 10, 27
    )


def test_view_round_trips_through_the_url_and_survives_bad_values():
    view = View("custom", date(2026, 1, 5), date(2026, 1, 9), Filters(("A", "B"), ("noise",)), "zh")
    assert view_from_search(view_search(view), "en") == view
    odd = view_from_search("?period=weird&start=x&town=&town=A&town=A&lang=fr", "en")
    assert odd == View(filters=Filters(towns=("A",)), lang="en")
    assert view_from_search("?period=7d&start=2026-01-01&end=2026-01-02", "en").start is None


def test_list_links_carry_sets_window_and_filters():
    window = Window(date(2026, 11, 1), date(2026, 11, 25))
    href = incident_list_href(("closed",), window, Filters(("A",), channels=("wechat",)), "en")
    path, query = urlsplit(href).path, parse_qs(urlsplit(href).query)
    assert path == "/incidents"
    assert query == {
        "set": ["closed"],
        "start": ["2026-11-01"],
        "end": ["2026-11-25"],
        "town": ["A"],
        "channel": ["wechat"],
        "lang": ["en"],
    }
    backlog = parse_qs(urlsplit(incident_list_href(("backlog_open",), None, Filters(), "zh")).query)
    assert "start" not in backlog
    disputes = urlsplit(dispute_list_href(("resolved",), window, ("A",), "en"))
    assert disputes.path == "/disputes" and parse_qs(disputes.query)["town"] == ["A"]


def test_changes_are_points_for_rates_and_relative_for_counts():
    tiles = {t.name: t for t in INCIDENT_TILES}
    assert change(tiles["closure_rate"], 0.9, 0.85, "en") == ("▲ +5.0 pts", "good")
    assert change(tiles["received"], 110, 100, "en") == ("▲ +10.0%", "neutral")
    assert change(tiles["overdue_open"], 110, 100, "en") == ("▲ +10.0%", "bad")
    assert change(tiles["received"], 5, 0, "en") == ("—", "neutral")
    assert change(tiles["on_time_rate"], None, 0.5, "en") == ("—", "neutral")


def test_csv_has_a_bom_a_header_and_raw_values():
    columns = [("unit", "Unit", "text"), ("rate", "Rate", "rate"), ("n", "N", "count")]
    text = csv_text(columns, [{"unit": "城东街道", "rate": 0.123456, "n": 7}, {"unit": "X"}])
    assert text.startswith("\ufeffUnit,Rate,N\r\n")
    assert "城东街道,0.1235,7" in text and "X,," in text


def _links(component) -> list:
    """Every dcc.Link inside a rendered tile, in order."""
    if isinstance(component, dcc.Link):
        return [component]
    children = getattr(component, "children", None)
    children = children if isinstance(children, list) else [children]
    return [link for child in children if child is not None for link in _links(child)]


def test_each_work_order_tile_links_to_exactly_the_cases_it_counts(engine):
    """The value and the denominator list the denominator's cases, the numerator its
    own; reopen_rate's denominator (closed at least once) is named, not counted, as the
    figures keep it hidden; a return, an extension, a reopen rising is worse."""
    apply_entries(engine, work_order_entries.ENTRIES, work_order_entries.NOW)
    at, window = work_order_entries.NOW, work_order_entries.WINDOW
    values = incident_figures(engine, window, Filters(), at, work_order=True)
    assert [s.name for s in WORK_ORDER_TILES] == list(WORK_ORDER_RATES)
    for spec in WORK_ORDER_TILES:
        rendered = tile(spec, values, "zh", Links(window, Filters(), "zh"))
        value, num, den = _links(rendered)
        assert value.href == den.href
        for link, name in ((num, spec.num), (den, spec.den)):
            query = incident_query(MultiDict(parse_qsl(urlsplit(link.href).query)), TODAY)
            assert query.sets == (name,) and query.window == window
            listed = incident_total(engine, query, at, 24.0)
            if name in values:
                assert link.children == str(values[name]) and listed == values[name], name
            else:  # closed_once: A B D E
                assert link.children == "办结过的事件" and listed == 4
                assert values["reopened"] / values["reopen_rate"] == listed
        assert (change(spec, 0.2, 0.1, "en")[1] == "bad") == (spec.better == "lower")
    assert {s.name for s in WORK_ORDER_TILES if s.better == "lower"} == {
        "return_rate",
        "extension_rate",
        "reopen_rate",
    }
