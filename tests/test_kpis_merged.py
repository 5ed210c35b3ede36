"""Merged incidents (重复件, CONTRACT second edition) are neither received nor due: every
figure leaves them out as it leaves out rejected ones, and `duplicates` counts them, until a
`reopened` ends the merge. Hand-computed, on both databases, through the summaries and
straight from `incidents`, and the list's KPI sets list exactly those cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from common import clock
from data_access.db import make_engine
from data_access.incident_list import KPI_SETS, IncidentQuery, incident_total
from data_access.kpis import Filters, Window, backlog, incident_figures, incident_figures_by
from tests.factories import TZ, apply_entries, entry, reported

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=TZ).astimezone(UTC)  # 12:00 local
TODAY = Window(date(2026, 11, 25), date(2026, 11, 25))
# the summaries (county, a town) and `incidents` (a category filter) answer alike
FILTERS = (Filters(), Filters(towns=("T1",)), Filters(categories=("sanitation",)))

# A open past its 10:00 deadline; M closed on time, satisfied; N open past 11:00; P open,
# due at 20:00 (within the warning horizon).
BEFORE = [
    reported("A", "2026-11-25T08:00:00", deadline="2026-11-25T10:00:00"),
    reported("M", "2026-11-25T08:00:00", deadline="2026-11-25T11:00:00"),
    entry("M", "closed", "2026-11-25T09:00:00", satisfaction=5),
    reported("N", "2026-11-25T07:00:00", deadline="2026-11-25T11:00:00"),
    reported("P", "2026-11-25T09:00:00", deadline="2026-11-25T20:00:00"),
]
MERGES = [
    entry("N", "merged", "2026-11-25T08:00:00", into="A"),
    entry("P", "merged", "2026-11-25T09:30:00", into="A"),
    entry("M", "merged", "2026-11-25T09:30:00", into="A"),  # closed first, then merged
]
REOPEN = [entry("M", "reopened", "2026-11-25T10:30:00", deadline="2026-11-25T11:30:00")]
CLOSE = [entry("M", "closed", "2026-11-25T11:45:00", satisfaction=4)]

COUNTS = (
    "received", "closed", "due", "on_time", "overdue_open", "due_soon", "rated", "satisfied",
    "duplicates",
)  # fmt: skip
STAGES = [
    # (entries added, counts as in COUNTS, median, backlog)
    (BEFORE, (4, 1, 3, 1, 2, 1, 1, 1, 0), 1.0, {"open": 3, "overdue": 2, "due_soon": 1}),
    (MERGES, (1, 0, 1, 0, 1, 0, 0, 0, 3), None, {"open": 1, "overdue": 1, "due_soon": 0}),
    # the reopen ends M's merge: open again, past its new 11:30 deadline
    (REOPEN, (2, 0, 2, 0, 2, 0, 0, 0, 2), None, {"open": 2, "overdue": 2, "due_soon": 0}),
    # closed 11:45, after 11:30: late; 08:00 -> 11:45
    (CLOSE, (2, 1, 2, 0, 1, 0, 1, 1, 2), 3.75, {"open": 1, "overdue": 1, "due_soon": 0}),
]


def _list_counts(engine, filters: Filters) -> dict:
    return {
        s: incident_total(engine, IncidentQuery(filters, sets=(s,), window=TODAY), NOW, 24.0)
        for s in KPI_SETS
    }


def test_merged_incidents_count_only_as_duplicates_until_reopened(engine):
    for entries, counts, median, open_now in STAGES:
        apply_entries(engine, entries, NOW)
        expected = dict(zip(COUNTS, counts, strict=True))
        for filters in FILTERS:
            for use_summaries in (True, False):
                inc = incident_figures(engine, TODAY, filters, NOW, use_summaries=use_summaries)
                assert {k: inc[k] for k in COUNTS} == expected, (filters, use_summaries)
                assert inc["median_hours_to_close"] == median
            found = backlog(engine, filters, NOW)
            assert {k: found[k] for k in open_now} == open_now
            listed = _list_counts(engine, filters)
            late = expected["due"] - expected["on_time"]
            assert listed == {**{s: expected[s] for s in KPI_SETS if s != "late"}, "late": late}


def test_merged_incidents_leave_the_breakdowns_and_comparisons(engine):
    apply_entries(engine, BEFORE + MERGES, NOW)
    for dimension in ("town", "category", "reported_day"):
        for use_summaries in (True, False):
            rows = incident_figures_by(
                engine, dimension, TODAY, Filters(), NOW, use_summaries=use_summaries
            )
            assert [(r["received"], r["due"], r["overdue_open"]) for r in rows] == [(1, 1, 1)]
    # as of 09:15 local: N merged, P and M not yet, but the figures count the current state
    at = datetime(2026, 11, 25, 9, 15, tzinfo=TZ).astimezone(UTC)
    fast = incident_figures(engine, TODAY, Filters(), NOW, as_of=at)
    assert fast == incident_figures(engine, TODAY, Filters(), NOW, as_of=at, use_summaries=False)
    assert (fast["received"], fast["duplicates"]) == (1, 3)


def test_a_first_edition_stream_has_no_duplicates(engine):
    apply_entries(engine, [*BEFORE, entry("N", "rejected", "2026-11-25T08:00:00")], NOW)
    inc = incident_figures(engine, TODAY, Filters(), NOW)
    assert (inc["received"], inc["overdue_open"], inc["duplicates"]) == (3, 1, 0)


@pytest.fixture
def merged_today(settings):
    engine = make_engine(settings.database_url)
    now = clock.now()
    start = (now.astimezone(settings.tz) - timedelta(hours=2)).replace(tzinfo=None)
    at = start.isoformat(timespec="seconds")
    apply_entries(
        engine,
        [
            reported("K-1", at, town="T1"),
            reported("K-2", at, town="T2"),
            entry("K-2", "merged", at, into="K-1"),
        ],
        now,
    )
    engine.dispose()


def test_api_kpis_give_duplicates(client, auth_header, merged_today):
    inc = client.get("/api/v1/kpis", headers=auth_header).get_json()["incidents"]
    assert (inc["received"], inc["duplicates"]) == (1, 1)
    inc = client.get("/api/v1/kpis?town=T1", headers=auth_header).get_json()["incidents"]
    assert (inc["received"], inc["duplicates"]) == (1, 0)
