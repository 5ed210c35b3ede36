"""Where one ingest's time goes per event: its CPU, the PostgreSQL backend's CPU, wall.

`python -m bench.ingest_profile [--events N] [--batch-size B] [--cprofile]`

The bench.ingest_rate data, pre-filled in a stream of a fresh PostgreSQL database; one
`Ingest` runs in this process (the GC tuned as `python -m worker.ingest` does), the
first batch untimed (connections, staging tables). Prints, per event, the wall time,
this process's CPU time and the CPU time of the database's backends (from /proc, so on
the database's host only); with --cprofile, the functions taking the most time (the
figures then include cProfile's overhead). For a
sampled view of the same run without cProfile's overhead: `py-spy record -- python -m
bench.ingest_profile`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
import uuid

import psycopg
import redis

from bench.ingest_rate import fresh_pg, ingest_group, lifecycle_entries, xadd_all
from common import clock
from common.config import load_settings
from data_access.db import normalise_url
from data_access.schema import migrate
from worker.ingest import Ingest, Options, quiet_gc


def backend_cpu(admin_url: str, database: str) -> float:
    """CPU seconds used so far by the backends connected to `database`."""
    plain = normalise_url(admin_url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = %s"
        pids = [row[0] for row in conn.execute(query, (database,))]
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # gone meanwhile, or another host
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_profile", description=__doc__)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--batch-size", type=int, default=Options().batch_size)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args(argv)
    r = redis.Redis.from_url(args.redis_url)
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    stream = f"{prefix}events"
    xadd_all(r, stream, lifecycle_entries(args.events, clock.now()))
    url, drop = fresh_pg(args.pg_url)
    database = url.rsplit("/", 1)[1]
    os.environ.update(
        CC_DATABASE_URL=url,
        CC_REDIS_URL=args.redis_url,
        CC_STREAM_PREFIX=prefix,
        CC_SECRET_KEY="bench",
        CC_DATA_DIR=tempfile.mkdtemp(prefix="cc-bench-"),
    )
    try:
        migrate(url)
        ingest = Ingest(load_settings(), Options(batch_size=args.batch_size))
        quiet_gc()
        ingest.start()
        ingest.step()
        first = ingest_group(r, stream)["entries-read"]
        profile = cProfile.Profile() if args.cprofile else None
        db_cpu = backend_cpu(args.pg_url, database)
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        while (group := ingest_group(r, stream))["pending"] or group["entries-read"] < args.events:
            ingest.step()
        if profile:
            profile.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        db_cpu = backend_cpu(args.pg_url, database) - db_cpu
        ingest.close()
    finally:
        drop()
        keys = list(r.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            r.delete(*keys)
    n = args.events - first
    print(f"{n:,} events timed (batches of {args.batch_size:,}), load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"wall        {wall / n * 1e6:7.1f} us/event  ({n / wall:,.0f} events/s)")
    print(f"ingest CPU  {cpu / n * 1e6:7.1f} us/event  ({n / cpu:,.0f} events per CPU-s)")
    print(f"backend CPU {db_cpu / n * 1e6:7.1f} us/event")
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
