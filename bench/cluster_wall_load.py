"""Walls across hosts: N wall clients through HAProxy, split over the cluster's two web
hosts, its two ingest hosts applying the simulator's stream, for M minutes; errors,
server-side latency (both hosts' access logs), and freshness (XADD to the DOM of a real
wall in headless Chromium, through HAProxy) measured meanwhile.

    python -m bench.cluster_wall_load [--clients 400] [--minutes 5] [--speed 600]

Needs the cluster up (deploy/cluster/up). The web hosts are restarted with an access log
in bench.wall_load's format, and restarted as the Procfile has them at the end."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shlex
import statistics
import threading
import time
import uuid
from datetime import timedelta

import redis
from playwright.sync_api import sync_playwright

from bench.stack import open_wall
from bench.wall_capture import capture
from bench.wall_freshness import OBSERVER, percentile
from bench.wall_load import ACCESS_FORMAT, load, report, server_latency
from common import clock
from data_access.db import make_engine
from data_access.users import create_kiosk
from deploy.cluster import roles, services
from deploy.cluster.__main__ import wait_health
from deploy.cluster.drills.probes import forget_failed_pairings, sentinel_primary
from deploy.cluster.topology import (
    LB,
    LB_URL,
    PRIMARY_URL,
    PRODUCER,
    REDIS_PORT,
    RUN_DIR,
    WEB_HOSTS,
    WEB_PORT,
)
from tests.conftest import CHROMIUM_ARGS


def let_chromium_reach(ip: str) -> None:
    """Chromium's flags (tests.conftest.CHROMIUM_ARGS, read by bench.wall_capture and
    bench.stack) resolve no host but localhost; the cluster's HAProxy is an address too."""
    for n, arg in enumerate(CHROMIUM_ARGS):
        if arg.startswith("--host-resolver-rules=") and ip not in arg:
            CHROMIUM_ARGS[n] = f"{arg} , EXCLUDE {ip}"


def kiosk_codes(n: int) -> list[str]:
    engine = make_engine(PRIMARY_URL)
    try:
        return [create_kiosk(engine, f"load-{i}", "bench", timedelta(hours=2))[1] for i in range(n)]
    finally:
        engine.dispose()


def restart_web(access_logs: bool) -> None:
    for host in WEB_HOSTS:
        services.stop(f"web-{host.name}")
        log = RUN_DIR / "logs" / f"access-{host.name}.log"
        args = f"--access-logfile {log} --access-logformat {shlex.quote(ACCESS_FORMAT)}"
        roles.product(host, "web", env={"GUNICORN_CMD_ARGS": args} if access_logs else None)
    for host in WEB_HOSTS:
        wait_health(f"http://{host.ip}:{WEB_PORT}")


def freshness(ready: threading.Event, stop: threading.Event, latencies: list[float]) -> None:
    """A real wall through HAProxy, opened before the load starts (`ready` then set); one
    marked event a second XADDed to the primary the Sentinels name; each one's XADD to
    DOM time."""
    with sync_playwright() as p:
        try:
            browser, page = open_wall(p, LB_URL, kiosk_codes(1)[0])
            page.evaluate(OBSERVER)
        finally:
            ready.set()
        tz = clock.now().astimezone().tzinfo
        n = 0
        while not stop.is_set():
            marker = f"FRESH-{n}"
            ident = f"INC-{marker}-{uuid.uuid4().hex[:6]}"
            r = redis.Redis(sentinel_primary(), REDIS_PORT, socket_timeout=5)
            sent = time.time() * 1000
            r.xadd("cc:events", {
                "event_id": f"{ident}-E1", "entity": "incident", "id": ident,
                "status": "reported", "ts": clock.now().astimezone(tz).isoformat(),
                "channel": "hotline_12345", "category": "sanitation", "town": marker,
            })  # fmt: skip
            deadline, seen = time.monotonic() + 10, None
            while seen is None and time.monotonic() < deadline:
                seen = page.evaluate(f"window.__seen['{marker}'] || null")
                if seen is None:
                    time.sleep(0.005)
            latencies.append((seen - sent) if seen else float("inf"))
            n += 1
            stop.wait(1.0)
        browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=400)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--speed", type=float, default=600, help="simulator speed-up")
    parser.add_argument("--ramp", type=float, default=30, help="seconds to start all clients")
    args = parser.parse_args(argv)
    let_chromium_reach(LB.ip)
    forget_failed_pairings()
    restart_web(access_logs=True)
    roles.product(PRODUCER, "simulate", f"--speed {args.speed:g}")
    fresh: list[float] = []
    stop = threading.Event()
    try:
        script = capture(LB_URL, kiosk_codes(1)[0])
        codes = kiosk_codes(args.clients)
        ready = threading.Event()
        watcher = threading.Thread(target=freshness, args=(ready, stop, fresh), daemon=True)
        watcher.start()
        ready.wait(180)
        before, cpu0 = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_SELF)
        master = services.pid_of(f"web-{WEB_HOSTS[0].name}")
        stats, rss, elapsed = asyncio.run(
            load(LB_URL, codes, script, args.ramp, args.minutes, master)
        )
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu_s = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
        after = os.getloadavg()[0]
        stop.set()
        watcher.join(30)
    finally:
        stop.set()
        services.stop(f"simulate-{PRODUCER.name}")
        restart_web(access_logs=False)
        forget_failed_pairings()
    server, bad = {}, {}
    for host in WEB_HOSTS:
        latency, errors = server_latency(RUN_DIR / "logs" / f"access-{host.name}.log")
        for kind, values in latency.items():
            server.setdefault(kind, []).extend(values)
        for kind, count in errors.items():
            bad[kind] = bad.get(kind, 0) + count
    print("(figures on a loaded machine: other work shares its 2 cores)")
    print("web RSS and CPU below are web1's; both hosts served through HAProxy")
    report(args, stats, server, bad, rss, elapsed, cpu_s, (before, after))
    missed = sum(1 for v in fresh if v == float("inf"))
    seen = [v for v in fresh if v != float("inf")]
    if seen:
        print(f"\nfreshness through HAProxy, XADD -> DOM, {len(fresh)} events ({missed} not "
              f"seen in 10 s): p50 {statistics.median(seen):.0f} ms, p95 "
              f"{percentile(seen, 0.95):.0f} ms, max {max(seen):.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
