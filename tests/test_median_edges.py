"""The median through the histograms at the edges of its buckets (data_access.median):
times to close within a second of a bucket's edge are filed in Python, the rest ranked
in SQL, and the middle rank may fall among either, or across two buckets. Every window
of a run of days, each day closing one incident at a time chosen around those edges,
gives the same median as sorting every closed incident outright."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, select

from data_access.kpis import Filters, Window, incident_conditions, incident_scope
from data_access.median import histogram_median, sorted_median
from tests.factories import TZ, apply_entries, entry, reported

# seconds to close: around 600 and 1,200 (the first fine buckets' edges), in bucket 0,
# and around two days (where fine buckets end and hourly ones begin)
SPANS = [30.0, 599.2, 599.9, 600.0, 600.6, 700.0, 1199.5, 1200.0, 1200.4, 1300.0,
         172799.5, 172800.0, 172800.3, 175000.0]  # fmt: skip
FIRST = datetime(2026, 11, 1, 9, 0, 0, tzinfo=TZ)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=TZ).astimezone(UTC)


def test_every_window_gives_the_sorted_median(engine, monkeypatch):
    # unrounded, so that a row a second away from the right one shows
    monkeypatch.setattr("data_access.median._middle", lambda values: sum(values) / len(values))
    entries = []
    for i, span in enumerate(SPANS):
        opened = FIRST + timedelta(days=i)
        entries.append(reported(f"E{i}", opened.isoformat()))
        entries.append(entry(f"E{i}", "closed", (opened + timedelta(seconds=span)).isoformat()))
    apply_entries(engine, entries, NOW)
    days = [(FIRST + timedelta(days=i)).date() for i in range(len(SPANS))]
    checked = set()
    for first in range(len(days)):
        for last in range(first, len(days)):
            window = Window(days[first], days[last])
            closed = and_(
                incident_conditions(window, NOW, 24.0)["closed"], *incident_scope(Filters())
            )
            with engine.connect() as conn:
                n = conn.execute(select(func.count()).where(closed)).scalar_one()
                expected = sorted_median(conn, closed, n)
                got = histogram_median(conn, window, (), NOW, NOW, closed, n)
            assert got == expected, window
            checked.add(expected)
    assert len(checked) > len(SPANS)  # single values and middles of two
