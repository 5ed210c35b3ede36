"""The performance table's naive baseline (bench/naive.py, pandas) gives the same
GET /api/v1/kpis figures and daily series as the product on a seeded county, on SQLite
and PostgreSQL: the ratios it prints compare equal work, not a different answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.naive import check_daily, check_kpis, naive_kpis
from data_access.db import make_engine
from data_access.kpis import Filters, Window
from data_access.schema import migrate
from tests.conftest import _fresh_pg_schema
from tests.factories import TZ, apply_entries, reported
from tests.small_county import seed_small_county

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=TZ).astimezone(UTC)
TODAY = NOW.astimezone(TZ).date()
WINDOWS = (
    Window(TODAY - timedelta(days=6), TODAY),  # today's deadlines cut by "now"
    Window(TODAY - timedelta(days=44), TODAY - timedelta(days=15)),  # settled days only
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def county(request, tmp_path_factory):
    """The county seeded once per dialect for this module: every test only reads it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('naive') / 'cc.sqlite'}"
    else:
        url = _fresh_pg_schema(request.getfixturevalue("pg_database"))
    migrate(url)
    engine = make_engine(url)
    seed_small_county(engine, NOW, incidents=600, disputes=120)
    # a county at 95% on time may have no open overdue case in a small sample: add two
    # (one per filtered town), so the overdue sets below have members to compare
    stale = (NOW - timedelta(days=3)).astimezone(TZ)
    deadline = (NOW - timedelta(days=1)).astimezone(TZ).isoformat()
    apply_entries(
        engine,
        [
            reported(f"LATE-{town}", stale.isoformat(), town=town, deadline=deadline)
            for town in ("Chengdong", "Xiaying")
        ],
        NOW,
    )
    yield engine
    engine.dispose()


@pytest.mark.parametrize("filters", [Filters(), Filters(towns=("Chengdong", "Xiaying"))])
def test_naive_kpis_equal_the_product(county, filters):
    engine = county
    for window in WINDOWS:
        assert check_kpis(engine, window, filters, NOW) == []
        assert check_daily(engine, window, filters, NOW) == []
        figures = naive_kpis(engine, window, filters, NOW)
        incidents = figures["incidents"]
        # every set the comparison covers has members, so equality means something
        for name in ("received", "closed", "due", "on_time", "rated"):
            assert incidents[name] > 0, (window, name)
        assert incidents["due"] > incidents["on_time"]
        assert figures["disputes"]["accepted"] > 0
        assert figures["backlog"]["open"] > 0
    # the recent window also has open incidents past and near their deadlines
    recent = naive_kpis(engine, WINDOWS[0], filters, NOW)
    assert recent["incidents"]["overdue_open"] > 0
    assert recent["backlog"]["overdue"] > 0
