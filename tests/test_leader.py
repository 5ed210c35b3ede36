"""The leader pages' pure parts: periods, URL views and links, tiles' changes, CSV."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.components.kpi_tiles import INCIDENT_TILES, change
from dashboard.components.tables import csv_text
from dashboard.links import (
    View,
    dispute_list_href,
    incident_list_href,
    view_from_search,
    view_search,
)
from dashboard.period import last_year_window, period_window, previous_window
from data_access.kpis import Filters, Window

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("period", "start", "previous_start", "previous_end"),
    [
        ("today", date(2026, 11, 25), date(2026, 11, 24), date(2026, 11, 24)),
        ("7d", date(2026, 11, 19), date(2026, 11, 12), date(2026, 11, 18)),
        ("30d", date(2026, 10, 27), date(2026, 9, 27), date(2026, 10, 26)),
        ("month", date(2026, 11, 1), date(2026, 10, 1), date(2026, 10, 25)),
        ("year", date(2026, 1, 1), date(2025, 1, 1), date(2025, 11, 25)),
    ],
)
def test_periods_and_their_previous_windows(period, start, previous_start, previous_end):
    window = period_window(period, TODAY)
    assert window == Window(start, TODAY)
    assert previous_window(period, window) == Window(previous_start, previous_end)
    assert last_year_window(window) == Window(start.replace(year=2025), date(2025, 11, 25))


def test_month_and_leap_day_shifts_clamp_to_the_month_end():
    assert previous_window("month", Window(date(2026, 3, 1), date(2026, 3, 31))) == Window(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert last_year_window(Window(date(2028, 2, 29), date(2028, 2, 29))).start == date(2027, 2, 28)


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
