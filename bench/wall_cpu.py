"""CPU per request kind of one web worker serving a wall, measured in-process (the Flask
test client, no HTTP), as thread CPU time, so other load on the machine barely moves it.

    python -m bench.wall_cpu [--repeat 300] [--profile KIND]

A kiosk pairs, then each kind is asked `--repeat` times: the page and its Dash requests,
a static asset, the session ping, the SSE stream's first message, render_wall served from
the shared store (first render and patch) and render_wall built anew (a new trigger
each time). Printed: CPU microseconds per request, p50 and mean; with --profile, cProfile's
top functions for that kind. What this leaves out is gunicorn's own HTTP work per request
(bench.wall_load's workers' CPU per request includes it).
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import redis

from bench.stack import kiosk_code
from common.config import PROJECT_ROOT, Settings
from dashboard import create_app
from dashboard.ids import wall as ids
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.schema import migrate
from worker.live_state import LiveState

REDIS_URL = "redis://127.0.0.1:6379/14"
OUTPUTS = (
    (ids.RENDERED, "data"), (ids.ERROR, "data"), (ids.AS_OF, "children"),
    (ids.TILES, "children"), (ids.BACKLOG, "children"), (ids.MAP, "figure"),
    (ids.MAP_LABEL, "children"), (ids.TREND, "figure"), (ids.RANKING, "children"),
    (ids.ALERTS, "children"),
)  # fmt: skip
HEADERS = {"Origin": "http://localhost", "Accept-Encoding": "gzip, deflate, br"}


def render_body(trigger: str, rendered) -> dict:
    """render_wall's request as Dash's renderer sends it."""
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in OUTPUTS],
        "inputs": [{"id": ids.TRIGGER, "property": "data", "value": trigger}],
        "changedPropIds": [f"{ids.TRIGGER}.data"],
        "state": [
            {"id": ids.LANG, "property": "data", "value": "en"},
            {"id": ids.RENDERED, "property": "data", "value": rendered},
            {"id": ids.SCREEN, "property": "data", "value": 1080},
        ],
    }


def prepare(tmp: Path, incidents: int) -> Settings:
    url = f"sqlite:///{tmp}/cpu.sqlite"
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "demo.seed", "--database-url", url, "--incidents",
         str(incidents), "--disputes", str(incidents // 15)],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )  # fmt: skip
    cfg = Settings(
        database_url=url, redis_url=REDIS_URL, stream_prefix=f"cpu{uuid.uuid4().hex[:6]}:",
        secret_key="bench-secret", data_dir=tmp,
    )  # fmt: skip
    LiveState(redis.Redis.from_url(REDIS_URL), cfg).rebuild(engine, cfg.tz)
    engine.dispose()
    return cfg


def kinds(client, static: str) -> dict[str, Callable[[], object]]:
    """One request of each kind, as a wall sends it; render (build) asks a new trigger."""
    counter = itertools.count()

    def sse():
        response = client.get("/live/stream?lang=en", headers=HEADERS, buffered=False)
        chunks = iter(response.response)
        next(chunks), next(chunks)  # retry: ..., then the first message
        response.close()

    def post(body: dict):
        return client.post("/_dash-update-component", json=body, headers=HEADERS)

    return {
        "page": lambda: client.get("/wall?lang=en", headers=HEADERS),
        "_dash-layout": lambda: client.get("/_dash-layout", headers=HEADERS),
        "_dash-dependencies": lambda: client.get("/_dash-dependencies", headers=HEADERS),
        "static": lambda: client.get(static, headers=HEADERS),
        "ping": lambda: client.get("/auth/ping", headers=HEADERS),
        "sse first message": sse,
        "render (first, stored)": lambda: post(render_body("1:1", False)),
        "render (patch, stored)": lambda: post(render_body("1:1", "0:1")),
        "render (patch, built)": lambda: post(render_body(f"b{next(counter)}:1", "0:1")),
    }


def measure(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm: imports, first renders, the store
    spent = []
    for _ in range(repeat):
        started = time.thread_time()
        call()
        spent.append((time.thread_time() - started) * 1e6)
    return spent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--incidents", type=int, default=5_000)
    parser.add_argument("--profile", help="a kind to run under cProfile")
    args = parser.parse_args(argv)
    cfg = prepare(Path(tempfile.mkdtemp(prefix="cc-cpu-")), args.incidents)
    app = create_app(cfg)
    client = app.server.test_client()
    code = kiosk_code(cfg.database_url, "cpu")
    client.post("/kiosk/pair", data={"code": code}, headers=HEADERS)
    with app.server.test_request_context("/"):
        app._setup_server()  # noqa: SLF001 - as dashboard/wsgi.py does
    static = "/assets/wall.js"
    calls = kinds(client, static)
    print(f"{'kind':<24} {'n':>5} {'CPU p50 us':>11} {'mean us':>9}")
    for kind, call in calls.items():
        if args.profile and kind != args.profile:
            continue
        spent = measure(call, 20 if "built" in kind else args.repeat)
        print(f"{kind:<24} {len(spent):>5} {statistics.median(spent):>11,.0f} "
              f"{statistics.mean(spent):>9,.0f}")  # fmt: skip
        if args.profile:
            profiler = cProfile.Profile(time.thread_time)
            profiler.runcall(lambda call=call: [call() for _ in range(args.repeat)])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    keys = redis.Redis.from_url(REDIS_URL)
    for key in keys.scan_iter(match=f"{cfg.stream_prefix}*"):
        keys.delete(key)


if __name__ == "__main__":
    main()
