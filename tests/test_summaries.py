"""The daily summaries stay exact: ingest's incremental deltas equal a set-based rebuild,
and the figures read through them equal the figures read from `incidents` directly."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from common import clock
from common.config import PROJECT_ROOT
from data_access.kpis import Filters, Window, incident_figures
from data_access.models import IncidentDaily, IncidentDueDaily
from tests.factories import TZ, apply_entries
from worker.county import load_model
from worker.history import incident_events
from worker.summaries import rebuild


def _summary(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for model in (IncidentDaily, IncidentDueDaily):
            rows = conn.execute(select(model.__table__)).all()
            out[model.__tablename__] = sorted(tuple(r) for r in rows if any(r[2:]))
    return out


@pytest.fixture
def history_applied(engine):
    """300 generated lifecycles over 12 days, applied in shuffled batches with repeats."""
    model = load_model(PROJECT_ROOT / "masterdata")
    rng = random.Random(11)
    now = clock.now()
    entries = []
    for n in range(300):
        reported = now - timedelta(days=rng.uniform(0, 12))
        entries += incident_events(model, rng, f"INC-S-{n}", reported, now, False, TZ)
    rng.shuffle(entries)  # late, out of order
    entries += rng.sample(entries, 40)  # duplicates
    for start in range(0, len(entries), 97):
        apply_entries(engine, entries[start : start + 97], now)
    return now


def test_incremental_summaries_equal_a_rebuild(engine, history_applied):
    incremental = _summary(engine)
    assert incremental["incident_daily"], "the history must have produced counts"
    rebuild(engine)
    assert _summary(engine) == incremental


@pytest.mark.parametrize("days, ago", [(1, 0), (3, 0), (7, 0), (13, 0), (4, 5), (1, 9)])
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
        assert fast["received"] > 0 or filters != Filters()
