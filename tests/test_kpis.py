"""Each KPI definition of CONTRACT section 2 against hand-computed fixtures, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from data_access.kpis import Filters, Window, backlog, dispute_figures, incident_figures, kpis
from tests.factories import TZ, accepted, apply_entries, entry, reported

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=TZ).astimezone(UTC)  # 12:00 local
DAY = date(2026, 11, 25)
TODAY = Window(DAY, DAY)


def test_empty_window_gives_null_rates(engine):
    figures = kpis(engine, TODAY, Filters(), NOW)
    assert figures["incidents"]["received"] == 0
    for name in ("closure_rate", "on_time_rate", "satisfaction_rate", "median_hours_to_close"):
        assert figures["incidents"][name] is None
    assert figures["disputes"]["resolution_rate"] is None
    assert figures["disputes"]["mediation_success_rate"] is None
    assert figures["backlog"] == {
        "open": 0,
        "overdue": 0,
        "due_soon": 0,
        "overdue_unacknowledged": 0,
        "alerts": {"red": 0, "yellow": 0, "blue": 0},
    }


def test_closure_excludes_rejected_and_counts_resolved_or_closed(engine):
    apply_entries(
        engine,
        [
            reported("A", "2026-11-25T08:00:00"),
            entry("A", "resolved", "2026-11-25T10:00:00"),
            reported("B", "2026-11-25T08:00:00"),
            entry("B", "closed", "2026-11-25T09:00:00", satisfaction=5),
            reported("C", "2026-11-25T08:00:00"),
            entry("C", "rejected", "2026-11-25T08:30:00"),
            reported("D", "2026-11-25T08:00:00"),
            entry("D", "dispatched", "2026-11-25T08:10:00", department="D1"),
        ],
        NOW,
    )
    inc = incident_figures(engine, TODAY, Filters(), NOW)
    assert (inc["received"], inc["closed"]) == (3, 2)
    assert inc["closure_rate"] == pytest.approx(2 / 3)
    # hours to close: A 2.0, B 1.0 -> median 1.5
    assert inc["median_hours_to_close"] == 1.5
    assert (inc["rated"], inc["satisfied"], inc["satisfaction_rate"]) == (1, 1, 1.0)


def test_a_histogram_median_read_beside_the_counts_is_kept_only_when_they_agree(
    engine, monkeypatch
):
    """incident_figures reads the median through the histograms at once with the counts;
    a guess made over another number of closed rows than the counts' is thrown away."""
    apply_entries(
        engine,
        [
            reported("A", "2026-11-25T08:00:00"),
            entry("A", "resolved", "2026-11-25T10:00:00"),
            reported("B", "2026-11-25T08:00:00"),
            entry("B", "closed", "2026-11-25T09:00:00"),
        ],
        NOW,
    )
    monkeypatch.setattr("data_access.kpis.histogram_guess", lambda *_: (99.0, 7))
    assert incident_figures(engine, TODAY, Filters(), NOW)["median_hours_to_close"] == 1.5
    monkeypatch.setattr("data_access.kpis.histogram_guess", lambda *_: (99.0, 2))
    assert incident_figures(engine, TODAY, Filters(), NOW)["median_hours_to_close"] == 99.0


def test_reopened_incident_is_open_and_closed_at_restarts(engine):
    apply_entries(
        engine,
        [
            reported("R", "2026-11-25T01:00:00"),
            entry("R", "resolved", "2026-11-25T02:00:00"),
            entry("R", "reopened", "2026-11-25T03:00:00", deadline="2026-11-25T11:00:00"),
        ],
        NOW,
    )
    inc = incident_figures(engine, TODAY, Filters(), NOW)
    assert (inc["received"], inc["closed"]) == (1, 0)
    assert inc["overdue_open"] == 1  # new deadline 11:00 has passed at 12:00
    apply_entries(engine, [entry("R", "closed", "2026-11-25T11:30:00", satisfaction=3)], NOW)
    inc = incident_figures(engine, TODAY, Filters(), NOW)
    assert inc["closed"] == 1
    assert inc["median_hours_to_close"] == 10.5  # 01:00 -> 11:30, the close after reopening
    assert (inc["due"], inc["on_time"]) == (1, 0)  # closed 11:30 after its 11:00 deadline
    assert inc["satisfaction_rate"] == 0.0


def test_second_report_of_same_id_changes_nothing(engine):
    apply_entries(
        engine,
        [
            reported("S", "2026-11-25T08:00:00", town="T1"),
            entry("S", "closed", "2026-11-25T09:00:00"),
            reported("S", "2026-11-25T10:00:00", town="T2"),
        ],
        NOW,
    )
    inc = incident_figures(engine, TODAY, Filters(), NOW)
    assert (inc["received"], inc["closed"]) == (1, 1)
    assert incident_figures(engine, TODAY, Filters(towns=("T2",)), NOW)["received"] == 0


def test_due_in_window_counts_incidents_reported_before_it(engine):
    apply_entries(
        engine,
        [
            # reported three days earlier, normal priority: deadline 72 h later, today 09:00
            reported("OLD1", "2026-11-22T09:00:00"),
            entry("OLD1", "closed", "2026-11-25T08:00:00"),
            reported("OLD2", "2026-11-22T10:00:00"),  # still open, deadline 10:00 passed
            reported("OLD3", "2026-11-22T13:00:00"),  # deadline 13:00 today: not yet due
        ],
        NOW,
    )
    inc = incident_figures(engine, TODAY, Filters(), NOW)
    assert inc["received"] == 0
    assert (inc["due"], inc["on_time"]) == (2, 1)
    assert inc["on_time_rate"] == 0.5
    assert inc["overdue_open"] == 0  # of received only
    found = backlog(engine, Filters(), NOW)
    assert {k: found[k] for k in ("open", "overdue", "due_soon")} == {
        "open": 2,
        "overdue": 1,
        "due_soon": 1,
    }


def test_naive_and_utc_timestamps_either_side_of_local_midnight(engine):
    apply_entries(
        engine,
        [
            reported("N1", "2026-11-24T23:59:59"),  # naive: local, yesterday
            reported("N2", "2026-11-25T00:00:00"),  # naive: local, today
            reported("U1", "2026-11-24T15:59:59Z"),  # 23:59:59 local yesterday
            reported("U2", "2026-11-24T16:00:00Z"),  # 00:00 local today
        ],
        NOW,
    )
    assert incident_figures(engine, TODAY, Filters(), NOW)["received"] == 2
    yesterday = Window(DAY - timedelta(days=1), DAY - timedelta(days=1))
    assert incident_figures(engine, yesterday, Filters(), NOW)["received"] == 2


@pytest.mark.parametrize(
    "filters",
    [
        Filters(towns=("nowhere",)),
        Filters(categories=("' OR 1=1 --",)),
        Filters(channels=("%",)),
        Filters(departments=('"; DROP TABLE incidents; --',)),
        Filters(towns=("T1",), categories=("大雨",)),
    ],
)
def test_filters_that_match_nothing_and_hostile_values(engine, filters):
    apply_entries(engine, [reported("F", "2026-11-25T08:00:00")], NOW)
    figures = kpis(engine, TODAY, filters, NOW)
    assert figures["incidents"]["received"] == 0
    assert figures["incidents"]["closure_rate"] is None
    assert kpis(engine, TODAY, Filters(), NOW)["incidents"]["received"] == 1


def test_filters_any_of_and_department(engine):
    apply_entries(
        engine,
        [
            reported("X1", "2026-11-25T08:00:00", town="T1", category="noise"),
            reported("X2", "2026-11-25T08:00:00", town="T2", category="noise"),
            reported("X3", "2026-11-25T08:00:00", town="T3", category="roads"),
            entry("X3", "dispatched", "2026-11-25T08:05:00", department="D9"),
        ],
        NOW,
    )
    assert incident_figures(engine, TODAY, Filters(towns=("T1", "T2")), NOW)["received"] == 2
    assert incident_figures(engine, TODAY, Filters(departments=("D9",)), NOW)["received"] == 1
    assert incident_figures(engine, TODAY, Filters(categories=("noise",)), NOW)["received"] == 2


def test_due_soon_and_overdue_open_use_the_warning_horizon(engine):
    apply_entries(
        engine,
        [
            reported("U", "2026-11-25T09:00:00", priority="urgent"),  # due 13:00: soon
            reported("H", "2026-11-25T01:00:00", priority="urgent"),  # due 05:00: overdue
            reported("L", "2026-11-25T09:00:00", priority="low"),  # due in 7 days
        ],
        NOW,
    )
    inc = incident_figures(engine, TODAY, Filters(), NOW, warn_hours=24)
    assert (inc["overdue_open"], inc["due_soon"]) == (1, 1)
    assert incident_figures(engine, TODAY, Filters(), NOW, warn_hours=0.5)["due_soon"] == 0


def test_as_of_counts_only_what_had_happened_by_then(engine):
    apply_entries(
        engine,
        [
            reported("E", "2026-11-25T08:00:00"),
            entry("E", "closed", "2026-11-25T11:00:00"),
            reported("F", "2026-11-25T11:30:00"),
        ],
        NOW,
    )
    earlier = datetime(2026, 11, 25, 10, 0, tzinfo=TZ).astimezone(UTC)
    inc = incident_figures(engine, TODAY, Filters(), NOW, as_of=earlier)
    assert (inc["received"], inc["closed"], inc["closure_rate"]) == (1, 0, 0.0)


def test_dispute_rates(engine):
    entries = []
    outcomes = ["mediated", "mediated", "mediated", "adjudicated", "failed", "litigation"]
    for i, outcome in enumerate(outcomes):
        entries += [
            accepted(f"D{i}", "2026-11-25T08:00:00", town="T1" if i else "T2"),
            entry(f"D{i}", "mediating", "2026-11-25T08:30:00", entity="dispute"),
            entry(f"D{i}", outcome, "2026-11-25T10:00:00", entity="dispute"),
        ]
    entries += [
        accepted("W", "2026-11-25T08:00:00"),
        entry("W", "withdrawn", "2026-11-25T09:00:00", entity="dispute"),
        accepted("P", "2026-11-25T09:00:00"),
    ]
    apply_entries(engine, entries, NOW)
    d = dispute_figures(engine, TODAY, (), NOW)
    assert d["accepted"] == 8
    assert (d["mediated"], d["adjudicated"], d["failed"], d["litigation"]) == (3, 1, 1, 1)
    assert (d["withdrawn"], d["pending"]) == (1, 1)
    assert d["resolution_rate"] == pytest.approx(4 / 8)
    assert d["mediation_success_rate"] == pytest.approx(3 / 6)
    assert dispute_figures(engine, TODAY, ("T2",), NOW)["accepted"] == 1
    # other filters narrow incidents alone
    assert kpis(engine, TODAY, Filters(categories=("x",)), NOW)["disputes"]["accepted"] == 8
