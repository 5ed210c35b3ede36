"""Every leader/mediation page callback and JSON API answer, timed on the demo county and
at scale, cold and warm, beside the naive pandas path in the same run.

    python -m bench.scale [--databases demo-sqlite,demo-pg,1m-sqlite,5m-pg]
                          [--periods today,30d,last_quarter,year] [--runs 10] [--naive-runs 2]

Cold: the live version is bumped before every call, as an applied event does, so each
call computes its figures (data_access.figure_cache misses). Warm: the next viewers of
the same version and minute, served from Redis. Naive: bench.naive's pandas path on the
same window, median of --naive-runs; the ratio is naive p50 / cold p50.

The scale databases are built once (bench/out/*.sqlite, PostgreSQL databases next to
CC_BENCH_PG_URL's) by `python -m demo.seed` (docs/benchmarks.md has the commands); a
missing one is reported and skipped. The clock is set to just after each database's
newest report, so its history reads as live. Ends with a `RESULT {json}` line.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import redis
from sqlalchemy import create_engine, func, select, text
from werkzeug.datastructures import MultiDict

from bench import callbacks as product
from bench.result import emit
from callbacks.leader_data import window as leader_window
from common import clock
from common.clock import local_today
from common.config import PROJECT_ROOT, load_settings
from common.scope import COUNTY, using
from dashboard import api_params
from dashboard.links import View
from data_access import live
from data_access.comparisons import ahead
from data_access.db import make_engine
from data_access.models import Dispute, Incident
from demo.seed import SCALES, run

OUT = PROJECT_ROOT / "bench" / "out"
DATABASES = {
    "demo-sqlite": ("sqlite", "demo.sqlite"),
    "demo-pg": ("postgresql", "cc_bench_demo"),
    "1m-sqlite": ("sqlite", "city1m.sqlite"),
    "5m-pg": ("postgresql", "cc_bench_city"),
}
TARGET_MS = 100.0
MINUTE_CASE = "leader.render_tiles, new minute"
AHEAD_CASE = "comparisons ahead, per minute"
MINUTE_AHEAD_CASE = "leader.render_tiles, new min, ahead"


def database_url(label: str) -> str | None:
    """The database's URL, or None when it has not been built."""
    kind, name = DATABASES[label]
    if kind == "sqlite":
        path = OUT / name
        return f"sqlite:///{path}" if path.exists() else None
    admin = create_engine(product.PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        exists = found.first() is not None
    admin.dispose()
    return product.PG_ADMIN.rsplit("/", 1)[0] + "/" + name if exists else None


def demo_url(label: str) -> str:
    """The demo county's database, seeded on first use (about 4 minutes each)."""
    url = product.database_urls()[DATABASES[label][0]]
    cfg = load_settings({"CC_DATA_DIR": str(OUT)}).with_(database_url=url)
    run(cfg, *SCALES["demo"], show_progress=False)
    return url


def samples(fn: Callable[[], object], runs: int, before: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def naive_cases() -> dict[str, Callable] | None:
    try:
        from bench import naive
    except ImportError:  # pandas is a bench requirement (requirements-bench.txt)
        return None
    return naive.NAIVE


def bench_database(
    label: str, url: str, periods: list[str], runs: int, naive_runs: int, naive_periods: list[str]
) -> dict:
    from dashboard import create_app

    cfg = load_settings({"CC_DATA_DIR": str(OUT)}).with_(
        database_url=url,
        api_token="bench",
        scoped_tokens=(product.TOWN_SCOPE_TOKEN,),
        stream_prefix="bench:scale:",
        rate_limit_api=product.UNLIMITED_API,
    )
    r = redis.Redis.from_url(cfg.redis_url)
    version_key = live.keys(cfg).version

    def bump() -> None:
        r.incr(version_key)

    def new_minute() -> None:
        """A version bump in a new minute: the comparisons, shared per minute rather than
        per version (data_access.comparisons), are computed again too."""
        bump()
        stale = list(r.scan_iter(match=cfg.key("figures:compared:*"), count=1000))
        if stale:
            r.delete(*stale)

    def new_minute_ahead() -> None:
        """A new minute whose comparisons dashboard/comparisons_ahead.py computed before
        it began (outside the timing)."""
        new_minute()
        ahead(engine, cfg, at)

    engine = make_engine(url, reader=True)  # as the web tier reads
    with engine.connect() as conn:
        incidents = conn.execute(select(func.count()).select_from(Incident)).scalar_one()
        disputes = conn.execute(select(func.count()).select_from(Dispute)).scalar_one()
        newest = conn.execute(select(func.max(Incident.reported_at))).scalar_one()
        incident_id = conn.execute(select(Incident.id).limit(1)).scalar_one()
    at = newest + timedelta(minutes=1)
    clock.set_offset(at - clock.now())
    print(f"\n{label}: {incidents:,} incidents, {disputes:,} disputes; now = {at:%Y-%m-%d %H:%M}")
    print(
        f"  {'case':<30} {'period':<6} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} "
        f"{'warm p95':>9} {'naive p50':>10} {'naive/cold':>10}"
    )
    naive = naive_cases()
    client = create_app(cfg).server.test_client()
    headers = {"Authorization": "Bearer bench"}
    rows = []
    # the API's own default window (the last 30 days), for its cases without start/end
    api_default = api_params.window(MultiDict(), local_today(cfg.tz, at))
    for period in periods:
        view = View(period=period)
        period_window = leader_window(cfg, view, at)
        cases = product.page_functions(engine, cfg, view, at)
        cases |= product.api_window_function(client, headers, period_window)
        if period == periods[-1]:  # the other API answers do not depend on the period
            cases |= product.api_functions(client, headers, incident_id)
        # the tiles again, as the first request of a minute finds them without and with
        # its comparisons computed ahead, and the cost of computing them ahead (what this
        # period's tiles asked: each period starts with nothing asked)
        r.delete(cfg.key("comparisons:asked"))
        cases[MINUTE_CASE] = cases["leader.render_tiles"]
        cases[AHEAD_CASE] = lambda: ahead(engine, cfg, at)
        cases[MINUTE_AHEAD_CASE] = cases["leader.render_tiles"]
        before = {
            MINUTE_CASE: new_minute,
            AHEAD_CASE: new_minute,
            MINUTE_AHEAD_CASE: new_minute_ahead,
        }
        for name, fn in cases.items():
            fixed = name.startswith("GET") and name != product.API_WINDOW_CASE
            fn()  # connections and plans warm, as in a running server
            cold = samples(fn, runs, before.get(name, bump))
            warm = samples(fn, runs, lambda: None)
            row = {
                "case": name,
                "period": "-" if fixed else period,
                "cold_p50": statistics.median(cold),
                "cold_p95": p95(cold),
                "warm_p50": statistics.median(warm),
                "warm_p95": p95(warm),
                "naive_p50": None,
            }
            in_naive = period in naive_periods or fixed
            if naive and name in naive and naive_runs and in_naive:
                window = api_default if fixed else period_window
                timings = samples(
                    lambda n=name, w=window, f=view.filters: naive[n](engine, w, f, at, cfg.tz),
                    naive_runs,
                    lambda: None,
                )
                row["naive_p50"] = statistics.median(timings)
            rows.append(row)
            print_row(row)
    clock.set_offset(timedelta(0))
    engine.dispose()
    return {"incidents": incidents, "disputes": disputes, "rows": rows}


def print_row(row: dict) -> None:
    naive = row["naive_p50"]
    ratio = f"{naive / row['cold_p50']:>9.0f}x" if naive else f"{'-':>10}"
    naive_text = f"{naive:>10.0f}" if naive else f"{'-':>10}"
    flag = "" if row["cold_p95"] <= TARGET_MS else "  cold > 100 ms"
    print(
        f"  {row['case']:<30} {row['period']:<6} {row['cold_p50']:>9.1f} {row['cold_p95']:>9.1f} "
        f"{row['warm_p50']:>9.1f} {row['warm_p95']:>9.1f} {naive_text} {ratio}{flag}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--periods", default="today,30d,last_quarter,year")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--naive-runs", type=int, default=2)
    parser.add_argument(
        "--naive-periods",
        default="today,30d",
        help="periods the naive path runs for on the scale databases (all on the demo's);"
        " a year of 5 M incidents takes minutes a case in pandas",
    )
    args = parser.parse_args(argv)
    results = {}
    for label in args.databases.split(","):
        url = database_url(label) if not label.startswith("demo") else demo_url(label)
        if url is None:
            print(f"\n{label}: not built (docs/benchmarks.md, 'Building the scale databases')")
            continue
        naive_periods = args.periods if label.startswith("demo") else args.naive_periods
        results[label] = bench_database(
            label, url, args.periods.split(","), args.runs, args.naive_runs,
            naive_periods.split(","),
        )  # fmt: skip
    emit("scale", results)
    return 0


if __name__ == "__main__":
    with using(COUNTY):  # the benchmarks read the whole county's figures
        raise SystemExit(main())
