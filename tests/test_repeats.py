"""Repeat reports per grid (issue 19, point 3): a problem reported again after it was
closed, merged into it or found by ingest as its candidate, each repeat once, on both
databases; what is not one (the earlier still open, a dismissed pair, a rejected report);
the wall's week of them, for its map's rings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from common.duplicates import THRESHOLD
from common.scope import COUNTY, parse_scope
from data_access.duplicates import dismiss
from data_access.kpis import Filters, Window
from data_access.repeats import repeats_by_grid
from data_access.sla import Sla
from data_access.wall import wall_data
from tests.factories import TZ, entry, reported
from worker.apply import apply_events
from worker.contract import parse_entry

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=TZ).astimezone(UTC)
WEEK = Window(date(2026, 11, 23), date(2026, 11, 25))
RUBBISH = {
    "title": "小区垃圾未及时清运",
    "description": "市民来电反映：5幢附近垃圾未及时清运，气味很大。",
}
LAMP = {"title": "路灯不亮", "description": "网格员巡查发现：建设路路灯不亮，晚上很黑。"}
HERE = {"grid": "G1", "lat": "31.9", "lon": "120.28", **RUBBISH}
THERE = {"grid": "G2", "lat": "31.95", "lon": "120.35", **LAMP}


def ingest(engine, entries: list[dict]) -> None:
    """Apply entries as ingest does, duplicate candidates on."""
    events = [parse_entry(f"{i + 1}-0", e, TZ, NOW) for i, e in enumerate(entries)]
    apply_events(engine, events, Sla(), TZ, NOW, duplicates_from=THRESHOLD)


def test_a_problem_reported_again_after_closing_counts_once_in_its_grid(engine):
    ingest(
        engine,
        [
            reported("A", "2026-11-20T09:00:00", **HERE),
            entry("A", "closed", "2026-11-21T09:00:00"),
            # the lamp: L open, M its candidate; not repeats, L was never closed
            reported("L", "2026-11-24T08:00:00", **THERE),
        ],
    )
    assert repeats_by_grid(engine, WEEK, Filters(), NOW) == {}
    ingest(
        engine,
        [
            reported("B", "2026-11-24T10:00:00", **HERE),  # A's candidate
            reported("M", "2026-11-24T09:00:00", **THERE),
        ],
    )
    assert repeats_by_grid(engine, WEEK, Filters(), NOW) == {"G1": 1}
    # C is A's candidate and merged into it: one repeat, not two
    ingest(engine, [reported("C", "2026-11-24T11:00:00", **HERE)])
    ingest(engine, [entry("C", "merged", "2026-11-24T11:30:00", into="A")])
    assert repeats_by_grid(engine, WEEK, Filters(), NOW) == {"G1": 2}
    # the figures' filters narrow the repeats; a window without them has none
    assert repeats_by_grid(engine, WEEK, Filters(categories=("roads",)), NOW) == {}
    assert repeats_by_grid(engine, WEEK, Filters(towns=("T1",)), NOW) == {"G1": 2}
    assert (
        repeats_by_grid(engine, Window(date(2026, 11, 1), date(2026, 11, 22)), Filters(), NOW) == {}
    )
    # staff said B is no duplicate of A
    dismiss(engine, "B", "A", "clerk", NOW)
    assert repeats_by_grid(engine, WEEK, Filters(), NOW) == {"G1": 1}


def test_closed_after_the_report_or_rejected_is_no_repeat(engine):
    ingest(
        engine,
        [
            reported("A", "2026-11-23T09:00:00", **HERE),
            reported("B", "2026-11-23T10:00:00", **HERE),  # candidate of A, still open
            entry("A", "closed", "2026-11-23T12:00:00"),  # closed after B came in
            reported("R", "2026-11-24T09:00:00", **HERE),  # after A's closing, but rejected
            entry("R", "rejected", "2026-11-24T09:10:00"),
        ],
    )
    assert repeats_by_grid(engine, WEEK, Filters(), NOW) == {}
    # a merge into an incident closed before: a repeat even with no candidate pair
    ingest(
        engine,
        [
            reported("D", "2026-11-25T08:00:00", grid="G3", title="噪音扰民"),
            entry("D", "merged", "2026-11-25T08:10:00", into="A"),
        ],
    )
    assert repeats_by_grid(engine, WEEK, Filters(), NOW) == {"G3": 1}


def test_the_wall_has_the_weeks_repeats_of_its_scope(engine, settings):
    ingest(
        engine,
        [
            reported("A", "2026-11-20T09:00:00", **HERE),
            entry("A", "closed", "2026-11-21T09:00:00"),
            reported("B", "2026-11-24T10:00:00", **HERE),
            reported("C", "2026-11-18T10:00:00", **HERE),  # reported before A closed
            # merged into A, a repeat, but with no grid to draw a ring on
            reported("N", "2026-11-24T10:00:00", **RUBBISH),
            entry("N", "merged", "2026-11-24T11:00:00", into="A"),
        ],
    )
    cfg = settings.with_(database_url=str(engine.url))
    assert repeats_by_grid(engine, WEEK, Filters(), NOW) == {
        "G1": 1,
        None: 1,
    }
    assert wall_data(engine, cfg, NOW, COUNTY)["repeats_week"] == {"G1": 1}
    assert wall_data(engine, cfg, NOW, parse_scope("town:T2"))["repeats_week"] == {}
