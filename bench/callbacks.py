"""Time each leader and mediation page callback's data function and each JSON API
endpoint on the seeded demo county, on SQLite and on PostgreSQL.

    python -m bench.callbacks [--runs N] [--periods today,30d,year] [--only sqlite|postgresql]

The demo county (python -m demo.seed's default volumes) is seeded once into
bench/out/demo.sqlite and the PostgreSQL database `cc_bench_demo` (next to
CC_BENCH_PG_URL's database, default postgres@127.0.0.1:5432/test) and kept between runs.
The clock is set to just after the newest report, so the seeded history reads as live
however old the cache is. Prints p50/p95 in milliseconds per function and period.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select, text

from callbacks import leader_data, mediation_data
from common import clock
from common.config import PROJECT_ROOT, load_settings
from common.scope import COUNTY, Scope, using
from dashboard.links import View
from data_access.db import make_engine
from data_access.models import Incident
from demo.seed import SCALES, run

OUT = PROJECT_ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("CC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_NAME = "cc_bench_demo"
TARGET_MS = 100.0
API_TOWNS = ("Chengdong", "Chengbei")  # GET /api/v1/kpis?town=..'s filter
# The same towns as a caller's scope (CONTRACT 2): a CC_SCOPED_TOKENS token, so the
# town-scoped answer is timed beside the town-filtered one.
TOWN_SCOPE_TOKEN = ("bench-town", Scope("town", tuple(sorted(API_TOWNS))))
# A benchmark is one caller asking far faster than any person or system may: it is timed,
# not rate-limited (CC_RATE_LIMIT_API).
UNLIMITED_API = "1000000/second"


def database_urls() -> dict[str, str]:
    OUT.mkdir(parents=True, exist_ok=True)
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_NAME})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
    admin.dispose()
    return {
        "sqlite": f"sqlite:///{OUT / 'demo.sqlite'}",
        "postgresql": PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_NAME,
    }


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(p50, p95) in ms over `runs` calls after one warm-up call."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[18] if runs > 1 else samples[0]
    return statistics.median(samples), p95


def page_functions(engine, cfg, view: View, at) -> dict[str, Callable[[], object]]:
    """Each page callback's data, as the callback reads it (callbacks/*_data.py)."""
    units = {"town": (), "department": ()}
    return {
        "leader.render_tiles": lambda: leader_data.tiles_data(engine, cfg, view, at),
        "leader.render_daily": lambda: leader_data.daily_data(engine, cfg, view, at),
        "leader.render_rankings": lambda: leader_data.ranking_data(
            engine, cfg, view, at, "closure", units
        ),
        "leader.render_mix": lambda: leader_data.mix_data(engine, cfg, view, at),
        "leader.render_heatmap": lambda: leader_data.heatmap_data(engine, cfg, view, at),
        "leader.render_matrix": lambda: leader_data.matrix_data(engine, cfg, view, at),
        "leader.render_map": lambda: leader_data.map_data(engine, cfg, view, at),
        "mediation.render_tiles": lambda: mediation_data.tiles_data(engine, cfg, view, at),
        "mediation.render_flow": lambda: (
            mediation_data.flow_data(engine, cfg, view, at),
            mediation_data.durations_data(engine, cfg, view, at),
        ),
        "mediation.render_trend": lambda: mediation_data.trend_data(engine, cfg, view, at),
        "mediation.render_breakdowns": lambda: mediation_data.breakdowns_data(
            engine, cfg, view, at
        ),
    }


API_WINDOW_CASE = "GET /api/v1/kpis?start&end"  # the page's period, as another system asks


def _getter(client, headers: dict) -> Callable[[str], Callable[[], object]]:
    def get(url: str) -> Callable[[], object]:
        def call():
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)

        return call

    return get


def api_window_function(client, headers: dict, window) -> dict[str, Callable[[], object]]:
    """GET /api/v1/kpis for an explicit window (the default is the last 30 days)."""
    query = urlencode({"start": window.start.isoformat(), "end": window.end.isoformat()})
    return {API_WINDOW_CASE: _getter(client, headers)("/api/v1/kpis?" + query)}


def api_functions(client, headers: dict, incident_id: str) -> dict[str, Callable[[], object]]:
    get = _getter(client, headers)
    return {
        "GET /api/v1/kpis": get("/api/v1/kpis"),
        "GET /api/v1/kpis?town=..": get("/api/v1/kpis?" + urlencode({"town": API_TOWNS}, True)),
        "GET /api/v1/kpis town scope": _getter(
            client, {"Authorization": f"Bearer {TOWN_SCOPE_TOKEN[0]}"}
        )("/api/v1/kpis"),
        "GET /api/v1/overdue": get("/api/v1/overdue"),
        "GET /api/v1/incidents/<id>": get(f"/api/v1/incidents/{incident_id}"),
        "GET /api/v1/openapi.json": get("/api/v1/openapi.json"),
    }


def report(name: str, period: str, p50: float, p95: float) -> None:
    flag = "" if p95 < TARGET_MS else "  > target"
    print(f"  {name:<30} {period:<6} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms{flag}", flush=True)


def bench_database(kind: str, url: str, periods: list[str], runs: int) -> None:
    from dashboard import create_app

    cfg = load_settings({"CC_DATA_DIR": str(OUT)}).with_(
        database_url=url,
        api_token="bench",
        rate_limit_api=UNLIMITED_API,
        scoped_tokens=(TOWN_SCOPE_TOKEN,),
    )
    seeded = run(cfg, *SCALES["demo"], show_progress=False)
    if not seeded.skipped:
        print(f"{kind}: seeded {seeded.incidents:,} incidents in {seeded.seconds:.0f} s")
    engine = make_engine(url, reader=True)  # as the web tier reads
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(Incident.reported_at))).scalar_one()
        incident_id = conn.execute(select(Incident.id).limit(1)).scalar_one()
    at = newest + timedelta(minutes=1)
    clock.set_offset(at - clock.now())
    print(f"\n{kind} ({url.split('/')[-1]}), now = {at.isoformat(timespec='minutes')}")
    for period in periods:
        view = View(period=period)
        for name, fn in page_functions(engine, cfg, view, at).items():
            report(name, period, *timed(fn, runs))
    client = create_app(cfg).server.test_client()
    headers = {"Authorization": "Bearer bench"}
    for name, fn in api_functions(client, headers, incident_id).items():
        report(name, "-", *timed(fn, runs))
    clock.set_offset(timedelta(0))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--periods", default="today,30d,year")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    for kind, url in database_urls().items():
        if args.only in (None, kind):
            bench_database(kind, url, args.periods.split(","), args.runs)
    return 0


if __name__ == "__main__":
    with using(COUNTY):  # the benchmarks read the whole county's figures
        raise SystemExit(main())
