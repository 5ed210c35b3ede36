"""The leader and mediation pages' figure families against hand-computed fixtures, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from data_access.dispute_times import dispute_resolution_times
from data_access.kpis import (
    Filters,
    Window,
    dispute_figures,
    dispute_flow,
    incident_figures_matrix,
    ranked_units,
    received_by_weekday_hour,
)
from tests.factories import TZ, accepted, apply_entries, entry, reported

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=TZ).astimezone(UTC)  # Wednesday 12:00 local
DAY = date(2026, 11, 25)
WEEK = Window(DAY - timedelta(days=6), DAY)


def test_weekday_hour_counts_received_in_local_time(engine):
    apply_entries(
        engine,
        [
            reported("A", "2026-11-25T08:10:00"),  # Wednesday 08h local
            reported("B", "2026-11-25T00:30:00+08:00"),  # Wednesday 00h local
            reported("C", "2026-11-23T15:59:00Z"),  # Monday 23:59 local
            reported("D", "2026-11-24T09:00:00"),
            entry("D", "rejected", "2026-11-24T09:05:00"),  # rejected: not received
            reported("E", "2026-11-17T09:00:00"),  # before the window
        ],
        NOW,
    )
    grid = received_by_weekday_hour(engine, WEEK, Filters(), NOW, TZ)
    assert grid[2][8] == 1 and grid[2][0] == 1 and grid[0][23] == 1
    assert sum(map(sum, grid)) == 3
    narrowed = received_by_weekday_hour(engine, WEEK, Filters(towns=("T2",)), NOW, TZ)
    assert sum(map(sum, narrowed)) == 0


def test_matrix_counts_each_pair_like_incident_figures(engine):
    apply_entries(
        engine,
        [
            reported("A", "2026-11-25T08:00:00", town="T1", category="roads"),
            entry("A", "closed", "2026-11-25T09:00:00"),
            reported("B", "2026-11-25T08:00:00", town="T1", category="roads"),
            reported("C", "2026-11-25T08:00:00", town="T2", category="noise"),
        ],
        NOW,
    )
    cells = incident_figures_matrix(engine, "category", "town", WEEK, Filters(), NOW)
    pairs = {(c["row"], c["column"]): (c["received"], c["closed"]) for c in cells}
    assert pairs == {("roads", "T1"): (2, 1), ("noise", "T2"): (1, 0)}
    assert cells[0]["closure_rate"] == 0.5
    with pytest.raises(ValueError):
        incident_figures_matrix(engine, "category", "nope", WEEK, Filters(), NOW)


def test_ranking_is_volume_aware_and_lists_units_without_cases_apart(engine):
    entries = []
    # T1: 2 of 2 closed; T2: 18 of 20 closed; T3 only rejected; T4 unknown to the data
    for i in range(2):
        entries += [reported(f"A{i}", "2026-11-25T08:00:00", town="T1")]
        entries += [entry(f"A{i}", "closed", "2026-11-25T09:00:00")]
    for i in range(20):
        entries += [reported(f"B{i}", "2026-11-25T08:00:00", town="T2")]
        if i < 18:
            entries += [entry(f"B{i}", "closed", "2026-11-25T09:00:00")]
    entries += [reported("C", "2026-11-25T08:00:00", town="T3")]
    entries += [entry("C", "rejected", "2026-11-25T08:01:00")]
    apply_entries(engine, entries, NOW)
    # the page passes every known town: T3, whose one incident was rejected, has no cases
    units = ("T1", "T3", "T4")
    found = ranked_units(engine, "town", "closure", WEEK, Filters(), NOW, units=units)
    assert [r["key"] for r in found["ranked"]] == ["T2", "T1"]  # 90% of 20 beats 100% of 2
    top = found["ranked"][0]
    assert (top["numerator"], top["denominator"], top["rate"]) == (18, 20, 0.9)
    assert found["no_cases"] == ["T3", "T4"]


def test_overdue_ranking_puts_the_smaller_overdue_share_first(engine):
    entries = []
    for i in range(10):  # T1: 10 received, 5 overdue (urgent, 4 h deadline passed)
        priority = "urgent" if i < 5 else "normal"
        entries += [reported(f"A{i}", "2026-11-25T07:00:00", town="T1", priority=priority)]
    for i in range(10):  # T2: 10 received, none overdue
        entries += [reported(f"B{i}", "2026-11-25T07:00:00", town="T2")]
    apply_entries(engine, entries, NOW)
    found = ranked_units(engine, "town", "overdue", WEEK, Filters(), NOW)
    assert [(r["key"], r["numerator"], r["rate"]) for r in found["ranked"]] == [
        ("T2", 0, 0.0),
        ("T1", 5, 0.5),
    ]


def _disputes(engine):
    apply_entries(
        engine,
        [
            accepted("M", "2026-11-20T09:00:00", town="T1", kind="land"),
            entry("M", "mediating", "2026-11-20T10:00:00", entity="dispute"),
            entry("M", "mediated", "2026-11-22T09:00:00", entity="dispute"),  # 2 days
            accepted("F", "2026-11-21T09:00:00", town="T1", kind="land"),
            entry("F", "mediating", "2026-11-21T10:00:00", entity="dispute"),
            entry("F", "failed", "2026-11-24T21:00:00", entity="dispute"),  # 3.5 days
            accepted("J", "2026-11-22T09:00:00", town="T2", kind="debt"),
            entry("J", "adjudicated", "2026-11-22T21:00:00", entity="dispute"),  # 0.5 day
            accepted("W", "2026-11-23T09:00:00", town="T2", kind="debt"),
            entry("W", "withdrawn", "2026-11-23T10:00:00", entity="dispute"),
            accepted("P", "2026-11-24T09:00:00", town="T2", kind="debt"),
            entry("P", "mediating", "2026-11-24T10:00:00", entity="dispute"),
            accepted("Q", "2026-11-25T09:00:00", town="T1", kind="land"),
            accepted("OLD", "2026-11-01T09:00:00", town="T1", kind="land"),
        ],
        NOW,
    )


def test_dispute_flow_follows_each_dispute_through_mediating(engine):
    _disputes(engine)
    flow = dispute_flow(engine, WEEK, (), NOW)
    assert (flow["accepted"], flow["mediating"]) == (6, 3)
    assert flow["via_mediating"] == {
        "mediated": 1,
        "failed": 1,
        "adjudicated": 0,
        "litigation": 0,
        "withdrawn": 0,
        "pending": 1,
    }
    assert flow["direct"] == {
        "mediated": 0,
        "failed": 0,
        "adjudicated": 1,
        "litigation": 0,
        "withdrawn": 1,
        "pending": 1,
    }
    total = sum(flow["direct"].values()) + sum(flow["via_mediating"].values())
    assert total == dispute_figures(engine, WEEK, (), NOW)["accepted"]
    assert dispute_flow(engine, WEEK, ("T2",), NOW)["accepted"] == 3


def test_resolution_times_per_outcome_in_days(engine):
    _disputes(engine)
    times = dispute_resolution_times(engine, WEEK, (), NOW)
    assert times["edges"] == [1, 3, 7, 14, 30, 60]
    assert times["outcomes"]["mediated"]["median_days"] == 2.0
    assert times["outcomes"]["failed"]["median_days"] == 3.5
    assert times["outcomes"]["adjudicated"]["histogram"][0] == 1  # half a day: [0, 1)
    assert times["outcomes"]["failed"]["histogram"][2] == 1  # [3, 7)
    assert times["resolved"]["count"] == 2  # mediated + adjudicated
    assert times["resolved"]["median_days"] == 1.25
    assert times["outcomes"]["litigation"] == {
        "count": 0,
        "median_days": None,
        "histogram": [0] * 7,
    }


def test_disputes_per_accepted_day(engine):
    _disputes(engine)
    rows = dispute_figures(engine, WEEK, (), NOW, dimension="accepted_day")
    by_day = {r["key"]: r for r in rows}
    assert by_day[date(2026, 11, 22)]["adjudicated"] == 1
    assert sum(r["accepted"] for r in rows) == 6
