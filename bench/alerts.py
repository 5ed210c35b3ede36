"""Alerts on the wall, measured in headless Chromium against gunicorn + one ingest:

- yellow: an open incident's deadline passing to its row showing yellow on the wall;
- red: CC_RED_HOURS later (default 24 h; the bench's incidents are reported that late)
  to its row showing red;
- acknowledge: a duty officer's click on the alert list (/alerts, a second screen) to
  the wall's row no longer saying "unacknowledged".

    python -m bench.alerts [--samples 20] [--busy 0.5] [--render-seconds 2] [--shots DIR]

`--busy S` adds an unrelated event every S seconds meanwhile (a command centre's normal
traffic: the wall's render throttle, CC_WALL_RENDER_SECONDS, is then in play); `--shots`
saves the wall and the alert list as PNGs (1920x1080) with a few alerts of each kind.
Every time is the browser's Date.now() against the publisher's clock (same machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import redis
from playwright.sync_api import sync_playwright

from bench.result import emit
from bench.stack import kiosk_code, open_wall, running_stack
from bench.wall_freshness import percentile
from common import clock
from common.config import load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.schema import migrate
from data_access.users import create_user

RED_HOURS = 24.0  # the product's default CC_RED_HOURS, which the stack runs with
WAIT_S = 30  # a sample not seen by then counts as missed
LEAD_S = 10  # an incident is reported this long before it turns
PASSWORD = "bench password for the duty officer"

# the first instant each incident's row showed each state on the wall
OBSERVER = """
window.__alerts = {};
const note = (id, what) => {
  const key = id + '|' + what;
  if (!(key in window.__alerts)) { window.__alerts[key] = Date.now(); }
};
new MutationObserver(() => {
  for (const row of document.querySelectorAll('#wall-alerts .wall-alert')) {
    const id = row.getAttribute('title');
    for (const c of ['red', 'yellow', 'blue']) {
      if (row.classList.contains('wall-alert--' + c)) { note(id, c); }
    }
    if (!row.classList.contains('wall-alert--unacknowledged')
        && !row.classList.contains('wall-alert--blue')) { note(id, 'acknowledged'); }
  }
}).observe(document.body, {subtree: true, childList: true, attributes: true});
"""


def _reported(ident: str, deadline, tz, town: str = "Chengdong") -> dict:
    reported = min(clock.now(), deadline) - timedelta(hours=1)
    return {
        "event_id": f"{ident}-r", "entity": "incident", "id": ident, "status": "reported",
        "ts": reported.astimezone(tz).isoformat(), "channel": "hotline_12345",
        "category": "sanitation", "town": town, "deadline": deadline.astimezone(tz).isoformat(),
    }  # fmt: skip


def _closed(ident: str, tz) -> dict:
    return {
        "event_id": f"{ident}-c", "entity": "incident", "id": ident, "status": "closed",
        "ts": clock.now().astimezone(tz).isoformat(),
    }  # fmt: skip


def _seen(page, ident: str, what: str, timeout: float = WAIT_S) -> float | None:
    """When (ms) the wall first showed `ident` as `what`, waiting up to `timeout`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        at = page.evaluate(f"window.__alerts[{(ident + '|' + what)!r}] || null")
        if at is not None:
            return at
        time.sleep(0.02)
    return None


def _officer_page(browser, base: str, database_url: str):
    engine = make_engine(database_url)
    name = f"duty-{uuid.uuid4().hex[:6]}"
    create_user(engine, name, PASSWORD, "staff")
    engine.dispose()
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(f"{base}/auth/login?next=/alerts%3Fcolour%3Dred%26acknowledged%3Dfalse")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.wait_for_selector("#alerts-table", timeout=60_000)
    return page


def _click(officer, ident: str) -> float | None:
    """Click `ident`'s acknowledge button on the alert list (once its live redraw shows
    it); returns the browser's Date.now() at the click."""
    selector = f"tr[data-id='{ident}'] button"
    try:
        officer.wait_for_selector(selector, timeout=WAIT_S * 1000)
    except Exception:  # noqa: BLE001 - a sample missed, counted as such
        return None
    return officer.evaluate(
        "(s) => { const b = document.querySelector(s); const t = Date.now(); b.click(); "
        "return t; }",
        selector,
    )


def _busy(r: redis.Redis, stream: str, every: float, stop: threading.Event, tz) -> None:
    n = 0
    while not stop.wait(every):
        n += 1
        far = clock.now() + timedelta(days=30)
        r.xadd(stream, _reported(f"BUSY-{uuid.uuid4().hex[:8]}-{n}", far, tz, "Xiaying"))


def measure(args, database_url: str, workdir: Path) -> dict[str, list[float]]:
    prefix = f"bench{uuid.uuid4().hex[:6]}:"
    migrate(database_url)
    engine = make_engine(database_url)
    load_masterdata(engine, load_settings().masterdata_dir)
    engine.dispose()
    r = redis.Redis.from_url(args.redis_url)
    tz = load_settings().tz
    stream = f"{prefix}events"
    out: dict[str, list[float]] = {"yellow": [], "red": [], "acknowledge": []}
    stop = threading.Event()
    os.environ["CC_WALL_RENDER_SECONDS"] = str(args.render_seconds)  # the processes' setting
    with (
        running_stack(database_url, args.redis_url, prefix, workdir) as stack,
        sync_playwright() as p,
    ):
        browser, wall = open_wall(p, stack["base"], kiosk_code(database_url))
        officer = _officer_page(browser, stack["base"], database_url)
        wall.evaluate(OBSERVER)
        if args.busy:
            threading.Thread(
                target=_busy, args=(r, stream, args.busy, stop, tz), daemon=True
            ).start()
        if args.shots:
            _shots(r, stream, tz, wall, officer, stack["base"], Path(args.shots))
        for n in range(args.samples):
            tag = uuid.uuid4().hex[:6]
            yellow_id, red_id = f"Y-{n}-{tag}", f"R-{n}-{tag}"
            # reported a quiet spell before the turn: the wall has drawn them (blue, and
            # yellow) and measures the turn alone, not a render still in flight
            turn = clock.now() + timedelta(seconds=LEAD_S)
            r.xadd(stream, _reported(yellow_id, turn, tz))
            r.xadd(stream, _reported(red_id, turn - timedelta(hours=RED_HOURS), tz))
            turn_ms = turn.timestamp() * 1000
            for ident, what in ((yellow_id, "yellow"), (red_id, "red")):
                seen = _seen(wall, ident, what)
                out[what].append(seen - turn_ms if seen else float("inf"))
            time.sleep(args.render_seconds + 0.5)  # a quiet spell, as between two clicks
            clicked = _click(officer, red_id)
            seen = _seen(wall, red_id, "acknowledged") if clicked else None
            out["acknowledge"].append(seen - clicked if seen else float("inf"))
            r.xadd(stream, _closed(yellow_id, tz))
            r.xadd(stream, _closed(red_id, tz))
            time.sleep(1.0)
        stop.set()
        browser.close()
    for key in r.scan_iter(match=f"{prefix}*"):
        r.delete(key)
    return out


def _shots(r, stream: str, tz, wall, officer, base: str, folder: Path) -> None:
    """A few alerts of each kind, one acknowledged, then the wall and the list as PNGs."""
    folder.mkdir(parents=True, exist_ok=True)
    now = clock.now()
    deadlines = {
        "SHOT-R1": now - timedelta(hours=50), "SHOT-R2": now - timedelta(hours=30),
        "SHOT-Y1": now - timedelta(hours=5), "SHOT-Y2": now - timedelta(hours=1),
        "SHOT-B1": now + timedelta(hours=3),
    }  # fmt: skip
    for ident, deadline in deadlines.items():
        r.xadd(stream, _reported(ident, deadline, tz))
    _click(officer, "SHOT-R2")
    _seen(wall, "SHOT-R2", "acknowledged")
    _seen(wall, "SHOT-B1", "blue")
    time.sleep(2.5)
    wall.screenshot(path=str(folder / "wall-alerts.png"))
    officer.goto(f"{base}/alerts?lang=zh")
    officer.wait_for_selector("tr[data-id='SHOT-B1']", timeout=60_000)
    officer.screenshot(path=str(folder / "alerts-page.png"), full_page=True)
    officer.goto(f"{base}/alerts?colour=red&acknowledged=false")
    officer.wait_for_selector("#alerts-table", timeout=60_000)
    for ident in deadlines:
        r.xadd(stream, _closed(ident, tz))
    time.sleep(3.0)  # a quiet spell before the samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--busy", type=float, default=0.0, help="seconds between other events")
    parser.add_argument("--render-seconds", type=float, default=2.0)
    parser.add_argument("--shots", default=None, help="a folder for the PNGs")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=load_settings().redis_url)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cc-alerts-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/alerts.sqlite"
        found = measure(args, url, Path(tmp))
    busy = f"an unrelated event every {args.busy} s" if args.busy else "no other traffic"
    print(
        f"alerts on the wall, {args.samples} samples, {busy}, "
        f"CC_WALL_RENDER_SECONDS={args.render_seconds}"
    )
    figures = {}
    for name, label in (
        ("yellow", "deadline -> yellow on the wall"),
        ("red", "deadline + CC_RED_HOURS -> red on the wall"),
        ("acknowledge", "click on /alerts -> acknowledged on the wall"),
    ):
        values = found[name]
        seen = [v for v in values if v != float("inf")]
        missed = len(values) - len(seen)
        if not seen:
            print(f"  {label}: none seen in {WAIT_S} s")
            continue
        p50, p95 = statistics.median(seen), percentile(seen, 0.95)
        print(
            f"  {label}: p50 {p50:.0f} ms   p95 {p95:.0f} ms   max {max(seen):.0f} ms"
            f"   ({missed} not seen in {WAIT_S} s)"
        )
        figures |= {f"{name} p50 ms": p50, f"{name} p95 ms": p95, f"{name} missed": missed}
    emit("alerts", figures)


if __name__ == "__main__":
    main()
