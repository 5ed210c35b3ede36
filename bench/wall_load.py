"""Many wall screens at once against gunicorn as the Procfile starts it, with the
simulator publishing live events: requests/s, latency per request kind, errors and the
web processes' RSS.

    python -m bench.wall_load [--clients 200] [--minutes 5] [--speed 600]

Each client is a kiosk paired the way a real one is (a pairing code, then its cookie) and
replays what a real /wall page sends, recorded once in headless Chromium at the start
(bench.wall_capture, bench.wall_clients). All clients run in this one asyncio process,
started evenly over --ramp seconds, so the generator stays light on the 2 shared cores.

Server-side latency comes from gunicorn's access log (%(D)s: from the parsed request to
the last byte written; it leaves out time spent waiting for a free thread); client-side
latency (send to last byte read, including that wait and this generator's own delays) is
printed beside it. SSE streams are left out of both (they last minutes by design): their
figure is the time to the first pushed message.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import redis

from bench.result import emit
from bench.stack import kiosk_code, running_stack
from bench.wall_capture import capture
from bench.wall_clients import KIND_HEADER, Stats, run_wall
from bench.wall_freshness import percentile
from common.config import PROJECT_ROOT, load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.schema import migrate
from tests.servers import process_env

ACCESS_FORMAT = f"%(m)s %(U)s %(s)s %(D)s %(B)s %({{{KIND_HEADER.lower()}}}i)s"
RSS_EVERY_S = 5.0


def process_rss(master: int) -> dict[int, tuple[float, int]]:
    """(RSS in MB, CPU seconds so far) of gunicorn's master and each worker, by pid."""
    command = ["ps", "-o", "pid=,rss=,times=", "--ppid", str(master), "-p", str(master)]
    out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    rows = (line.split() for line in out.splitlines())
    return {int(pid): (int(rss) / 1024, int(cpu)) for pid, rss, cpu in rows}


async def sample_rss(master: int, stop_at: float, samples: dict[int, list[float]]) -> None:
    while time.monotonic() < stop_at:
        for pid, sample in (await asyncio.to_thread(process_rss, master)).items():
            samples[pid].append(sample)
        await asyncio.sleep(RSS_EVERY_S)


async def load(base: str, codes: list[str], script, ramp_s: float, minutes: float,
               master: int) -> tuple[Stats, dict[int, list[float]], float]:  # fmt: skip
    """Run every client until the end; return the stats, RSS samples and elapsed seconds."""
    stats, rss = Stats(), defaultdict(list)
    started = time.monotonic()
    stop_at = started + ramp_s + minutes * 60
    sampler = asyncio.create_task(sample_rss(master, stop_at, rss))
    render_every = load_settings().wall_render_seconds  # the web processes' own setting

    async def one(n: int, code: str) -> None:
        await asyncio.sleep(ramp_s * n / max(1, len(codes)))
        await run_wall(base, code, script, stats, stop_at, render_every)

    await asyncio.gather(*(one(n, code) for n, code in enumerate(codes)))
    await sampler
    return stats, rss, time.monotonic() - started


def server_latency(log: Path) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Per kind: %(D)s in ms, and the count of answers >= 400, from the access log."""
    latency, bad = defaultdict(list), defaultdict(int)
    for line in log.read_text(errors="replace").splitlines():
        parts = line.split(" ", 5)
        if len(parts) < 6 or parts[5] == "-":
            continue  # not sent by a bench client (the capture, the health check)
        kind, status, micros = parts[5], int(parts[2]), int(parts[3])
        latency[kind].append(micros / 1000)
        if status >= 400:
            bad[kind] += 1
    return latency, bad


def _figures(values: list[float]) -> str:
    if not values:
        return f"{'-':>7} {'-':>7} {'-':>7}"
    return f"{statistics.median(values):7.1f} {percentile(values, 0.95):7.1f} {max(values):7.1f}"


def report(args, stats: Stats, server: dict, server_bad: dict, rss: dict, elapsed: float,
           cpu_s: float, loads: tuple) -> None:  # fmt: skip
    requests = sum(len(v) for k, v in stats.latency.items() if k != "sse first message")
    errors = sum(stats.errors.values())
    print(f"\nwall load: {args.clients} clients, {args.minutes:g} min after a {args.ramp:g} s "
          f"ramp, simulator x{args.speed:g}, load average {loads[0]:.1f} before, "
          f"{loads[1]:.1f} after (2 cores)")  # fmt: skip
    print(f"requests: {requests:,} in {elapsed:.0f} s = {requests / elapsed:.1f} req/s "
          f"(SSE streams aside); SSE messages {stats.sse_messages:,}, "
          f"planned SSE reconnects {stats.sse_reconnects}; requests sent again after a closed "
          f"kept-alive connection {stats.retries}")  # fmt: skip
    print(f"errors: {errors}" + "".join(f"\n  {k}: {v}" for k, v in sorted(stats.errors.items())))
    if server_bad:
        print(f"  (access log, answers >= 400: {dict(server_bad)})")
    print(f"\n{'kind':<22} {'n':>7}  {'server p50':>10} {'p95':>7} {'max':>7}   "
          f"{'client p50':>10} {'p95':>7} {'max':>7}   {'bytes':>9}")  # fmt: skip
    kinds = sorted(set(stats.latency) | set(server))
    for kind in kinds:
        sizes = stats.size.get(kind)
        size = f"{statistics.mean(sizes):9,.0f}" if sizes else f"{'-':>9}"
        n = len(server.get(kind) or stats.latency.get(kind, []))
        print(f"{kind:<22} {n:>7}  {_figures(server.get(kind, [])):>26}   "
              f"{_figures(stats.latency.get(kind, [])):>26}   {size}")  # fmt: skip
    plain = [k for k in kinds if k not in ("sse", "sse first message")]
    print(f"{'all but SSE':<22} {sum(len(server.get(k, [])) for k in plain):>7}  "
          f"{_figures([v for k in plain for v in server.get(k, [])]):>26}   "
          f"{_figures([v for k in plain for v in stats.latency.get(k, [])]):>26}")  # fmt: skip
    print("\nweb RSS (MB), sampled every 5 s: start / max / end; CPU seconds used meanwhile")
    for pid, values in rss.items():
        role = "master" if pid == min(rss) else "worker"
        mb = [v[0] for v in values]
        print(f"  {role} {pid}: {mb[0]:.1f} / {max(mb):.1f} / {mb[-1]:.1f}; "
              f"CPU {values[-1][1] - values[0][1]} s")  # fmt: skip
    print(f"generator CPU: {cpu_s:.0f} s over {elapsed:.0f} s ({cpu_s / elapsed:.0%} of a core)")
    everything = [v for k in plain for v in server.get(k, [])]
    worker_peaks = [max(v[0] for v in values) for pid, values in rss.items() if pid != min(rss)]
    emit(
        "wall_load",
        {
            "clients": args.clients,
            "errors": errors,
            "server p95 ms, all but SSE": percentile(everything, 0.95) if everything else None,
            "worker RSS max MB": max(worker_peaks, default=None),
        },
    )


def prepare_database(args, tmp: Path) -> str:
    if args.database_url:
        return args.database_url
    url = f"sqlite:///{tmp}/load.sqlite"
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    engine.dispose()
    if args.incidents:
        subprocess.run(  # noqa: S603 - our own module
            [sys.executable, "-m", "demo.seed", "--database-url", url, "--incidents",
             str(args.incidents), "--disputes", str(args.incidents // 15)],
            cwd=PROJECT_ROOT, env=dict(os.environ, CC_DATA_DIR=str(tmp)), check=True,
        )  # fmt: skip
    return url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--speed", type=float, default=600, help="simulator speed-up")
    parser.add_argument("--ramp", type=float, default=20, help="seconds to start all clients")
    parser.add_argument("--incidents", type=int, default=20_000, help="history to seed")
    parser.add_argument("--database-url", help="an existing database (no seeding)")
    parser.add_argument("--redis-url", default=load_settings().redis_url)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="cc-load-"))
    url = prepare_database(args, tmp)
    prefix = f"load{uuid.uuid4().hex[:6]}:"
    access_log = tmp / "access.log"
    os.environ["GUNICORN_CMD_ARGS"] = (
        f"--access-logfile {access_log} --access-logformat {shlex.quote(ACCESS_FORMAT)}"
    )
    settings = load_settings().with_(
        database_url=url, redis_url=args.redis_url, stream_prefix=prefix, data_dir=tmp
    )
    with running_stack(url, args.redis_url, prefix, tmp) as stack:
        simulator = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "demo.simulate", "--speed", str(args.speed)],
            cwd=PROJECT_ROOT, env=process_env(settings), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            script = capture(stack["base"], kiosk_code(url, "bench-capture"))
            print(f"recorded a real wall page: {len(script.load)} page-load requests, "
                  f"{len(script.renders)} render POSTs, then {script.stream.path}")  # fmt: skip
            codes = [kiosk_code(url, f"bench-wall-{n}") for n in range(args.clients)]
            before, cpu0 = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_SELF)
            stats, rss, elapsed = asyncio.run(
                load(stack["base"], codes, script, args.ramp, args.minutes, stack["web"].pid)
            )
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu_s = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
            after = os.getloadavg()[0]
        finally:
            simulator.terminate()
            simulator.wait(30)
    client = redis.Redis.from_url(args.redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    server, server_bad = server_latency(access_log)
    report(args, stats, server, server_bad, rss, elapsed, cpu_s, (before, after))


if __name__ == "__main__":
    main()
