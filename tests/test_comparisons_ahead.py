"""Comparisons computed ahead of each minute (data_access.comparisons.ahead,
dashboard/comparisons_ahead.py): what was asked lately is ready when the minute begins,
under the scope that asked, and what nobody asks any more is forgotten."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from common.scope import COUNTY, Scope, current, using
from dashboard import comparisons_ahead
from dashboard.context import read_engine
from data_access import comparisons
from data_access.comparisons import ASKED_KEEP, ahead, compared_figures
from data_access.kpis import Filters, Window, incident_figures
from tests.factories import TZ, apply_entries, entry, reported

NOW = datetime(2026, 12, 2, 17, 30, 20, tzinfo=TZ).astimezone(UTC)
NEXT = comparisons_ahead.next_minute(NOW)
NOVEMBER = Window(date(2026, 11, 1), date(2026, 11, 30))
TOWN = Scope("town", ("T1",))


@pytest.fixture
def computed(monkeypatch):
    """The comparison windows computed, as (scope, window, as_of)."""
    calls = []

    def counting(engine, window, filters, now, *args, **kwargs):
        calls.append((str(current()), window, args[1] if len(args) > 1 else None))
        return incident_figures(engine, window, filters, now, *args, **kwargs)

    monkeypatch.setattr(comparisons, "incident_figures", counting)
    return calls


def _county(engine) -> None:
    """October, compared with November as of now less 30 days: O1 closed on 1 Nov; O3
    closed on 2 Nov at 17:30:40, after now's instant (17:30:20) and before the next
    minute's (17:31:00), so it counts closed only from the next minute."""
    apply_entries(
        engine,
        [
            reported("O1", "2026-10-10T09:00:00+08:00"),
            entry("O1", "closed", "2026-11-01T10:00:00+08:00"),
            reported("O3", "2026-10-20T09:00:00+08:00"),
            entry("O3", "closed", "2026-11-02T17:30:40+08:00"),
            reported("N1", "2026-11-10T09:00:00+08:00"),
        ],
        NOW,
    )


def _previous_month(at: datetime) -> comparisons.Comparison:
    return comparisons.comparisons(NOVEMBER, "month", at)[0]


def test_what_was_asked_is_ready_when_the_next_minute_begins(engine, settings, computed):
    _county(engine)
    asked = compared_figures(engine, settings, _previous_month(NOW), Filters(), NOW)
    assert asked["incidents"]["closed"] == 1  # O3 closed 20 s after 2 Nov 17:30:20
    assert len(computed) == 1
    assert ahead(engine, settings, NEXT) == 1
    assert computed[-1][2] == NEXT - timedelta(days=30)  # 30 Nov less 31 Oct
    during = NEXT + timedelta(seconds=35)
    found = compared_figures(engine, settings, _previous_month(during), Filters(), during)
    assert len(computed) == 2  # found ready: no request paid for it
    assert found["incidents"]["closed"] == 2  # as of 2 Nov 17:31:00: O3 closed by then
    assert found["incidents"] == incident_figures(
        engine, Window(date(2026, 10, 1), date(2026, 10, 31)), Filters(), NEXT,
        settings.warn_hours, NEXT - timedelta(days=30),
    )  # fmt: skip


def test_each_scope_gets_its_own_ahead(engine, settings, computed):
    _county(engine)
    with using(TOWN):
        compared_figures(engine, settings, _previous_month(NOW), Filters(), NOW)
    assert ahead(engine, settings, NEXT) == 1
    assert computed[-1][0] == "town:T1"
    with using(TOWN):
        compared_figures(engine, settings, _previous_month(NEXT), Filters(), NEXT)
    assert len(computed) == 2  # the town's was ready
    with using(COUNTY):
        compared_figures(engine, settings, _previous_month(NEXT), Filters(), NEXT)
    assert len(computed) == 3  # the county's was not asked before: computed on demand


def test_comparisons_nobody_asks_any_more_are_forgotten(engine, settings, computed):
    compared_figures(engine, settings, _previous_month(NOW), Filters(), NOW)
    assert ahead(engine, settings, NOW + ASKED_KEEP) == 1
    assert ahead(engine, settings, NOW + ASKED_KEEP + timedelta(minutes=1)) == 0
    assert ahead(engine, settings, NOW + ASKED_KEEP) == 0  # forgotten, not skipped
    late = datetime(2026, 12, 2, 23, 59, 30, tzinfo=TZ).astimezone(UTC)
    compared_figures(engine, settings, _previous_month(late), Filters(), late)
    assert ahead(engine, settings, comparisons_ahead.next_minute(late)) == 0  # a new day


def test_one_worker_computes_ahead_the_others_wait(app, settings, redis_client):
    with app.server.app_context(), using(COUNTY):
        compared_figures(read_engine(), settings, _previous_month(NOW), Filters(), NOW)
    first, second = comparisons_ahead.lease(settings), comparisons_ahead.lease(settings)
    assert comparisons_ahead.tick(app.server, first, NEXT) == 1
    assert comparisons_ahead.tick(app.server, second, NEXT) is None
    assert comparisons_ahead.tick(app.server, first, NEXT) == 1  # renewed, still its
    assert redis_client.ttl(settings.key("comparisons:ahead")) > 0
