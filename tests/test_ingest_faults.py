"""Ingest under faults, as real processes: SIGKILL mid-batch, two at once, SQL down for a
while, Redis restarted without its data. Nothing is lost, nothing is applied twice."""

from __future__ import annotations

import signal
import uuid

import pytest
import redis
from sqlalchemy import select

from bench.ingest_rate import lifecycle_entries
from common import clock
from data_access import live
from data_access.db import make_engine
from data_access.health import stream_lag
from data_access.models import Incident, IncidentEvent
from data_access.schema import migrate
from data_access.sla import Sla
from tests.factories import TZ, reported
from tests.servers import PgServer, RedisServer, ingest_process, publish, wait_for
from worker.contract import ContractError, parse_entry
from worker.fold import fold_incident

FLAGS = ("--batch-size", "100", "--block-ms", "100", "--claim-idle-ms", "500",
         "--claim-every-s", "0.2")  # fmt: skip


def workload(n: int) -> list[dict]:
    """Lifecycles with exact duplicates and contract breaks mixed in."""
    out = []
    for i, entry in enumerate(lifecycle_entries(n, clock.now())):
        out.append(entry)
        if i % 40 == 7:
            out.append(dict(entry))  # delivered twice
        if i % 50 == 3:
            out.append({**entry, "event_id": f"bad-{i}", "ts": "not a time"})
    return out


def expected(ids: list[str], entries: list[dict]) -> tuple[dict[str, dict], set[str]]:
    """(incident rows as the contract defines them, stream ids of the bad entries)."""
    now, events, bad, seen = clock.now(), {}, set(), set()
    for stream_id, fields in zip(ids, entries, strict=True):
        try:
            event = parse_entry(stream_id, fields, TZ, now)
        except ContractError:
            bad.add(stream_id)
            continue
        if event.event_id not in seen:
            seen.add(event.event_id)
            events.setdefault(event.id, []).append(event)
    rows = {i: fold_incident(evs, Sla(), TZ, now) for i, evs in events.items()}
    return {i: {k: v for k, v in r.items() if k != "updated_at"} for i, r in rows.items()}, bad


def check(db_url: str, r: redis.Redis, settings, ids: list[str], entries: list[dict]) -> None:
    rows, bad = expected(ids, entries)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = {
            row.id: {k: getattr(row, k) for k in next(iter(rows.values()))}
            for row in conn.execute(select(Incident))
        }
        event_ids = list(conn.execute(select(IncidentEvent.event_id)).scalars())
    engine.dispose()
    assert stored == rows
    good = {f["event_id"] for i, f in zip(ids, entries, strict=True) if i not in bad}
    assert sorted(event_ids) == sorted(good)
    dead = [f[b"source_id"].decode() for _, f in r.xrange(settings.dead_key)]
    assert sorted(dead) == sorted(bad)  # each bad entry dead-lettered exactly once
    assert int(r.get(live.keys(settings).dead_count) or 0) == len(bad)


def handled(r: redis.Redis, settings) -> bool:
    return stream_lag(r, settings.stream_key) == 0


def stop(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


@pytest.mark.slow
def test_sigkill_mid_batch_repeatedly_loses_and_doubles_nothing(
    db_url, settings, redis_client, tmp_path
):
    entries = workload(3000)
    ids = publish(redis_client, settings.stream_key, entries)
    group = live.INGEST_GROUP.encode()
    for _ in range(3):
        proc = ingest_process(settings, tmp_path / "ingest.log", *FLAGS)

        def busy():
            groups = redis_client.xinfo_groups(settings.stream_key)
            return any(g["name"] == group and g["pending"] > 0 for g in groups)

        wait_for(lambda: busy() or proc.poll() is not None, 60, 0.005, "ingest mid-batch")  # noqa: B023
        proc.kill()  # SIGKILL: no chance to finish the batch or acknowledge it
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
    assert not handled(redis_client, settings)
    proc = ingest_process(settings, tmp_path / "ingest.log", *FLAGS)
    try:
        wait_for(lambda: handled(redis_client, settings), 120, what="the stream to drain")
    finally:
        stop(proc)
    check(db_url, redis_client, settings, ids, entries)


@pytest.mark.slow
def test_two_ingest_processes_apply_each_event_once(db_url, settings, redis_client, tmp_path):
    procs = [ingest_process(settings, tmp_path / f"ingest{i}.log", *FLAGS) for i in range(2)]
    try:
        wait_for(lambda: len(redis_client.xinfo_consumers(settings.stream_key, "ingest")) == 2,
                 60, what="two consumers")  # fmt: skip
        entries = workload(3000)
        ids = publish(redis_client, settings.stream_key, entries)
        wait_for(lambda: handled(redis_client, settings), 120, what="the stream to drain")
    finally:
        for proc in procs:
            stop(proc)
    assert [p.returncode for p in procs] == [0, 0]  # SIGTERM: a clean exit
    check(db_url, redis_client, settings, ids, entries)


@pytest.fixture(scope="module")
def own_pg():
    server = PgServer()
    yield server
    server.close()


@pytest.mark.slow
def test_sql_outage_delays_but_loses_nothing(own_pg, settings, redis_client, tmp_path):
    url = own_pg.database(f"cc_{uuid.uuid4().hex[:8]}")
    migrate(url)
    settings = settings.with_(database_url=url)
    proc = ingest_process(settings, tmp_path / "ingest.log", *FLAGS)
    try:
        first = workload(500)
        ids = publish(redis_client, settings.stream_key, first)
        wait_for(lambda: handled(redis_client, settings), 60, what="the first entries")
        own_pg.stop()
        later = [{**e, "event_id": "2" + e["event_id"], "id": "2" + e["id"]} for e in first]
        ids += publish(redis_client, settings.stream_key, later)
        down_at = clock.now()
        # ingest keeps looping (heartbeat) but neither applies nor dead-letters anything
        wait_for(lambda: live.heartbeat(settings, redis_client) > down_at, 30, what="a beat")
        wait_for(
            lambda: redis_client.xinfo_groups(settings.stream_key)[0]["pending"] > 0,
            30,
            what="entries to be delivered and kept pending",
        )
        valid_later = [e for e in later if not e["event_id"].startswith("2bad")]
        assert stream_lag(redis_client, settings.stream_key) >= len(valid_later)
        reasons = [f[b"error"] for _, f in redis_client.xrange(settings.dead_key)]
        assert not any(b"failed to apply" in reason for reason in reasons)
        own_pg.start()
        wait_for(lambda: handled(redis_client, settings), 60, what="catching up")
    finally:
        stop(proc)
    assert proc.returncode == 0
    check(url, redis_client, settings, ids, first + later)


@pytest.mark.slow
def test_redis_restart_without_data_recreates_group_and_live_state(db_url, settings, tmp_path):
    server = RedisServer()
    ts = clock.now().astimezone(TZ).isoformat()
    settings = settings.with_(redis_url=server.url)
    r = redis.Redis.from_url(server.url)
    proc = ingest_process(settings, tmp_path / "ingest.log", *FLAGS)
    try:
        entries = workload(300) + [reported(f"OPEN-{i}", ts) for i in range(10)]
        publish(r, settings.stream_key, entries)
        wait_for(lambda: handled(r, settings), 60, what="the first entries")
        ticker = live.ticker(settings, 200, r)
        deadlines = live.deadlines(settings, clock.now().replace(year=2100), limit=10**6, r=r)
        assert ticker and deadlines
        server.stop()
        server.start()  # empty: no stream, no group, no live state
        wait_for(lambda: r.exists(live.keys(settings).built), 60, what="the live state rebuilt")
        assert live.ticker(settings, 200, r) == ticker
        assert (
            live.deadlines(settings, clock.now().replace(year=2100), limit=10**6, r=r) == deadlines
        )
        more = [{**e, "event_id": "2" + e["event_id"], "id": "2" + e["id"]} for e in entries]
        publish(r, settings.stream_key, more)
        wait_for(lambda: handled(r, settings), 60, what="entries after the restart")
        assert [g["name"] for g in r.xinfo_groups(settings.stream_key)] == [b"ingest"]
    finally:
        stop(proc)
        r.close()
        server.close()
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = set(conn.execute(select(IncidentEvent.event_id)).scalars())
    engine.dispose()
    valid = {e["event_id"] for e in entries + more if not e["event_id"].startswith(("bad", "2bad"))}
    assert stored == valid
