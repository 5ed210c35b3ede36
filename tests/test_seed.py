"""The history generator and the seeder: determinism, validity, bulk == apply, targets."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from common.config import PROJECT_ROOT
from common.vocabulary import NON_STATUS
from data_access.db import make_engine
from data_access.masterdata import load_masterdata, load_sla
from data_access.schema import migrate
from demo.county import load_model
from demo.history import SHANGHAI, day_history, day_plan, history, point_in_ring
from demo.seed import is_seeded, run, seed_history, stream_ids, to_events
from worker.apply import apply_events
from worker.contract import parse_entry

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
TABLES = {
    "incidents": "id",
    "incident_events": "event_id",
    "disputes": "id",
    "dispute_events": "event_id",
    "incident_daily": "day, town",
    "incident_due_daily": "day, town",
}


@pytest.fixture(scope="module")
def model():
    return load_model(PROJECT_ROOT / "masterdata")


def dump(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {
            table: [
                tuple(r)
                for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))
                if not table.endswith("_daily") or any(r[2:])  # all-zero counts: no row
            ]
            for table, key in TABLES.items()
        }


def test_generator_is_deterministic(model):
    first = list(history(model, 5, 300, NOW, days=20))
    again = list(history(model, 5, 300, NOW, days=20))
    other = list(history(model, 6, 300, NOW, days=20))
    assert first == again
    assert first != other
    assert len(first) == 300


def test_generated_entries_keep_the_contract(model):
    lifecycles = list(history(model, 1, 1500, NOW, days=30))
    lifecycles += list(history(model, 1, 200, NOW, "dispute", days=30))
    for lifecycle in lifecycles:
        stamps = []
        for n, fields in enumerate(lifecycle):
            assert all(isinstance(v, str) for v in fields.values())
            event = parse_entry(f"0-{n + 1}", fields, SHANGHAI, NOW)
            assert event.ts <= NOW
            assert fields["ts"].endswith("+08:00")
            stamps.append(event.ts)
        assert stamps == sorted(stamps)
        first = lifecycle[0]
        assert first["status"] in ("reported", "accepted")
        if first["entity"] == "incident":
            grid = model.grid_info(first["grid"])
            assert grid.town == first["town"]
            assert point_in_ring(float(first["lon"]), float(first["lat"]), grid.ring)
    statuses = Counter(
        [e["status"] for e in lc if e["status"] not in NON_STATUS][-1]
        for lc in lifecycles
        if lc[0]["entity"] == "incident"
    )
    assert statuses["closed"] > 1000
    assert statuses["in_progress"] + statuses["dispatched"] + statuses["signed"] > 0


def test_bulk_seed_equals_the_apply_path(engine, model):
    """The set-based writer (here with worker processes) against ingest's apply_events."""
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    sla = load_sla(engine)
    result = seed_history(
        engine, model, sla, SHANGHAI, NOW, 2000, 200, 9, False, days=30, workers=2
    )
    assert (result.incidents, result.disputes) == (2000, 200)
    bulk = dump(engine)
    assert len(bulk["incidents"]) == 2000 and len(bulk["disputes"]) == 200

    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    for entity, total in (("incident", 2000), ("dispute", 200)):
        events = []
        for day, n in day_plan(9, total, NOW, entity, SHANGHAI, 30):
            ids = stream_ids(day.day)  # the same synthetic stream ids, in the same order
            for lifecycle in day_history(model, 9, day, n, NOW, entity, SHANGHAI):
                events += to_events(lifecycle, ids, SHANGHAI, NOW)
        for start in range(0, len(events), 3000):
            apply_events(engine, events[start : start + 3000], sla, SHANGHAI, NOW)
    assert dump(engine) == bulk


def test_seeder_is_idempotent(db_url, settings):
    first = run(settings, 400, 40, seed=3, show_progress=False)
    assert not first.skipped and first.incidents == 400 and first.disputes == 40
    engine = make_engine(settings.database_url)
    before = dump(engine)
    again = run(settings, 400, 40, seed=3, show_progress=False)
    assert again.skipped
    assert is_seeded(engine)
    assert dump(engine) == before
    engine.dispose()


def test_figures_are_near_the_targets(tmp_path, model):
    url = f"sqlite:///{tmp_path / 'targets.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    seed_history(engine, model, load_sla(engine), SHANGHAI, NOW, 20_000, 3_000, 11, False)
    now = NOW.replace(tzinfo=None)
    sql = {
        "all": "SELECT count(*) FROM incidents",
        "rejected": "SELECT count(*) FROM incidents WHERE status = 'rejected'",
        "merged": "SELECT count(*) FROM incidents WHERE status = 'merged'",
        "closed": "SELECT count(*) FROM incidents WHERE status IN ('resolved', 'closed')",
        "due": "SELECT count(*) FROM incidents WHERE status NOT IN ('rejected', 'merged') "
        "AND deadline <= :now",
        "on_time": "SELECT count(*) FROM incidents WHERE status NOT IN ('rejected', 'merged') "
        "AND deadline <= :now AND closed_at IS NOT NULL AND closed_at <= deadline",
        "rated": "SELECT count(*) FROM incidents "
        "WHERE status IN ('resolved', 'closed') AND satisfaction IS NOT NULL",
        "satisfied": "SELECT count(*) FROM incidents "
        "WHERE status IN ('resolved', 'closed') AND satisfaction >= 4",
        "reopened": "SELECT count(DISTINCT incident_id) FROM incident_events "
        "WHERE status = 'reopened'",
        "escalated": "SELECT count(*) FROM incidents WHERE escalation_level > 0",
        "overdue": "SELECT count(*) FROM incidents WHERE deadline <= :now "
        "AND status IN ('reported', 'dispatched', 'in_progress', 'reopened')",
        "accepted": "SELECT count(*) FROM disputes",
        "mediated": "SELECT count(*) FROM disputes WHERE status = 'mediated'",
        "adjudicated": "SELECT count(*) FROM disputes WHERE status = 'adjudicated'",
        "last_year": "SELECT count(*) FROM incidents WHERE reported_at > :year_ago",
    }
    params = {"now": now, "year_ago": now - timedelta(days=365)}
    with engine.connect() as conn:
        n = {key: conn.execute(text(q), params).scalar() for key, q in sql.items()}
        channels = conn.execute(
            text("SELECT channel FROM incidents GROUP BY channel ORDER BY count(*) DESC")
        ).scalars()
        assert next(channels) == "hotline_12345"
    engine.dispose()
    received = n["all"] - n["rejected"] - n["merged"]
    resolved = n["mediated"] + n["adjudicated"]
    # a few dozen long-pending cases open at any time, not hundreds (demo/history.P_STUCK)
    assert n["closed"] / received == pytest.approx(0.995, abs=0.004)
    assert n["on_time"] / n["due"] == pytest.approx(0.95, abs=0.012)
    assert n["satisfied"] / n["rated"] == pytest.approx(0.90, abs=0.015)
    assert 0.01 <= n["rejected"] / n["all"] <= 0.02
    assert n["merged"] / n["all"] == pytest.approx(0.045, abs=0.006)  # 重复件
    assert 0.006 <= n["reopened"] / n["all"] <= 0.015
    assert n["escalated"] > 0
    assert n["overdue"] > 0
    assert resolved / n["accepted"] == pytest.approx(0.87, abs=0.02)
    assert n["adjudicated"] / resolved == pytest.approx(0.2, abs=0.03)
    assert 0.5 < n["last_year"] / n["all"] < 0.56  # year-on-year growth
