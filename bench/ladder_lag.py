"""The escalation ladder's lag and its query's time (CONTRACT 2: within 60 s of a rung).

`python -m bench.ladder_lag [--cases 40] [--spread-s 60] [--demo-sqlite PATH] [--demo-pg NAME]`

Lag, on SQLite and on PostgreSQL: a fresh database and key prefix, one `python -m
worker.ingest` process with its production options and CC_ESCALATION_LADDER
`1:0h,2:0.005h` (rung 2 18 s after the deadline), then `--cases` open incidents whose
deadlines fall at random instants over the next `--spread-s` seconds. Each rung's lag is
from the instant the case crosses it (deadline + the rung's limit) to the moment its
`escalated` event is stored in SQL (polled every 20 ms, so up to 20 ms late), i.e. the
tick's phase, the query, the XADD and ingest applying it. Also checks that the stream got
exactly one event per rung.

Query, on the demo county's databases (built by `python -m demo.seed` when absent; by
default the ones `python -m bench.scale` uses): the time of one tick's read (the
candidates and the calendar's decision, `worker.ladder.due`) with the demo's ladder
`1:0h,2:24h,3:72h`, first as it finds the demo (the ladder never ran: every overdue case
is due, the catch-up) and then as it is once caught up (the due levels written in a
transaction that is rolled back afterwards, so the database is left as it was).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import redis
from sqlalchemy import create_engine, select, text, update

from bench.ingest_rate import fresh_pg
from bench.result import emit
from common import clock
from common.config import PROJECT_ROOT, load_settings
from common.ladder import parse_ladder
from common.vocabulary import ESCALATED
from data_access.db import make_engine
from data_access.models import Incident, IncidentEvent
from data_access.schema import migrate
from data_access.sla import load_sla
from demo.seed import SCALES, run
from worker import ladder

LAG_LADDER = "1:0h,2:0.005h"
DEMO_LADDER = "1:0h,2:24h,3:72h"
POLL_S = 0.02
OUT = PROJECT_ROOT / "bench" / "out"


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _reported(ident: str, deadline: datetime) -> dict:
    return {
        "event_id": f"R-{ident}",
        "entity": "incident",
        "id": ident,
        "status": "reported",
        "ts": (deadline - timedelta(hours=2)).isoformat(),
        "channel": "hotline_12345",
        "category": "sanitation",
        "town": "T1",
        "deadline": deadline.isoformat(),
    }


def _stored(engine) -> set[str]:
    with engine.connect() as conn:
        query = select(IncidentEvent.event_id).where(IncidentEvent.status == ESCALATED)
        return set(conn.scalars(query))


def _wait(what: str, predicate: Callable[[], bool], timeout: float, proc) -> None:
    until = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise RuntimeError(f"ingest exited early (waiting for {what})")
        if time.monotonic() > until:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(POLL_S)


def lags(r: redis.Redis, redis_url: str, db_url: str, cases: int, spread_s: float) -> list[float]:
    """Seconds from each rung's instant to its event stored, one ingest process."""
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    stream = f"{prefix}events"
    env = dict(
        os.environ,
        CC_DATABASE_URL=db_url,
        CC_REDIS_URL=redis_url,
        CC_STREAM_PREFIX=prefix,
        CC_SECRET_KEY="bench",
        CC_DATA_DIR=tempfile.mkdtemp(prefix="cc-bench-"),
        CC_ESCALATION_LADDER=LAG_LADDER,
        PYTHONPATH=str(PROJECT_ROOT),
    )
    rungs = parse_ladder(LAG_LADDER)
    engine = make_engine(db_url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.ingest"], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        groups = lambda: r.exists(stream) and r.xinfo_groups(stream)  # noqa: E731
        _wait("the consumer group", lambda: bool(groups()), 120, proc)
        start = clock.now() + timedelta(seconds=3)
        rand = random.Random(18)  # noqa: S311 - spreading test instants, not secrets
        deadlines = {
            f"LAG-{i:04d}": start + timedelta(seconds=rand.uniform(0, spread_s))
            for i in range(cases)
        }
        pipe = r.pipeline(transaction=False)
        for ident, deadline in deadlines.items():
            pipe.xadd(stream, _reported(ident, deadline))
        pipe.execute()
        crossings = {
            ladder.event_id(ident, rung.level): deadline + timedelta(hours=rung.limit.amount)
            for ident, deadline in deadlines.items()
            for rung in rungs
        }
        seen: dict[str, datetime] = {}

        def all_seen() -> bool:
            now = clock.now()
            for event_id in _stored(engine) - seen.keys():
                seen[event_id] = now
            return len(seen) >= len(crossings)

        _wait("every rung's event", all_seen, spread_s + 120, proc)
        sent = [
            f[b"event_id"].decode()
            for _, f in r.xrange(stream)
            if f[b"status"] == ESCALATED.encode()
        ]
        if sorted(sent) != sorted(crossings):
            raise RuntimeError(f"{len(sent)} escalated events for {len(crossings)} rungs")
    finally:
        proc.terminate()
        proc.wait(30)
        keys = list(r.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            r.delete(*keys)
        engine.dispose()
    return [(seen[e] - at).total_seconds() for e, at in crossings.items()]


def demo_url(kind: str, sqlite_path: Path, pg_admin: str, pg_name: str) -> str:
    """The demo county's database, seeded on first use (about 4 minutes)."""
    if kind == "sqlite":
        url = f"sqlite:///{sqlite_path}"
    else:
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            known = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": pg_name}
            )
            if known.first() is None:
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        admin.dispose()
        url = pg_admin.rsplit("/", 1)[0] + "/" + pg_name
    cfg = load_settings({"CC_DATA_DIR": str(OUT)}).with_(database_url=url)
    run(cfg, *SCALES["demo"], show_progress=False)
    return url


def _timed(fn: Callable[[], list], runs: int) -> tuple[list[float], int]:
    found, times = fn(), []  # the first run warms the caches
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(found)


def query_times(url: str, runs: int) -> dict[str, tuple[list[float], int]]:
    """{'catch-up' | 'caught up': (ms per tick's read, rungs due)} on the database."""
    cfg = load_settings({"CC_DATA_DIR": str(OUT)}).with_(
        database_url=url, escalation_ladder=parse_ladder(DEMO_LADDER)
    )
    engine = make_engine(url)
    cal = load_sla(engine, cfg).calendar
    now = clock.now()
    out = {}
    with engine.connect() as conn:
        read = lambda: ladder.due(conn, cfg.escalation_ladder, cal, cfg, now)  # noqa: E731
        out["catch-up"] = _timed(read, runs)
        top: dict[str, int] = {}
        for ident, level in ladder.due(conn, cfg.escalation_ladder, cal, cfg, now):
            top[ident] = max(level, top.get(ident, 0))
        for ident, level in top.items():
            conn.execute(
                update(Incident).where(Incident.id == ident).values(escalation_level=level)
            )
        out["caught up"] = _timed(read, runs)
        conn.rollback()  # the demo database stays as it was
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ladder_lag", description=__doc__)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--spread-s", type=float, default=60.0)
    parser.add_argument("--query-runs", type=int, default=30)
    parser.add_argument(
        "--pg-url", default=os.environ.get("CC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="an admin URL: the lag runs create and drop their own database",
    )  # fmt: skip
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--demo-sqlite", type=Path, default=OUT / "demo.sqlite")
    parser.add_argument("--demo-pg", default="cc_bench_demo", help="database name")
    parser.add_argument("--only", choices=("lag", "query"), help="default: both")
    args = parser.parse_args(argv)
    r = redis.Redis.from_url(args.redis_url)
    figures: dict[str, float] = {}
    print(f"lag from a rung's instant to its escalated event stored ({args.cases} cases x 2 rungs)")
    for kind in ("sqlite", "postgresql") if args.only != "query" else ():
        if kind == "sqlite":
            tmp = tempfile.TemporaryDirectory()
            url, drop = f"sqlite:///{Path(tmp.name) / 'lag.sqlite'}", tmp.cleanup
        else:
            url, drop = fresh_pg(args.pg_url)
        try:
            migrate(url)
            values = lags(r, args.redis_url, url, args.cases, args.spread_s)
        finally:
            drop()
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"  {kind:10} p50 {p50:5.2f} s  p95 {p95:5.2f} s  max {max(values):5.2f} s")
        figures |= {f"lag {kind} p50 s": p50, f"lag {kind} p95 s": p95}
    print(f"one tick's read on the demo county, ladder {DEMO_LADDER} ({args.query_runs} runs)")
    for kind in ("sqlite", "postgresql") if args.only != "lag" else ():
        url = demo_url(kind, args.demo_sqlite, args.pg_url, args.demo_pg)
        for state, (times, due) in query_times(url, args.query_runs).items():
            p50, p95 = percentile(times, 50), percentile(times, 95)
            print(f"  {kind:10} {state:9} {due:6,} rungs due  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
            figures |= {f"query {kind} {state} p95 ms": p95}
    print(f"load average {os.getloadavg()[0]:.1f}")
    emit("ladder", figures)


if __name__ == "__main__":
    main()
