"""Time to the first row of the overdue view (/incidents?view=overdue) in headless
Chromium against gunicorn on a small seeded county, median and p95 over a few runs.

    python -m bench.list_first_row [--runs 7] [--burners 2] [--overdue 200] [--shots DIR]

Each run is a fresh browser context (empty cache) of a signed-in staff member. Times count
from the navigation's start: `grid_ms` until the grid is on the page, `loading_ms` until
the page says it is loading (or shows rows), `first_row_ms` until the first row carries a
case id. `--burners N` keeps N processes spinning on the CPU beside it (the "under load"
of issue 15), stopped when the measurement ends. `--shots DIR` saves 1920x1080 screenshots
of the overdue view in zh and en into DIR (nothing is measured then).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.first_load import percentile, sign_in, small_county
from bench.result import emit
from common import clock
from data_access.db import make_engine
from data_access.users import create_user
from tests.conftest import CHROMIUM_ARGS
from tests.factories import TZ, apply_entries, reported

# since navigation (polled every 10 ms): the grid on the page, a loading note (or rows),
# the first row with a case id
WATCH = """
window.__seen = {};
const mark = (k) => { if (!window.__seen[k]) window.__seen[k] = performance.now(); };
const watch = setInterval(() => {
  if (document.querySelector('#incidents-grid .ag-root')) mark('grid');
  if (document.querySelector('.cc-list-loading:not([hidden]), #incidents-grid .ag-row'))
    mark('loading');
  const cells = document.querySelectorAll('#incidents-grid .ag-row [col-id="id"]');
  if ([...cells].some((c) => c.textContent.trim())) { mark('row'); clearInterval(watch); }
}, 10);
"""
KEYS = {"grid_ms": "grid", "loading_ms": "loading", "first_row_ms": "row"}


@contextlib.contextmanager
def burning(n: int) -> Iterator[None]:
    """`n` processes spinning on the CPU for as long as the block runs."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)


def add_overdue(engine, n: int) -> None:
    """`n` open incidents overdue by 1 to 30 days, so the view has rows whatever the
    seeded history's backlog is at the moment (a small county may have none)."""
    now = clock.now().astimezone(TZ)
    entries = [
        reported(
            f"INC-BENCH-{i:04d}",
            (now - timedelta(days=2 + i % 30)).isoformat(),
            town="Chengdong",
            deadline=(now - timedelta(days=1 + i % 30)).isoformat(),
        )
        for i in range(n)
    ]
    apply_entries(engine, entries, clock.now())


def visit(context, url: str) -> dict:
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto(url)
    page.wait_for_function("window.__seen && window.__seen.row", timeout=120_000)
    seen = page.evaluate("window.__seen")
    page.close()
    return {key: seen.get(mark) for key, mark in KEYS.items()}


def measure(base: str, user: str, password: str, runs: int, lang: str) -> dict:
    url = f"{base}/incidents?view=overdue&lang={lang}"
    visits = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
            sign_in(context, base, user, password)
            visits.append(visit(context, url))
            context.close()
        browser.close()
    out = {"runs": runs}
    for key in KEYS:
        values = [v[key] for v in visits if v[key] is not None]
        out[key] = {
            "p50": round(statistics.median(values)) if values else None,
            "p95": round(percentile(values, 0.95)) if values else None,
        }
    return out


def screenshots(base: str, user: str, password: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
        sign_in(context, base, user, password)
        for lang in ("zh", "en"):
            page = context.new_page()
            page.goto(f"{base}/incidents?view=overdue&lang={lang}")
            page.locator('#incidents-grid .ag-row [col-id="id"]:not(:empty)').first.wait_for(
                timeout=120_000
            )
            page.wait_for_timeout(1000)
            page.screenshot(path=str(folder / f"incidents-overdue-{lang}.png"))
            page.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--burners", type=int, default=0, help="CPU burners beside it")
    parser.add_argument("--days", type=int, default=400, help="history seeded")
    parser.add_argument("--incidents", type=int, default=3000)
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--overdue", type=int, default=200, help="overdue incidents added")
    parser.add_argument("--shots", type=Path, help="save screenshots here instead")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory() as tmp,
        small_county(Path(tmp), args.days, args.incidents) as (base, _leader, _password),
    ):
        password = secrets.token_urlsafe(16)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'cc.sqlite'}")
        create_user(engine, "bench-staff", password, "staff")
        add_overdue(engine, args.overdue)
        engine.dispose()
        if args.shots:
            screenshots(base, "bench-staff", password, args.shots)
            return 0
        with burning(args.burners):
            figures = measure(base, "bench-staff", password, args.runs, args.lang)
    print(
        "overdue view, "
        + "; ".join(f"{k} p50 {figures[k]['p50']} p95 {figures[k]['p95']}" for k in KEYS)
        + f" ({args.runs} runs, {args.burners} burners)"
    )
    emit("list_first_row", {**figures, "burners": args.burners})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
