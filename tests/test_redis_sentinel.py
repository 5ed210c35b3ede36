"""Redis through Sentinel (CC_REDIS_SENTINELS): the product's one client follows a forced
failover by itself, for writes (XADD), ingest's blocking XREADGROUP loop and the live
subscription (pub/sub, through the web worker's hub), with nothing lost."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import timedelta

import pytest
import redis
from sqlalchemy import func, select

from common import clock
from common.config import Settings
from dashboard import live_hub
from data_access import live
from data_access.db import make_engine
from data_access.models import Incident
from data_access.redis_client import connect, get_redis
from tests.factories import reported
from tests.servers import SentinelGroup, fast_ingest, wait_for

pytestmark = pytest.mark.skipif(
    shutil.which("redis-sentinel") is None,
    reason="needs Debian's redis-sentinel (apt-get install -y redis-sentinel)",
)


@pytest.fixture
def group():
    started = SentinelGroup()
    yield started
    started.close()


@pytest.fixture
def via_sentinel(settings: Settings, group: SentinelGroup) -> Settings:
    """The product's settings with the live Redis named only by the Sentinel: the URL
    points nowhere, so every command proves the address came from the Sentinel."""
    return settings.with_(
        redis_url="redis://127.0.0.1:1/0",
        redis_sentinels=(("127.0.0.1", group.port),),
        redis_service=group.service,
    )


def _entries(prefix: str, n: int) -> list[dict]:
    at = clock.now() - timedelta(hours=1)
    return [reported(f"{prefix}-{i}", at.isoformat()) for i in range(n)]


def _incidents(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Incident))


def _woken(hub, seq: int):
    found = hub.wait(seq, 1.0)
    return found if found[0] != seq else None


def test_writes_ingest_and_the_subscription_carry_on_after_a_failover(via_sentinel, group):
    cfg = via_sentinel
    r = get_redis(cfg)
    r.set(cfg.key("probe"), "before")
    assert r.connection_pool.get_master_address()[1] == group.primary.port
    ingest = fast_ingest(cfg)
    runner = threading.Thread(target=ingest.run, daemon=True)
    runner.start()
    engine = make_engine(cfg.database_url)
    try:
        with live_hub.hub(cfg).reading() as hub:
            for fields in _entries("BEFORE", 20):
                r.xadd(cfg.stream_key, fields)
            wait_for(lambda: _incidents(engine) == 20, 30, what="ingest before the failover")
            seq, _ = hub.wait(hub.seq, 0)

            promoted = group.failover()
            assert promoted == group.replica.port

            # the same client, with no call of ours to reconnect: writes go to the new primary
            for fields in _entries("AFTER", 20):
                r.xadd(cfg.stream_key, fields)
            assert r.connection_pool.get_master_address()[1] == promoted
            assert r.get(cfg.key("probe")) == b"before"  # replicated before the failover
            wait_for(lambda: _incidents(engine) == 40, 30, what="ingest after the failover")

            # ingest's bumps wake the web worker's hub, and its subscription moves to the
            # new primary: a bare publish (no version change) wakes the hub again
            seq, _ = wait_for(lambda: _woken(hub, seq), 10, what="the hub to see a change")
            channel = live.keys(cfg).channel
            wait_for(lambda: r.pubsub_numsub(channel)[0][1] == 1, 10, what="a subscription")
            r.publish(channel, "hello")
            assert hub.wait(seq, 10)[0] != seq
    finally:
        ingest.stop.set()
        runner.join(10)
        engine.dispose()
    assert not runner.is_alive()
    assert live.pulse(cfg)[0] >= 1  # the live state lives on the new primary


def test_a_reply_that_comes_after_its_timeout_is_never_read_as_the_next_ones(via_sentinel, group):
    """A partition holds a reply past the socket timeout, then lets it through. redis-py's
    Sentinel connection keeps its socket after a read timeout, so the late reply was read
    as the next command's (a web worker then answered 500 until restarted: `XINFO GROUPS`
    got an integer). Here CLIENT PAUSE holds the replies as a partition would."""
    cfg = via_sentinel
    client = connect(cfg, socket_timeout=0.3)
    client.set(cfg.key("a"), "A")
    client.set(cfg.key("b"), "B")
    admin = redis.Redis(port=group.primary.port)
    try:
        for _ in range(3):
            admin.client_pause(500)  # the held reply arrives 0.2 s after the timeout
            with pytest.raises(redis.TimeoutError):
                client.get(cfg.key("a"))
            try:
                answer = client.get(cfg.key("b"))  # sent before the late reply lands
            except redis.TimeoutError:
                answer = b"B"  # timing out again is honest; reading A's reply is not
            assert answer == b"B"
            time.sleep(0.4)
            assert client.get(cfg.key("b")) == b"B"
    finally:
        admin.client_unpause()
        admin.close()
        client.close()
