"""Freshness of the wall: XADD to the event being in the wall page's DOM, in headless
Chromium against gunicorn + one ingest, p50/p95 over N events (default 200).

    python -m bench.wall_freshness [--events 200] [--database-url URL]

The browser records when the event's marker appears (a MutationObserver, Date.now());
the publisher records Date-compatible milliseconds just before XADD; same machine clock.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import redis
from playwright.sync_api import sync_playwright

from bench.result import emit
from bench.stack import kiosk_code, open_wall, running_stack
from common import clock
from common.config import load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.schema import migrate

OBSERVER = """
window.__seen = {};
new MutationObserver(() => {
  const text = document.getElementById('wall-ticker').innerText;
  for (const m of text.match(/FRESH-[0-9]+/g) || []) {
    if (!(m in window.__seen)) { window.__seen[m] = Date.now(); }
  }
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


def marker_event(marker: str, tz) -> dict:
    """A new incident whose town is `marker`, the text the wall's ticker shows of it."""
    ident = f"INC-{marker}-{uuid.uuid4().hex[:6]}"
    return {
        "event_id": f"{ident}-E1", "entity": "incident", "id": ident,
        "status": "reported", "ts": clock.now().astimezone(tz).isoformat(),
        "channel": "hotline_12345", "category": "sanitation", "town": marker,
    }  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(events: int, database_url: str, redis_url: str, workdir: Path) -> list[float]:
    prefix = f"bench{uuid.uuid4().hex[:6]}:"
    migrate(database_url)
    engine = make_engine(database_url)
    load_masterdata(engine, load_settings().masterdata_dir)
    engine.dispose()
    r = redis.Redis.from_url(redis_url)
    tz = load_settings().tz
    latencies = []
    with running_stack(database_url, redis_url, prefix, workdir) as stack, sync_playwright() as p:
        browser, page = open_wall(p, stack["base"], kiosk_code(database_url))
        page.evaluate(OBSERVER)
        time.sleep(3)
        for n in range(events):
            marker = f"FRESH-{n}"
            fields = marker_event(marker, tz)
            sent = time.time() * 1000
            r.xadd(f"{prefix}events", fields)
            deadline = time.monotonic() + 10
            seen = None
            while seen is None and time.monotonic() < deadline:
                seen = page.evaluate(f"window.__seen['{marker}'] || null")
                if seen is None:
                    time.sleep(0.005)
            latencies.append((seen - sent) if seen else float("inf"))
            time.sleep(0.25)
        browser.close()
    for key in r.scan_iter(match=f"{prefix}*"):
        r.delete(key)
    return latencies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=load_settings().redis_url)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cc-fresh-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/fresh.sqlite"
        latencies = measure(args.events, url, args.redis_url, Path(tmp))
    missed = sum(1 for v in latencies if v == float("inf"))
    seen = [v for v in latencies if v != float("inf")]
    print(f"wall freshness, XADD -> DOM, {len(latencies)} events ({missed} not seen in 10 s)")
    if seen:
        print(
            f"  p50 {statistics.median(seen):.0f} ms   p95 {percentile(seen, 0.95):.0f} ms   "
            f"max {max(seen):.0f} ms"
        )
        figures = {"XADD->DOM p50 ms": statistics.median(seen)}
        figures["XADD->DOM p95 ms"] = percentile(seen, 0.95)
        emit("freshness", {**figures, "events not seen in 10 s": missed})


if __name__ == "__main__":
    main()
