"""Figures shared per live version and minute through a real Redis (data_access.figure_cache)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from callbacks import leader_data
from common.scope import COUNTY, using
from dashboard.links import View
from data_access import figure_cache, live
from data_access.kpis import Filters, Window
from data_access.masterdata import load_masterdata
from tests.factories import apply_entries, reported

AT = datetime(2026, 3, 10, 8, 30, 15, tzinfo=UTC)


def counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_codec_keeps_dates_datetimes_and_windows():
    value = {
        "w": Window(date(2026, 1, 1), date(2026, 1, 31)),
        "rows": [{"key": date(2026, 1, 2), "at": AT, "n": 3, "rate": None}],
    }
    assert figure_cache.loads(figure_cache.dumps(value), (Window,)) == value


def test_computed_once_per_version_and_minute(settings, redis_client):
    compute, calls = counting({"received": 5})
    for _ in range(3):
        assert figure_cache.shared(settings, "t", ["a"], AT, compute) == {"received": 5}
    assert len(calls) == 1
    figure_cache.shared(settings, "t", ["b"], AT, compute)  # other parts: other value
    assert len(calls) == 2
    redis_client.incr(live.keys(settings).version)  # an event was applied
    figure_cache.shared(settings, "t", ["a"], AT, compute)
    assert len(calls) == 3
    figure_cache.shared(settings, "t", ["a"], AT + timedelta(minutes=1), compute)
    assert len(calls) == 4


def test_a_past_instants_figures_are_computed_once_a_minute_whatever_the_version(
    settings, redis_client
):
    compute, calls = counting({"received": 7})
    for _ in range(2):
        figure_cache.shared(settings, "past", ["a"], AT, compute, versioned=False)
        redis_client.incr(live.keys(settings).version)  # events applied meanwhile
    assert len(calls) == 1
    figure_cache.shared(
        settings, "past", ["a"], AT + timedelta(minutes=1), compute, versioned=False
    )
    assert len(calls) == 2


def test_concurrent_requests_compute_once(settings, redis_client):
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return [1, 2, 3]

    results = []

    def ask() -> None:
        with using(COUNTY):  # a new thread has no scope: each request sets its own
            results.append(figure_cache.shared(settings, "s", [], AT, slow))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[1, 2, 3]] * 8
    assert len(calls) == 1


def test_a_failed_computation_frees_the_key(settings, redis_client):
    def broken():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        figure_cache.shared(settings, "f", [], AT, broken)
    compute, calls = counting(7)
    assert figure_cache.shared(settings, "f", [], AT, compute) == 7
    assert calls == [1]


def test_without_redis_figures_are_computed_directly(settings):
    down = settings.with_(redis_url="redis://127.0.0.1:1/0")
    compute, calls = counting({"x": 1})
    assert figure_cache.shared(down, "d", [], AT, compute) == {"x": 1}
    assert figure_cache.shared(down, "d", [], AT, compute) == {"x": 1}
    assert len(calls) == 2


def test_page_data_follows_the_live_version(settings, engine, redis_client):
    """The KPI page's tiles: shared until the version changes, then recomputed."""
    load_masterdata(engine, settings.masterdata_dir)
    now = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    apply_entries(engine, [reported("i-1", "2026-03-10T09:00:00+08:00")], now)
    view = View(period="today")
    first = leader_data.tiles_data(engine, settings, view, now)
    assert first["current"]["incidents"]["received"] == 1
    assert isinstance(first["window"], Window)
    apply_entries(engine, [reported("i-2", "2026-03-10T10:00:00+08:00")], now)
    same = leader_data.tiles_data(engine, settings, view, now)
    assert same["current"]["incidents"]["received"] == 1  # same version: shared value
    uncached = leader_data.tiles_data.__wrapped__(engine, settings, view, now)
    assert uncached["current"]["incidents"]["received"] == 2
    redis_client.incr(live.keys(settings).version)
    fresh = leader_data.tiles_data(engine, settings, view, now)
    assert fresh["current"]["incidents"]["received"] == 2
    assert fresh == {**uncached, "window": fresh["window"]}
    assert Filters() == view.filters


def test_a_computation_that_outlived_its_lock_leaves_the_new_holders_lock(settings, redis_client):
    """Compare-and-delete: the lock expired during a slow computation and another worker
    took it; finishing must not release the other's lock."""
    key = figure_cache.cache_key(settings, "slow", [], live.version(settings), AT)

    def outlived():
        redis_client.set(f"{key}:lock", "another-holder", ex=30)  # ours expired, re-taken
        return 1

    assert figure_cache.shared(settings, "slow", [], AT, outlived) == 1
    assert redis_client.get(f"{key}:lock") == b"another-holder"
