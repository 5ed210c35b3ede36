"""The dispute summaries stay exact: ingest's incremental deltas equal a set-based rebuild,
and the mediation figures and flow read through them equal those read from `disputes`."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import timedelta
from statistics import median

import pytest
from sqlalchemy import select

from common import clock
from common.config import PROJECT_ROOT
from common.vocabulary import DISPUTE_OUTCOMES
from data_access.dispute_counts import DURATION_EDGES_DAYS, days_to_outcome
from data_access.dispute_times import dispute_resolution_times
from data_access.kpis import (
    DISPUTE_DIMENSIONS,
    Window,
    dispute_figures,
    dispute_flow,
)
from data_access.models import Dispute
from tests.factories import TZ, accepted, apply_entries, entry
from worker.county import load_model
from worker.dispute_summaries import SUMMARIES, rebuild_in
from worker.history import dispute_events


def _summary(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for summary in SUMMARIES:
            rows = conn.execute(select(summary.model.__table__)).all()
            out[summary.table] = sorted(tuple(r) for r in rows if r.n)
    return out


def _iso(instant) -> str:
    return instant.astimezone(TZ).isoformat()


@pytest.fixture
def disputes_applied(engine):
    """200 generated lifecycles over the last 70 days (windows hold whole months, read from
    the monthly table), applied in shuffled batches with repeats; one dispute that changes
    mediator; and the clock skew the contract allows: one accepted and one resolved after
    now."""
    model = load_model(PROJECT_ROOT / "masterdata")
    rng = random.Random(5)
    now = clock.now()
    entries = []
    for n in range(200):
        at = now - timedelta(days=rng.uniform(0, 20 if n < 120 else 70))
        entries += dispute_events(model, rng, f"DSP-S-{n}", at, now, TZ)
    rng.shuffle(entries)  # late, out of order
    entries += rng.sample(entries, 30)  # duplicates
    for start in range(0, len(entries), 53):
        apply_entries(engine, entries[start : start + 53], now)
    town = sorted({t for (kind, t) in model.names if kind == "town"})[0]
    day_ago = _iso(now - timedelta(hours=20))
    apply_entries(engine, [accepted("DSP-MOVE", day_ago, town=town, mediator="M-OLD")], now)
    odd = [
        entry("DSP-MOVE", "mediating", _iso(now - timedelta(hours=2)), "dispute", mediator="M-NEW"),
        accepted("DSP-AHEAD", _iso(now + timedelta(hours=2)), town=town),
        accepted("DSP-LATE", day_ago, town=town),
        entry("DSP-LATE", "mediated", _iso(now + timedelta(hours=1)), "dispute"),
    ]
    apply_entries(engine, odd, now)
    return now, town


def test_incremental_dispute_summaries_equal_a_rebuild(engine, disputes_applied):
    incremental = _summary(engine)
    assert all(incremental.values()), "the history must have produced counts in each table"
    with engine.begin() as conn:
        rebuild_in(conn)
    assert _summary(engine) == incremental


def _windows(now) -> list[Window]:
    today = now.astimezone(TZ).date()
    spans = ((0, 0), (6, 0), (19, 0), (9, 5), (65, 0), (50, 15))  # (days back to start, end)
    return [Window(today - timedelta(days=a), today - timedelta(days=b)) for a, b in spans]


def test_figures_and_flow_through_summaries_equal_raw(engine, disputes_applied):
    """Every dimension, for windows ending now and in the past, whole months or not, for
    the county and some towns."""
    now, town = disputes_applied
    model = load_model(PROJECT_ROOT / "masterdata")
    some = tuple(sorted({t for (kind, t) in model.names if kind == "town"})[:3])
    answered = 0
    for window in _windows(now):
        for towns in ((), some):
            for dimension in (None, *DISPUTE_DIMENSIONS):
                fast = dispute_figures(engine, window, towns, now, dimension=dimension)
                raw = dispute_figures(
                    engine, window, towns, now, dimension=dimension, use_summaries=False
                )
                assert fast == raw, (window, towns, dimension)
            flow = dispute_flow(engine, window, towns, now)
            assert flow == dispute_flow(engine, window, towns, now, use_summaries=False)
            answered += flow["accepted"] > 0
    assert answered >= 10
    moved = dispute_figures(engine, _windows(now)[1], (), now, dimension="mediator")
    assert "M-NEW" in {r["key"] for r in moved} and "M-OLD" not in {r["key"] for r in moved}


def test_skewed_disputes_count_as_the_definition_says(engine, disputes_applied):
    """Accepted two hours ahead: not accepted yet. Mediated an hour ahead: accepted and
    pending now. Through the summaries as through `disputes`."""
    now, town = disputes_applied
    today = now.astimezone(TZ).date()
    window = Window(today - timedelta(days=2), today + timedelta(days=1))  # holds "ahead"
    fast = dispute_figures(engine, window, (town,), now)
    later = dispute_figures(engine, window, (town,), now + timedelta(hours=3))
    assert later["accepted"] == fast["accepted"] + 1
    assert later["mediated"] == fast["mediated"] + 1
    assert later["pending"] == fast["pending"]  # one resolved, one newly accepted
    assert fast == dispute_figures(engine, window, (town,), now, use_summaries=False)
    flow = dispute_flow(engine, window, (town,), now)
    assert flow == dispute_flow(engine, window, (town,), now, use_summaries=False)


def test_resolution_times_equal_python_over_every_duration(engine, disputes_applied):
    """Counts and bins from the summaries and medians walked along the span indexes equal
    the figures computed in Python from every dispute's duration, for odd and even group
    sizes and for the county and some towns."""
    now, town = disputes_applied
    model = load_model(PROJECT_ROOT / "masterdata")
    some = tuple(sorted({t for (kind, t) in model.names if kind == "town"})[:3])
    parities = set()
    for window in _windows(now):
        for towns in ((), some):
            got = dispute_resolution_times(engine, window, towns, now)
            query = select(Dispute.status, Dispute.accepted_at, Dispute.resolved_at).where(
                Dispute.accepted_day.between(window.start, window.end),
                Dispute.accepted_at <= now,
                Dispute.resolved_at <= now,
                Dispute.status.in_(DISPUTE_OUTCOMES),
                *([Dispute.town.in_(towns)] if towns else []),
            )
            with engine.connect() as conn:
                rows = [(s, days_to_outcome(a, r)) for s, a, r in conn.execute(query)]
            groups = {o: [d for s, d in rows if s == o] for o in DISPUTE_OUTCOMES}
            groups["resolved"] = groups["mediated"] + groups["adjudicated"]
            for name, values in groups.items():
                summary = got["resolved"] if name == "resolved" else got["outcomes"][name]
                bins = [0] * (len(DURATION_EDGES_DAYS) + 1)
                for value in values:
                    bins[bisect_right(DURATION_EDGES_DAYS, value)] += 1
                expected = round(median(values), 2) if values else None
                assert summary == {"count": len(values), "median_days": expected, "histogram": bins}
                parities |= {len(values) % 2} if len(values) > 1 else set()
    assert parities == {0, 1}
