"""Sustained ingest rate into SQLite and PostgreSQL, beside the raw XADD rate.

`python -m bench.ingest_rate [--events N] [--runs R]`

Per run: the raw XADD rate of the same Redis (pipelined, 1,000 per round trip); then,
for each database, a fresh database and key prefix, N lifecycle events (5 per incident,
interleaved over 500 open incidents, like a busy county; each incident at its own place
in a 30 x 30 km county, with one of its category's titles) pre-filled in the stream, one
`python -m worker.ingest` process started, and the time from its first delivery to the
moment every entry is acknowledged. Duplicate candidates are on (the default) but for
one more PostgreSQL measurement with CC_DUPLICATE_CANDIDATES=off, in the same run. Prints
medians over the runs and ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, select, text

from bench.result import emit
from common import clock
from common.config import PROJECT_ROOT
from data_access.db import make_engine
from data_access.live import INGEST_GROUP
from data_access.models import IncidentEvent
from data_access.schema import migrate

PG_OFF = "ingest → PG, candidates off"
LIFECYCLE = ("reported", "dispatched", "in_progress", "resolved", "closed")
WINDOW = 500
CATEGORIES = ("sanitation", "traffic", "noise")
TITLES = (
    ("小区垃圾未及时清运", "路边暴露垃圾堆积", "公共厕所脏乱无人打扫", "建筑垃圾乱倒"),
    ("路面坑洼破损", "路口信号灯故障", "车辆乱停乱放堵塞通道", "路灯不亮"),
    ("夜间施工噪音扰民", "广场舞音响声音过大", "商铺外放音响扰民", "空调外机噪音"),
)


def lifecycle_entries(n: int, now: datetime) -> list[dict]:
    """n incident events: whole lifecycles, interleaved over WINDOW incidents at a time."""
    start = now - timedelta(days=3)
    incidents = -(-n // len(LIFECYCLE))
    out = []
    for first in range(0, incidents, WINDOW):
        for step, status in enumerate(LIFECYCLE):
            for i in range(first, min(first + WINDOW, incidents)):
                ts = start + timedelta(seconds=i * 5 + step * 900)
                entry = {
                    "event_id": f"E{i}-{step}",
                    "entity": "incident",
                    "id": f"INC-{i:08d}",
                    "status": status,
                    "ts": ts.isoformat(timespec="seconds"),
                }
                if status == "reported":
                    entry |= {
                        "channel": "hotline_12345",
                        "category": CATEGORIES[i % 3],
                        "town": f"T{i % 12}",
                        "grid": f"G{i % 300}",
                        "lat": f"{31.80 + (i * 7919 % 10007) / 10007 * 0.27:.6f}",
                        "lon": f"{120.10 + (i * 104729 % 10009) / 10009 * 0.32:.6f}",
                        "title": TITLES[i % 3][i // 3 % 4],
                        "reporter_phone": "13800001234",
                    }
                elif status == "dispatched":
                    entry["department"] = "D-sanitation"
                elif status == "closed":
                    entry["satisfaction"] = str(1 + i % 5)
                out.append(entry)
    return out[:n]


def xadd_all(r: redis.Redis, key: str, entries: list[dict]) -> float:
    """XADD every entry, 1,000 per round trip; return the seconds it took."""
    started = time.perf_counter()
    for chunk in range(0, len(entries), 1000):
        pipe = r.pipeline(transaction=False)
        for entry in entries[chunk : chunk + 1000]:
            pipe.xadd(key, entry)
        pipe.execute()
    return time.perf_counter() - started


def ingest_group(r: redis.Redis, stream: str) -> dict | None:
    try:
        return next((g for g in r.xinfo_groups(stream) if g["name"] == INGEST_GROUP.encode()), None)
    except redis.ResponseError:
        return None


def ingest_rate(
    r: redis.Redis, redis_url: str, db_url: str, entries: list[dict], duplicates: str = "on"
) -> tuple[float, float]:
    """(events per second one ingest process sustains from a pre-filled stream, events
    per CPU-second of that process: the rate it would reach with a core to itself)."""
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    stream = f"{prefix}events"
    xadd_all(r, stream, entries)
    env = dict(
        os.environ,
        CC_DATABASE_URL=db_url,
        CC_REDIS_URL=redis_url,
        CC_STREAM_PREFIX=prefix,
        CC_SECRET_KEY="bench",
        CC_DUPLICATE_CANDIDATES=duplicates,
        CC_DATA_DIR=tempfile.mkdtemp(prefix="cc-bench-"),
        PYTHONPATH=str(PROJECT_ROOT),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.ingest"], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        started = None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            group = ingest_group(r, stream)
            if group and started is None and group["last-delivered-id"] != b"0-0":
                started = time.perf_counter()
            if started and group["pending"] == 0 and group["entries-read"] == len(entries):
                elapsed = time.perf_counter() - started
                break
            if proc.poll() is not None:
                raise RuntimeError("ingest exited early")
            time.sleep(0.01)
        else:
            raise RuntimeError("ingest did not finish in 10 minutes")
    finally:
        proc.terminate()
        usage = os.wait4(proc.pid, 0)[2]
        keys = list(r.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            r.delete(*keys)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(IncidentEvent)).scalar()
    engine.dispose()
    if stored != len(entries):
        raise RuntimeError(f"{stored} of {len(entries)} events stored")
    return len(entries) / elapsed, len(entries) / (usage.ru_utime + usage.ru_stime)


def fresh_pg(admin_url: str) -> tuple[str, callable]:
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + "/" + name, drop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_rate", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="an admin URL: each run creates and drops its own database",
    )  # fmt: skip
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args(argv)
    r = redis.Redis.from_url(args.redis_url)
    entries = lifecycle_entries(args.events, clock.now())
    names = ("raw XADD", "ingest → SQLite", "ingest → PostgreSQL", PG_OFF)
    rates: dict[str, list[float]] = {n: [] for n in names}
    per_cpu: dict[str, list[float]] = {n: [] for n in names[1:]}
    for run in range(args.runs):
        scratch = f"bench:{uuid.uuid4().hex[:8]}:xadd"
        rates[names[0]].append(len(entries) / xadd_all(r, scratch, entries))
        r.delete(scratch)
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            migrate(url)
            rate, cpu = ingest_rate(r, args.redis_url, url, entries)
            rates[names[1]].append(rate)
            per_cpu[names[1]].append(cpu)
        for name, duplicates in ((names[2], "on"), (PG_OFF, "off")):
            url, drop = fresh_pg(args.pg_url)
            try:
                migrate(url)
                rate, cpu = ingest_rate(r, args.redis_url, url, entries, duplicates)
                rates[name].append(rate)
                per_cpu[name].append(cpu)
            finally:
                drop()
        print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in rates.items()))
    raw = statistics.median(rates[names[0]])
    load = os.getloadavg()[0]
    print(f"\n{args.events:,} events per run, median of {args.runs} runs, load average {load:.1f}")
    print(f"{'':28} {'events/s':>10} {'vs raw XADD':>12} {'per ingest CPU-s':>17}")
    for name, values in rates.items():
        median = statistics.median(values)
        cpu = f"{statistics.median(per_cpu[name]):>17,.0f}" if name in per_cpu else ""
        print(f"{name:28} {median:>10,.0f} {median / raw:>12.2f} {cpu}")
    emit("ingest", {f"{name} events/s": statistics.median(v) for name, v in rates.items()})


if __name__ == "__main__":
    main()
