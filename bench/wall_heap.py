"""The wall over a long run: JS heap (after a forced GC) and web worker RSS, sampled every
minute in headless Chromium against gunicorn + ingest with the simulator sped up.

    python -m bench.wall_heap [--minutes 30] [--speed 600]

Prints one line a sample and, at the end, the first/last/max heap and the growth per
hour estimated from the second half (the first minutes include warm-up).
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--speed", type=float, default=600)
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
            [sys.executable, "-m", "worker.simulate", "--speed", str(args.speed)],
            cwd=PROJECT_ROOT, env=process_env(settings), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        browser, page = open_wall(p, stack["base"], kiosk_code(url))
        cdp = page.context.new_cdp_session(page)
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(60)
                cdp.send("HeapProfiler.collectGarbage")
                heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
                nodes = page.evaluate("document.getElementsByTagName('*').length")
                minute = (time.monotonic() - started) / 60
                worker = rss_mb(stack["web"].pid)
                samples.append((minute, heap))
                print(f"{minute:5.1f} min  heap {heap:6.2f} MB  DOM nodes {nodes:5d}  "
                      f"web RSS {worker:6.1f} MB", flush=True)  # fmt: skip
        finally:
            simulator.terminate()
            simulator.wait(30)
            browser.close()
    heaps = [h for _, h in samples]
    half = samples[len(samples) // 2 :]
    slope = (
        (half[-1][1] - half[0][1]) / max(half[-1][0] - half[0][0], 1e-9) * 60
        if len(half) > 1
        else 0
    )
    print(
        f"heap first {heaps[0]:.2f} MB, last {heaps[-1]:.2f} MB, max {max(heaps):.2f} MB, "
        f"median {statistics.median(heaps):.2f} MB; second-half trend {slope:+.2f} MB/h"
    )


if __name__ == "__main__":
    main()
