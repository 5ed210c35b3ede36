"""The daily summaries stay exact: ingest's incremental deltas equal a set-based rebuild,
and the figures read through them equal the figures read from `incidents` directly."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import and_, func, select

from common import clock
from common.config import PROJECT_ROOT
from data_access.kpis import (
    SUMMARY_DIMENSIONS,
    Filters,
    Window,
    daily_series,
    incident_conditions,
    incident_figures,
    incident_figures_by,
    incident_figures_matrix,
    incident_scope,
    received_by_weekday_hour,
)
from data_access.median import histogram_median, sorted_median
from data_access.models import Incident
from demo.county import load_model
from demo.history import incident_events
from tests.factories import TZ, apply_entries, entry, reported
from worker.summaries import SUMMARIES, rebuild


def _summary(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for summary in SUMMARIES:
            rows = conn.execute(select(summary.model.__table__)).all()
            keys = len(summary.keys)
            out[summary.table] = sorted(tuple(r) for r in rows if any(r[keys:]))
    return out


@pytest.fixture
def history_applied(engine):
    """300 generated lifecycles, 200 over the last 12 days and 100 over 70 (so windows
    hold whole months, which come from the monthly tables), applied in shuffled batches
    with repeats."""
    model = load_model(PROJECT_ROOT / "masterdata")
    rng = random.Random(11)
    now = clock.now()
    entries = []
    reports = []
    for n in range(300):
        at = now - timedelta(days=rng.uniform(0, 12 if n < 200 else 70))  # most recent
        entries += incident_events(model, rng, f"INC-S-{n}", at, now, False, TZ)
        reports.append((f"INC-S-{n}", at))
    # second edition: every 10th merged into the one before it (open, closed or overdue by
    # then), every third of those reopened later, which ends the merge
    merges = random.Random(12)  # its own draws: the history and its shuffle stay as they were
    for k, (ident, at) in enumerate(reports[1::10]):
        merged_at = at + (now - at) * merges.uniform(0.2, 0.9)
        entries.append(entry(ident, "merged", _iso(merged_at), into=f"{ident}-original"))
        if k % 3 == 0:
            entries.append(entry(ident, "reopened", _iso(merged_at + (now - merged_at) / 2)))
    rng.shuffle(entries)  # late, out of order
    entries += rng.sample(entries, 40)  # duplicates
    for start in range(0, len(entries), 97):
        apply_entries(engine, entries[start : start + 97], now)
    # clock skew the contract allows (ts up to a day ahead): a close and a report stamped
    # after now, which the summaries count by state and the definition not yet
    town = sorted({t for (kind, t) in model.names if kind == "town"})[0]
    ahead = [
        reported("INC-SKEW-1", _iso(now - timedelta(hours=30)), town=town),
        entry("INC-SKEW-1", "closed", _iso(now + timedelta(hours=1)), satisfaction="5"),
        reported("INC-SKEW-2", _iso(now + timedelta(hours=2)), town=town),
    ]
    apply_entries(engine, ahead, now)
    return now


def _iso(instant) -> str:
    return instant.astimezone(TZ).isoformat()


def test_incremental_summaries_equal_a_rebuild(engine, history_applied):
    with engine.connect() as conn:
        statuses = conn.execute(select(Incident.status)).scalars().all()
    assert "merged" in statuses, "the history must hold merged incidents"
    incremental = _summary(engine)
    assert all(incremental.values()), "the history must have produced counts in each summary"
    rebuild(engine)
    assert _summary(engine) == incremental


@pytest.mark.parametrize(
    "days, ago", [(1, 0), (3, 0), (7, 0), (13, 0), (4, 5), (1, 9), (65, 0), (40, 20)]
)
def test_figures_through_summaries_equal_raw(engine, history_applied, days, ago):
    """Windows ending today (deadlines passing now) and wholly in the past."""
    now = history_applied
    end = now.astimezone(TZ).date() - timedelta(days=ago)
    window = Window(end - timedelta(days=days - 1), end)
    model = load_model(PROJECT_ROOT / "masterdata")
    towns = tuple(sorted({t for (_, t) in model.names if _ == "town"}))[:3]
    for filters in (Filters(), Filters(towns=towns), Filters(channels=("hotline_12345",))):
        fast = incident_figures(engine, window, filters, now)
        raw = incident_figures(engine, window, filters, now, use_summaries=False)
        assert fast == raw
        # today's window may hold nothing yet in the first hours after local midnight
        early = (days, ago) == (1, 0) and now.astimezone(TZ).hour < 6
        assert fast["received"] > 0 or filters != Filters() or early


def _windows(now) -> list[Window]:
    today = now.astimezone(TZ).date()
    spans = ((0, 0), (6, 0), (12, 0), (9, 5), (65, 0), (50, 15))  # (days back to start, end)
    return [Window(today - timedelta(days=a), today - timedelta(days=b)) for a, b in spans]


def _filters() -> list[Filters]:
    model = load_model(PROJECT_ROOT / "masterdata")
    towns = tuple(sorted({t for (_, t) in model.names if _ == "town"}))[:3]
    return [Filters(), Filters(towns=towns)]


def test_breakdowns_series_matrix_and_heatmap_through_summaries_equal_raw(engine, history_applied):
    """Every page breakdown the summaries answer, for windows ending now and in the past,
    for the county and some towns (one test: the history takes a while to apply)."""
    now = history_applied
    for window in _windows(now):
        for filters in _filters():
            for dimension in SUMMARY_DIMENSIONS:
                fast = incident_figures_by(engine, dimension, window, filters, now)
                raw = incident_figures_by(
                    engine, dimension, window, filters, now, use_summaries=False
                )
                assert fast == raw, (dimension, window, filters)
            series = daily_series(engine, window, filters, now)
            assert series == daily_series(engine, window, filters, now, use_summaries=False)
            matrix = incident_figures_matrix(engine, "category", "town", window, filters, now)
            assert matrix == incident_figures_matrix(
                engine, "category", "town", window, filters, now, use_summaries=False
            )
            heat = received_by_weekday_hour(engine, window, filters, now, TZ)
            assert heat == received_by_weekday_hour(
                engine, window, filters, now, TZ, use_summaries=False
            )
    assert fast and series and matrix and any(map(any, heat))


def test_skewed_rows_count_as_the_definition_says(engine, history_applied):
    """The close stamped an hour ahead is not closed yet; the report two hours ahead is not
    received yet: through the summaries as through `incidents`."""
    now = history_applied
    today = now.astimezone(TZ).date()
    # to tomorrow: after 22:00 local the report stamped two hours ahead falls on it
    window = Window(today - timedelta(days=2), today + timedelta(days=1))
    fast = incident_figures(engine, window, Filters(), now)
    later = incident_figures(engine, window, Filters(), now + timedelta(hours=3))
    assert (later["received"], later["closed"]) == (fast["received"] + 1, fast["closed"] + 1)
    assert fast == incident_figures(engine, window, Filters(), now, use_summaries=False)


def test_median_through_the_histograms_equals_the_sorted_median(
    engine, history_applied, monkeypatch
):
    """The histogram path (counts per bucket, then one bucket sorted) finds the same median
    as sorting every closed incident, for the county (months and edge days) and some
    towns, with the close stamped after now left out as the definition says."""
    now = history_applied
    today = now.astimezone(TZ).date()
    answered = 0
    for filters in _filters():
        for start, end in ((12, 0), (6, 0), (9, 5), (65, 0), (50, 15)):
            window = Window(today - timedelta(days=start), today - timedelta(days=end))
            closed = and_(
                incident_conditions(window, now, 24.0)["closed"], *incident_scope(filters)
            )
            with engine.connect() as conn:
                n = conn.execute(select(func.count()).where(closed)).scalar_one()
                expected = sorted_median(conn, closed, n)
                got = histogram_median(conn, window, filters.towns, now, now, closed, n)
            assert got == expected, (window, filters)
            answered += expected is not None
    # the generated history is random in when it closes: most windows have closes
    assert answered >= 6
    monkeypatch.setattr("data_access.median.SORT_UP_TO", 0)  # every window through them
    window = Window(today - timedelta(days=12), today)
    fast = incident_figures(engine, window, Filters(), now)
    assert fast == incident_figures(engine, window, Filters(), now, use_summaries=False)
    later = incident_figures(engine, window, Filters(), now + timedelta(hours=3))
    assert later["closed"] == fast["closed"] + 1  # the close an hour ahead counts by then


def test_a_rebuild_reports_each_table_it_rebuilt(engine):
    """The seeder's summaries stage shows progress table by table."""
    from worker.summaries import rebuild_in

    steps = []
    with engine.begin() as conn:
        rebuild_in(conn, done=lambda: steps.append(1))
    assert len(steps) == len(SUMMARIES)


@pytest.mark.parametrize("hours_ago", [1, 30, 80, 24 * 9, 24 * 31])
def test_figures_as_of_an_earlier_instant_through_summaries_equal_raw(
    engine, history_applied, monkeypatch, hours_ago
):
    """A comparison's figures (as of now - L) read through the summaries, the rows
    changed since found by data_access.as_of, equal those read from `incidents`, median
    through the histograms included, for windows ending on the instant's day and before."""
    now = history_applied
    at = now - timedelta(hours=hours_ago)
    day = at.astimezone(TZ).date()
    monkeypatch.setattr("data_access.median.SORT_UP_TO", 0)
    changed = 0
    for days, ago in ((1, 0), (7, 0), (30, 0), (45, 3)):
        window = Window(day - timedelta(days=days - 1 + ago), day - timedelta(days=ago))
        for filters in _filters():
            fast = incident_figures(engine, window, filters, now, as_of=at)
            raw = incident_figures(engine, window, filters, now, as_of=at, use_summaries=False)
            assert fast == raw, (window, filters)
            for dimension in ("town", "category"):
                by = incident_figures_by(engine, dimension, window, filters, now, as_of=at)
                assert by == incident_figures_by(
                    engine, dimension, window, filters, now, as_of=at, use_summaries=False
                )
            changed += fast != incident_figures(engine, window, filters, now)
    assert changed or hours_ago < 24, "as of a day ago or more some figures must differ"
