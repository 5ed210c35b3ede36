"""First and repeat load of the leader page in headless Chromium against gunicorn (the
Procfile's web line) on a small seeded county: bytes transferred and time until the
page's figures are drawn, median and p95 over a few runs.

    python -m bench.first_load [--runs 5] [--period 30d] [--shots DIR]

A first visit is a fresh browser context (empty cache); the repeat visit loads the same
URL again in that context. Bytes are what went over the wire (Chromium's
encodedDataLength: headers and bodies as sent, compressed where they were), sign-in
excluded. "Figure" times count from the navigation's start to the first chart drawn
and to every chart in the first screen drawn (Dash draws the others when scrolled to).
--shots saves 1920x1080 screenshots of the page in zh for today, this month and a year
into DIR (nothing is measured then).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.result import emit
from bench.stack import running_stack
from common import clock
from common.config import PROJECT_ROOT, load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata, load_sla
from data_access.schema import migrate
from data_access.users import create_user
from demo.county import load_model
from demo.seed import seed_history
from tests.conftest import CHROMIUM_ARGS

# when the first chart and every chart in the first screen has its figure, since navigation
WATCH = """
window.__drawn = {};
const drawn = g => (g.data && g.data.length) || (g.layout && (g.layout.annotations || []).length);
new MutationObserver(() => {
  const charts = [...document.querySelectorAll('.cc-chart')].filter(
    c => c.getBoundingClientRect().top < window.innerHeight);
  const done = charts.filter(c => [...c.querySelectorAll('.js-plotly-plot')].some(drawn)).length;
  if (done && !window.__drawn.first) window.__drawn.first = performance.now();
  if (charts.length && done === charts.length && !window.__drawn.all)
    window.__drawn.all = performance.now();
}).observe(document, {subtree: true, childList: true});
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@contextlib.contextmanager
def small_county(workdir: Path, days: int, incidents: int) -> Iterator[tuple[str, str, str]]:
    """gunicorn on a SQLite county of `incidents` over `days`; yields (base URL, user,
    password)."""
    url = f"sqlite:///{workdir / 'cc.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    model = load_model(PROJECT_ROOT / "masterdata")
    tz = load_settings().tz
    seed_history(
        engine, model, load_sla(engine), tz, clock.now(), incidents, incidents // 8,
        show_progress=False, days=days,
    )  # fmt: skip
    password = secrets.token_urlsafe(16)
    create_user(engine, "bench-leader", password, "leader")
    engine.dispose()
    redis_url = load_settings().redis_url
    with running_stack(url, redis_url, f"bench{uuid.uuid4().hex[:6]}:", workdir, 0) as stack:
        yield stack["base"], "bench-leader", password


def sign_in(context, base: str, user: str, password: str) -> None:
    page = context.new_page()
    page.goto(f"{base}/auth/login?lang=zh")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/auth/login" not in u)
    page.close()


def visit(context, url: str) -> dict:
    """Load `url` in a new page of `context`: bytes over the wire and figure times."""
    page = context.new_page()
    page.add_init_script(WATCH)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes = {"bytes": 0}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__("bytes", sizes["bytes"] + e["encodedDataLength"]),
    )
    page.goto(url)
    page.wait_for_function("window.__drawn && window.__drawn.all", timeout=120_000)
    page.wait_for_load_state("networkidle")
    drawn = page.evaluate("window.__drawn")
    page.close()
    return {"bytes": sizes["bytes"], "first_ms": drawn["first"], "all_ms": drawn["all"]}


def measure(base: str, user: str, password: str, runs: int, period: str) -> dict:
    url = f"{base}/?lang=zh&period={period}"
    first, repeat = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
            sign_in(context, base, user, password)
            first.append(visit(context, url))
            repeat.append(visit(context, url))
            context.close()
        browser.close()

    def summary(visits: list[dict]) -> dict:
        out = {"bytes": int(statistics.median(v["bytes"] for v in visits))}
        for key in ("first_ms", "all_ms"):
            values = [v[key] for v in visits]
            out[key] = {
                "p50": round(statistics.median(values)),
                "p95": round(percentile(values, 0.95)),
            }
        return out

    return {"first": summary(first), "repeat": summary(repeat), "runs": runs}


def screenshots(base: str, user: str, password: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
        sign_in(context, base, user, password)
        for period in ("today", "month", "year"):
            page = context.new_page()
            page.add_init_script(WATCH)
            page.goto(f"{base}/?lang=zh&period={period}")
            page.wait_for_function("window.__drawn && window.__drawn.all", timeout=120_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(folder / f"leader_{period}.png"))
            page.screenshot(path=str(folder / f"leader_{period}_full.png"), full_page=True)
            page.locator("#leader-map").scroll_into_view_if_needed()
            page.wait_for_timeout(1500)
            page.locator("#leader-map").screenshot(path=str(folder / f"leader_{period}_map.png"))
            page.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--period", default="30d")
    parser.add_argument("--days", type=int, default=400, help="history seeded")
    parser.add_argument("--incidents", type=int, default=3000)
    parser.add_argument("--shots", type=Path, help="save screenshots here instead")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory() as tmp,
        small_county(Path(tmp), args.days, args.incidents) as (base, user, password),
    ):
        if args.shots:
            screenshots(base, user, password, args.shots)
            return 0
        figures = measure(base, user, password, args.runs, args.period)
    for visit_kind in ("first", "repeat"):
        f = figures[visit_kind]
        print(
            f"{visit_kind:6} visit: {f['bytes']:>10,} bytes; first figure p50 "
            f"{f['first_ms']['p50']} ms p95 {f['first_ms']['p95']} ms; all figures p50 "
            f"{f['all_ms']['p50']} ms p95 {f['all_ms']['p95']} ms"
        )
    emit("first_load", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
