"""The monthly bulletin's speed: generating a month, and opening its page, on a scale
database beside the demo county measured in the same run (issue #20 point 6).

    python -m bench.bulletin_speed [--databases demo-pg,5m-pg] [--runs 3] [--page-runs 10]

Generation is `data_access.bulletin.generate` for the last month that ended before the
database's newest report (the clock is set just after that report, so its history reads
as live), each run keeping one more generation, as an admin's "generate again" does.
The page is opened in headless Chromium against gunicorn (the Procfile's web line) by a
leader just signed in, timed in the page until the bulletin's frame has loaded (its
first table drawn), two ways: from the menu (the leader page open, from the click on
月度通报: how a leader opens it), and by its address /bulletins?month=... in a new tab,
from the navigation's start (Dash's scripts come from the browser's cache then, but are
run again).
Prints median and p95 per database and the ratio of each to the first database's
median. Ends with a `RESULT {json}` line.
"""

from __future__ import annotations

import argparse
import functools
import secrets
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import func, select

from bench.first_load import sign_in
from bench.result import emit
from bench.scale import DATABASES, database_url, demo_url, p95
from bench.stack import running_stack
from common import clock
from common.clock import local_today
from common.config import load_settings
from common.scope import COUNTY, using
from data_access.bulletin import generate, last_ended_month
from data_access.db import make_engine
from data_access.models import Incident
from data_access.users import create_user
from tests.conftest import CHROMIUM_ARGS

# when the leader clicked, and when the bulletin's frame loaded (its document parsed and
# drawn), in the page's clock: 0 is the navigation's start
WATCH = """
window.__clickAt = null;
window.__frameAt = null;
document.addEventListener('click', () => { window.__clickAt = performance.now(); }, true);
document.addEventListener('load', e => {
  if (e.target.id === 'bulletin-document') window.__frameAt = performance.now();
}, true);
"""


def _summary(samples: list[float]) -> dict:
    return {
        "p50": round(statistics.median(samples), 1),
        "p95": round(p95(samples), 1),
        "runs": len(samples),
    }


def generation(url: str, runs: int) -> tuple[str, dict]:
    """Time `runs` generations of the last ended month; (month, figures in seconds)."""
    cfg = load_settings().with_(database_url=url)
    engine = make_engine(url)
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(Incident.reported_at))).scalar_one()
    at = newest + timedelta(minutes=1)
    clock.set_offset(at - clock.now())
    month = last_ended_month(local_today(cfg.tz, at))
    samples = []
    try:
        with using(COUNTY):
            for _ in range(runs):
                started = time.perf_counter()
                generate(engine, cfg, month, "bench", clock.now())
                samples.append(time.perf_counter() - started)
    finally:
        clock.set_offset(timedelta(0))
        engine.dispose()
    return month, _summary(samples)


def page_opening(url: str, month: str, runs: int) -> dict:
    """Time `runs` openings of the month's bulletin page each way (the module's doc), each
    in a fresh browser context just signed in; figures in milliseconds."""
    password = secrets.token_urlsafe(16)
    user = f"bench-{uuid.uuid4().hex[:6]}"
    engine = make_engine(url)
    create_user(engine, user, password, "leader")
    engine.dispose()
    menu, address = [], []
    with tempfile.TemporaryDirectory() as folder:
        redis_url = load_settings().redis_url
        prefix = f"bench{uuid.uuid4().hex[:6]}:"
        stack_running = running_stack(url, redis_url, prefix, Path(folder), 0)
        with stack_running as stack, sync_playwright() as pw:
            base = stack["base"]
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                for _ in range(runs + 1):  # the first warms the server's imports and pools
                    context = browser.new_context(viewport={"width": 1920, "height": 1080})
                    context.add_init_script(WATCH)
                    sign_in(context, base, user, password)
                    page = context.new_page()
                    page.goto(f"{base}/?lang=zh")
                    page.wait_for_load_state("networkidle")
                    link = page.locator("a.cc-nav-link[href^='/bulletins']")
                    menu.append(_timed(page, link.click, "window.__clickAt"))
                    page.close()
                    page = context.new_page()
                    go = f"{base}/bulletins?month={month}&lang=zh"
                    address.append(_timed(page, functools.partial(page.goto, go), "0"))
                    context.close()
            finally:
                browser.close()
    return {"menu": _summary(menu[1:]), "address": _summary(address[1:])}


def _timed(page, start, since: str) -> float:
    """Milliseconds from `since` (in the page's clock) to the bulletin's frame loaded,
    once `start()` has opened it and its first table is there. Read in the page, so that
    the time Playwright takes to find and click the link is not counted."""
    start()
    # the frame is sandboxed (an opaque origin): read it as its own frame
    page.frame_locator("#bulletin-document").locator("table").first.wait_for(timeout=60_000)
    page.wait_for_function("window.__frameAt !== null")
    return page.evaluate(f"window.__frameAt - ({since})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bulletin_speed", description=__doc__)
    p.add_argument("--databases", default="demo-pg,5m-pg")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--page-runs", type=int, default=10)
    args = p.parse_args(argv)
    results: dict = {}
    for label in args.databases.split(","):
        if label not in DATABASES:
            p.error(f"unknown database {label!r}: one of {', '.join(DATABASES)}")
        url = demo_url(label) if label.startswith("demo") else database_url(label)
        if url is None:
            print(f"{label}: not built (docs/benchmarks.md says how); skipped")
            continue
        month, generated = generation(url, args.runs)
        opened = page_opening(url, month, args.page_runs)
        results[label] = {"month": month, "generate_s": generated, "page_ms": opened}
        print(
            f"{label} {month}: generate p50 {generated['p50']} s p95 {generated['p95']} s; "
            f"page from the menu p50 {opened['menu']['p50']} ms p95 {opened['menu']['p95']} ms,"
            f" by address p50 {opened['address']['p50']} ms p95 {opened['address']['p95']} ms"
        )
    if len(results) > 1:
        first = next(iter(results.values()))
        for label, figures in results.items():
            ratio_g = figures["generate_s"]["p50"] / first["generate_s"]["p50"]
            ratio_p = figures["page_ms"]["menu"]["p50"] / first["page_ms"]["menu"]["p50"]
            print(f"{label}: generation x{ratio_g:.1f}, page (menu) x{ratio_p:.1f} of the first")
    emit("bulletin_speed", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
