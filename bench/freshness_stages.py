"""Where the wall's freshness goes: XADD to the event painted on the wall, stage by stage.

    python -m bench.freshness_stages [--events 100] [--pause-ms 250] [--database-url URL]

The wall (gunicorn, the Procfile's web line) in headless Chromium and one ingest
(bench/timed_ingest.py: the product's Ingest with a clock on each batch), on a fresh
SQLite county unless --database-url. Each event is added alone, after the previous one
was painted and --pause-ms, like bench/wall_freshness.py. Stamps, all on this machine's
clock in ms:

  xadd       the bench, just before XADD
  read       ingest: XREADGROUP handed the batch over (the batch wait)
  committed  ingest: the batch's SQL transaction committed (apply + commit)
  published  ingest: live state and XACK written, the version bump published
  built      web: the SSE message built, its `at` (live hub's wake-up, pulse, ticker)
  received   browser: EventSource message event (SSE write and the browser's hop)
  handed     browser: assets/live.js hands it to Dash (its 250 ms coalescing), or the
             DOM's time if the wall's 1 s tick drew the ticker first
  dom        browser: the event's text in the ticker's DOM (Dash's callback round)
  painted    browser: the next frame after that (requestAnimationFrame, then a task)

Beside them: the page's main-thread CPU per second (Performance.getMetrics' ThreadTime),
layouts and style recalculations, idle (--idle-seconds, no events) and during the events;
per event: how long the page's main thread was busy in long tasks (>= 50
ms, PerformanceObserver) between XADD and DOM, and whether a wall render's answer (the
panels' Dash callback, `_dash-update-component`) landed meanwhile.

Prints each stage's p50 / p95 / max, XADD to DOM and to painted, the raw XADD rate of
the same Redis measured before and after the events (bench.ingest_rate's pipelined
XADD), and the load average at start and end, so a machine's speed and load stand beside
its figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.ingest_rate import lifecycle_entries, xadd_all
from bench.result import emit
from bench.stack import kiosk_code, open_wall, running_stack
from bench.wall_freshness import marker_event
from common import clock
from common.config import PROJECT_ROOT, Settings, load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.schema import migrate
from tests.servers import process_env

STAGES = {
    "batch wait (XADD -> read)": ("xadd", "read"),
    "apply + commit": ("read", "committed"),
    "live state, XACK, bump": ("committed", "published"),
    "hub + message (publish -> built)": ("published", "built"),
    "SSE hop (built -> received)": ("built", "received"),
    "live.js coalescing (received -> handed)": ("received", "handed"),
    "Dash round (handed -> DOM)": ("handed", "dom"),
    "paint (DOM -> next frame)": ("dom", "painted"),
}
TOTALS = {"XADD -> DOM": ("xadd", "dom"), "XADD -> painted": ("xadd", "painted")}
RAW_XADD_EVENTS = 50_000

# Before any page script: every SSE message's arrival and the first DOM appearance of
# each marker, then the next frame.
PROBE = """
window.__fs = {messages: [], handed: [], dom: {}, painted: {}, long: [], renders: []};
(function () {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      window.__fs.long.push([performance.timeOrigin + e.startTime, e.duration]);
    });
  }).observe({entryTypes: ['longtask']});
  var nativeFetch = window.fetch;
  window.fetch = function (url) {
    var started = Date.now(), answer = nativeFetch.apply(this, arguments);
    if (String(url).indexOf('_dash-update-component') >= 0) {
      answer.then(function () { window.__fs.renders.push([started, Date.now()]); });
    }
    return answer;
  };
  var Native = window.EventSource;
  function Probed(url, options) {
    var source = new Native(url, options);
    source.addEventListener('message', function (event) {
      var t = Date.now(), data = {};
      try { data = JSON.parse(event.data); } catch (e) { return; }
      window.__fs.messages.push({t: t, at: data.at * 1000, version: data.version,
        markers: JSON.stringify(data.ticker || []).match(/FRESH-[0-9]+/g) || []});
    });
    return source;
  }
  Probed.prototype = Native.prototype;
  window.EventSource = Probed;
  function look() {
    var ticker = document.getElementById('wall-ticker');
    // textContent, not innerText: no layout forced on every mutation of the page
    var found = ticker ? ticker.textContent.match(/FRESH-[0-9]+/g) || [] : [];
    found.forEach(function (m) {
      if (m in window.__fs.dom) { return; }
      window.__fs.dom[m] = Date.now();
      performance.mark('dom:' + m);
      requestAnimationFrame(function () {
        setTimeout(function () { window.__fs.painted[m] = Date.now(); }, 0);
      });
    });
  }
  new MutationObserver(look).observe(document, {subtree: true, childList: true,
                                                characterData: true});
})();
"""

# After load: each hand-over of a live message to Dash (assets/live.js's push()).
HANDED = """
(function () {
  var ns = window.dash_clientside, native = ns.set_props;
  ns.set_props = function (id, props) {
    if (id === 'live-status' && props && props.data && props.data.version !== undefined) {
      window.__fs.handed.push({t: Date.now(), version: props.data.version});
    }
    return native.apply(this, arguments);
  };
})();
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def raw_xadd_rate(r: redis.Redis, prefix: str) -> float:
    """Events a second of pipelined XADD (1,000 a round trip), as bench.ingest_rate."""
    key = f"{prefix}rawxadd"
    entries = lifecycle_entries(RAW_XADD_EVENTS, clock.now())
    rate = len(entries) / xadd_all(r, key, entries)
    r.delete(key)
    return rate


def timeline(xadds: dict, batches: list[dict], browser: dict) -> dict[str, dict]:
    """Every marker's stamps, from the three sides' records."""
    stamps = {m: {"xadd": t} for m, t in xadds.items()}
    for batch in batches:
        for m in batch["markers"]:
            if m in stamps:
                stamps[m].update({k: batch[k] for k in ("read", "committed", "published")})
    for message in browser["messages"]:
        for m in message["markers"]:
            if m in stamps and "received" not in stamps[m]:
                stamps[m].update(built=message["at"], received=message["t"])
                version = message["version"]
                handed = [
                    h["t"]
                    for h in browser["handed"]
                    if h["version"] >= version and h["t"] >= message["t"]
                ]
                if handed:
                    stamps[m]["handed"] = min(handed)
    for name in ("dom", "painted"):
        for m, t in browser[name].items():
            if m in stamps:
                stamps[m][name] = t
    for s in stamps.values():
        if "dom" in s and "handed" in s:  # the wall's 1 s tick may draw it before
            s["handed"] = min(s["handed"], s["dom"])
        if "dom" in s:  # the page's main thread busy in tasks >= 50 ms meanwhile
            s["long tasks"] = sum(
                max(0.0, min(s["dom"], start + length) - max(s["xadd"], start))
                for start, length in browser["long"]
            )
            s["render landed"] = any(s["xadd"] <= end <= s["dom"] for _, end in browser["renders"])
    return stamps


def measure(args: argparse.Namespace, url: str, workdir: Path) -> dict:
    prefix = f"bench{uuid.uuid4().hex[:6]}:"
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, load_settings().masterdata_dir)
    engine.dispose()
    r = redis.Redis.from_url(args.redis_url)
    tz = load_settings().tz
    out = workdir / "ingest-stages.jsonl"
    settings = Settings(
        database_url=url, redis_url=args.redis_url, stream_prefix=prefix,
        secret_key="bench-secret", data_dir=workdir,
    )  # fmt: skip
    load = [loadavg()]
    rates = [raw_xadd_rate(r, prefix)]
    ingest = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.timed_ingest", str(out)],
        cwd=PROJECT_ROOT, env=process_env(settings),
        stdout=open(workdir / "ingest.log", "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    try:
        with (
            running_stack(url, args.redis_url, prefix, workdir, ingests=0) as stack,
            sync_playwright() as p,
        ):
            env = _browser_env(workdir)
            browser, page = open_wall(p, stack["base"], kiosk_code(url), init_script=PROBE, env=env)
            page.evaluate(HANDED)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.wait_for_function("window.__fs.renders.length > 0", timeout=60_000)
            time.sleep(3)  # the first render drawn: the idle page from here
            metrics = [_metrics(cdp)]
            time.sleep(args.idle_seconds)
            metrics.append(_metrics(cdp))
            xadds = add_events(page, r, f"{prefix}events", tz, args)
            metrics.append(_metrics(cdp))
            seen = page.evaluate("window.__fs")
            browser.close()
    finally:
        ingest.terminate()
        ingest.wait(30)
    rates.append(raw_xadd_rate(r, prefix))
    load.append(loadavg())
    for key in r.scan_iter(match=f"{prefix}*"):
        r.delete(key)
    batches = [json.loads(line) for line in out.read_text().splitlines() if line]
    page_cost = {"idle": _cost(*metrics[:2]), "events": _cost(*metrics[1:])}
    return {"stamps": timeline(xadds, batches, seen), "rates": rates, "load": load,
            "page": page_cost}  # fmt: skip


def _metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def _cost(before: dict, after: dict) -> dict:
    """The page's main thread over an interval, per second: CPU ms (ThreadTime, which
    load on the machine barely moves), layouts and style recalculations."""
    span = after["Timestamp"] - before["Timestamp"]
    return {
        "cpu ms/s": (after["ThreadTime"] - before["ThreadTime"]) * 1000 / span,
        "layouts/s": (after["LayoutCount"] - before["LayoutCount"]) / span,
        "style recalcs/s": (after["RecalcStyleCount"] - before["RecalcStyleCount"]) / span,
    }


def add_events(page, r: redis.Redis, stream: str, tz, args: argparse.Namespace) -> dict:
    """Add the events one at a time, each after the previous one was painted (or 10 s)
    and --pause-ms; return each marker's XADD time."""
    xadds: dict[str, float] = {}
    for n in range(args.events):
        marker = f"FRESH-{n}"
        fields = marker_event(marker, tz)
        xadds[marker] = time.time() * 1000
        r.xadd(stream, fields)
        with contextlib.suppress(PlaywrightError):  # not seen in 10 s: missed
            page.wait_for_function(f"window.__fs.painted['{marker}']", polling=20, timeout=10_000)
        time.sleep(args.pause_ms / 1000)
    return xadds


def _browser_env(workdir: Path) -> dict:
    home = workdir / "chromium-home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "TMPDIR": str(home)}


def summary(stamps: dict[str, dict]) -> dict[str, tuple[float, float, float, int]]:
    """Per stage and total: (p50, p95, max, how many events had both stamps)."""
    rows = {}
    for name, (a, b) in {**STAGES, **TOTALS}.items():
        values = [s[b] - s[a] for s in stamps.values() if a in s and b in s]
        if values:
            rows[name] = (
                statistics.median(values),
                percentile(values, 0.95),
                max(values),
                len(values),
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--pause-ms", type=int, default=250, help="after each event painted")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="page cost, no events")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=load_settings().redis_url)
    parser.add_argument("--json", type=Path, default=None, help="also write every stamp here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cc-stages-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/fresh.sqlite"
        result = measure(args, url, Path(tmp))
    stamps = result["stamps"]
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    missed = sum(1 for s in stamps.values() if "dom" not in s)
    rate = statistics.median(result["rates"])
    print(
        f"wall freshness by stage, {len(stamps)} events ({missed} not seen in 10 s); "
        f"raw XADD {rate:,.0f} events/s ({', '.join(f'{x:,.0f}' for x in result['rates'])}); "
        f"load average {result['load'][0]} -> {result['load'][1]}"
    )
    print(f"  {'stage':42} {'p50':>8} {'p95':>8} {'max':>8}   n")
    rows = summary(stamps)
    for name, (p50, p95, top, n) in rows.items():
        print(f"  {name:42} {p50:8.1f} {p95:8.1f} {top:8.1f} {n:4d}")
    busy = [s["long tasks"] for s in stamps.values() if "long tasks" in s]
    if busy:
        print(
            f"  {'(page busy in long tasks, XADD -> DOM)':42} {statistics.median(busy):8.1f} "
            f"{percentile(busy, 0.95):8.1f} {max(busy):8.1f} {len(busy):4d}"
        )
    for name, cost in result["page"].items():
        print(
            f"  page main thread, {name}: {cost['cpu ms/s']:.0f} ms CPU/s, "
            f"{cost['layouts/s']:.1f} layouts/s, {cost['style recalcs/s']:.1f} style recalcs/s"
        )
    for landed in (True, False):
        late = [s["dom"] - s["xadd"] for s in stamps.values() if s.get("render landed") is landed]
        if late:
            print(
                f"  XADD -> DOM, {'a' if landed else 'no'} wall render answer landing meanwhile: "
                f"{len(late)} events, p50 {statistics.median(late):.0f} ms, "
                f"p95 {percentile(late, 0.95):.0f} ms"
            )
    figures: dict = {
        f"{k} {q} ms": v[i] for k, v in rows.items() for i, q in ((0, "p50"), (1, "p95"))
    }
    figures |= {"raw XADD events/s": rate, "events not seen in 10 s": missed}
    figures |= {f"page {k} {q}": v for k, c in result["page"].items() for q, v in c.items()}
    figures |= {"load average start": result["load"][0], "load average end": result["load"][1]}
    emit("freshness_stages", figures)


if __name__ == "__main__":
    main()
