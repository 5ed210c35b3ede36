"""The wall over a long run: JS heap (after a forced GC) and web worker RSS, sampled every
minute in headless Chromium against gunicorn + ingest with the simulator sped up.

    python -m bench.wall_heap [--minutes 30] [--speed 600] [--every 60]
                              [--snapshots DIR [--warmup 3]]

Prints one line a sample and, at the end, the heap's first, last, median and max and its
least-squares slope in MB/h over the whole run and over the second half (the first
minutes include warm-up). Every sample is taken right after a forced full GC
(bench.heap_snapshot.collect_garbage), so garbage not yet collected never shows as growth.
Each sample also gives the page's elements, Chromium's DOM counters (all live nodes, text
and detached ones too; documents; JS event listeners) and the Dash renderer's undo history
and callback queues. With --snapshots, a heap snapshot is taken after `--warmup` minutes
and another at the end, both kept in DIR (early/late.heapsnapshot, for DevTools or
bench.heap_snapshot), and their diff (what grew, by constructor, and the retainer paths of
the new objects) is written to DIR/diff.txt.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import heap_snapshot
from bench.result import emit
from bench.stack import kiosk_code, open_wall, running_stack
from common.config import PROJECT_ROOT, load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.schema import migrate
from tests.servers import process_env


def rss_mb(pid: int) -> float:
    """RSS of a process and its children (gunicorn's workers), in MB."""
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid), "-p", str(pid)],
                         capture_output=True, text=True, check=False).stdout  # fmt: skip
    return sum(int(v) for v in out.split()) / 1024


# the renderer's own state that could grow: undo history, callback queues and jobs
DASH_STATE = """() => {
  const store = window.dash_stores && window.dash_stores[0];
  if (!store) { return null; }
  const state = store.getState();
  const queued = Object.entries(state.callbacks || {})
    .filter(([, list]) => Array.isArray(list) && list.length)
    .map(([name, list]) => name + " " + list.length).join(", ");
  return { past: state.history.past.length, jobs: Object.keys(state.callbackJobs || {}).length,
           queued: queued || "none", history_kb: JSON.stringify(state.history).length / 1024 };
}"""


def dom_counters(cdp) -> dict[str, float]:
    """Chromium's live DOM nodes, documents and JS event listeners. From
    Performance.getMetrics: Memory.getDOMCounters (Chromium 156) sometimes never answers,
    which stalled whole runs."""
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--speed", type=float, default=600)
    parser.add_argument("--every", type=float, default=60, help="seconds between samples")
    parser.add_argument("--snapshots", type=Path, help="keep two heap snapshots and a diff here")
    parser.add_argument("--warmup", type=float, default=3, help="minutes to the 1st snapshot")
    parser.add_argument("--redis-url", default=load_settings().redis_url)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cc-heap-"))
    url = f"sqlite:///{tmp}/heap.sqlite"
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    engine.dispose()
    prefix = f"heap{uuid.uuid4().hex[:6]}:"
    samples = []
    with running_stack(url, args.redis_url, prefix, tmp) as stack, sync_playwright() as p:
        settings = load_settings().with_(
            database_url=url, redis_url=args.redis_url, stream_prefix=prefix, data_dir=tmp
        )
        simulator = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "demo.simulate", "--speed", str(args.speed)],
            cwd=PROJECT_ROOT, env=process_env(settings), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        browser, page = open_wall(p, stack["base"], kiosk_code(url), args=heap_snapshot.GC_FLAGS)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        started = time.monotonic()
        first_snapshot = None
        try:
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(args.every)
                heap_snapshot.collect_garbage(cdp)
                heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
                dom = dom_counters(cdp)
                dash = page.evaluate(DASH_STATE) or {}
                elements = page.evaluate("document.getElementsByTagName('*').length")
                minute = (time.monotonic() - started) / 60
                worker = rss_mb(stack["web"].pid)
                samples.append((minute, heap))
                print(
                    f"{minute:5.1f} min  heap {heap:6.2f} MB  elements {elements:5d} "
                    f"(DOM nodes {dom['Nodes']:5.0f}, docs {dom['Documents']:.0f}, "
                    f"listeners {dom['JSEventListeners']:4.0f})  "
                    f"dash history {dash.get('past', '-')} ({dash.get('history_kb', 0):.0f} kB) "
                    f"callbacks: {dash.get('queued', '-')}; jobs {dash.get('jobs', '-')}  "
                    f"web RSS {worker:6.1f} MB",
                    flush=True,
                )
                if args.snapshots and first_snapshot is None and minute >= args.warmup:
                    args.snapshots.mkdir(parents=True, exist_ok=True)
                    first_snapshot = heap_snapshot.take(cdp, args.snapshots / "early.heapsnapshot")
            if args.snapshots and first_snapshot is not None:
                last = heap_snapshot.take(cdp, args.snapshots / "late.heapsnapshot")
                report = heap_snapshot.diff(first_snapshot, last)
                (args.snapshots / "diff.txt").write_text(report + "\n")
                print(report, flush=True)
        finally:
            simulator.terminate()
            simulator.wait(30)
            browser.close()
    verdict = summary(samples)
    print(
        f"heap first {verdict['first']:.2f} MB, last {verdict['last']:.2f} MB, median "
        f"{verdict['median']:.2f} MB, max {verdict['max']:.2f} MB over {samples[-1][0]:.1f} "
        f"min ({len(samples)} samples after forced GC); least-squares slope "
        f"{verdict['slope']:+.2f} MB/h over the whole run, {verdict['slope_half']:+.2f} MB/h "
        f"over the second half"
    )
    emit(
        "wall_heap",
        {"minutes": args.minutes, "JS heap first MB": verdict["first"],
         "JS heap last MB": verdict["last"], "JS heap median MB": verdict["median"],
         "JS heap max MB": verdict["max"], "JS heap MB/h (least squares)": verdict["slope"],
         "JS heap second-half MB/h (least squares)": verdict["slope_half"]},
    )  # fmt: skip


def slope_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minute, MB) samples, in MB per hour (0 under 3 samples)."""
    if len(samples) < 3:
        return 0.0
    return statistics.linear_regression(*zip(*samples, strict=True)).slope * 60


def summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    """First, last, median and max heap, and the fitted trend over all and the second half
    (the heap swings a few MB between samples, so two end points say little)."""
    heaps = [h for _, h in samples]
    return {
        "first": heaps[0], "last": heaps[-1], "median": statistics.median(heaps),
        "max": max(heaps), "slope": slope_per_hour(samples),
        "slope_half": slope_per_hour(samples[len(samples) // 2 :]),
    }  # fmt: skip


if __name__ == "__main__":
    main()
