"""`python -m deploy.cluster up|down|status` (or deploy/cluster/up, deploy/cluster/down):
the whole deployment of docs/deploy.md on this machine, in network namespaces. Needs root,
and Debian's redis-server, redis-sentinel, haproxy and postgresql (15)."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import time
import urllib.request

from deploy.cluster import netns, roles, services
from deploy.cluster.topology import (
    HOSTS,
    INGEST_HOSTS,
    LB,
    LB_STATS_PORT,
    LB_URL,
    PG1,
    PG2,
    PG_BIN,
    PG_PORT,
    PRIMARY_URL,
    PRODUCER,
    REDIS1,
    REDIS2,
    REDIS_PORT,
    REPLICA_URL,
    RUN_DIR,
    SENTINEL_HOSTS,
    SENTINEL_PORT,
    SENTINELS,
    WEB1,
    WEB_HOSTS,
    WEB_PORT,
)

NEEDS = ("redis-server", "redis-sentinel", "haproxy", "setpriv", "ip")


def wait_health(base: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base}/health did not answer in {timeout_s:.0f} s")
        time.sleep(0.5)


def can_start() -> str | None:
    """Why `up` cannot start (a tool missing, a cluster up already), or None."""
    missing = [tool for tool in NEEDS if shutil.which(tool) is None]
    if missing or not PG_BIN.joinpath("initdb").exists():
        return f"missing: {' '.join(missing) or PG_BIN}; see docs/deploy.md, section 9"
    if netns.existing_namespaces() & {h.name for h in HOSTS}:
        return "a cluster is up already: deploy/cluster/down first"
    return None


def up(seed_incidents: int, simulate: float | None) -> None:
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    RUN_DIR.mkdir(parents=True)
    step("network: bridge, namespaces, links")
    netns.create()
    step("Redis primary and replica, three Sentinels")
    roles.redis(REDIS1)
    services.wait_tcp(REDIS1.ip, REDIS_PORT)
    roles.redis(REDIS2, replica_of=REDIS1)
    services.wait_tcp(REDIS2.ip, REDIS_PORT)
    for host in SENTINEL_HOSTS:
        roles.sentinel(host)
        services.wait_tcp(host.ip, SENTINEL_PORT)
    step("PostgreSQL primary, then a streaming replica from a base backup")
    roles.pg_init_primary(PG1)
    roles.postgres(PG1)
    services.wait_tcp(PG1.ip, PG_PORT)
    wait_sql(PRIMARY_URL.rsplit("/", 1)[0] + "/postgres")
    roles.create_database()
    roles.pg_init_replica(PG2)
    roles.postgres(PG2)
    services.wait_tcp(PG2.ip, PG_PORT)
    step(f"schema (the Procfile's release), master data and {seed_incidents:,} incidents")
    run_once(roles.product(WEB1, "release"), f"release-{WEB1.name}")
    seed = ["python", "-m", "demo.seed", "--incidents", str(seed_incidents),
            "--disputes", str(seed_incidents // 15)]  # fmt: skip
    run_once(services.spawn("seed", WEB1, seed, roles.env_for(WEB1)), "seed")
    step("two ingest hosts, two web hosts, HAProxy")
    for host in INGEST_HOSTS:
        roles.product(host, "ingest")
    for host in WEB_HOSTS:
        roles.product(host, "web")
    roles.haproxy()
    for host in WEB_HOSTS:
        wait_health(f"http://{host.ip}:{WEB_PORT}")
    wait_health(LB_URL)
    if simulate:
        roles.product(PRODUCER, "simulate", f"--speed {simulate:g}")
    env = roles.env_for(WEB1)
    settings = "".join(f"{k}={env[k]}\n" for k in sorted(env) if k.startswith("CC_"))
    (RUN_DIR / "env").write_text(settings)
    print(summary())


def run_once(process, name: str) -> None:
    """Wait for a one-off process (schema, seed) to finish; it must succeed."""
    if process.wait() != 0:
        sys.exit(f"{name} failed: see {services.LOGS}/{name}.log")
    services.forget(name)


def wait_sql(url: str, timeout_s: float = 60.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def summary() -> str:
    return f"""
The cluster is up (data, logs and pids in {RUN_DIR}).
  walls and pages:  {LB_URL}/  (HAProxy; its stats on http://{LB.ip}:{LB_STATS_PORT}/)
  Redis:            Sentinels {SENTINELS}, service cc; first primary {REDIS1.ip}
  PostgreSQL:       primary {PRIMARY_URL}, replica {REPLICA_URL}
A wall screen:  env $(cat {RUN_DIR}/env) python -m dashboard.auth.cli kiosk-pair hall \\
                  --url {LB_URL}
Drills:         python -m deploy.cluster.drills
Stop it all:    deploy/cluster/down
"""


# Clients first, servers last; PostgreSQL's fast shutdown (SIGINT) does not wait for them.
STOP_ORDER = ("producer", "simulate", "web", "ingest", "haproxy", "postgres", "redis", "sentinel")


def down() -> None:
    names = [p.stem for p in services.PIDS.glob("*.pid")] if services.PIDS.exists() else []
    for kind in STOP_ORDER:
        for name in sorted(n for n in names if n.startswith(f"{kind}-") or n == kind):
            services.stop(name, signal.SIGINT if kind == "postgres" else signal.SIGTERM, 10)
    removed = netns.remove()
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    print(f"removed {len(removed)} namespaces and links, and {RUN_DIR}")


def restart() -> None:
    """Restart the product's processes (web and ingest), e.g. after a change of code."""
    for host in (*WEB_HOSTS, *INGEST_HOSTS):
        for process in ("web", "ingest"):
            services.stop(f"{process}-{host.name}")
    for host in INGEST_HOSTS:
        roles.product(host, "ingest")
    for host in WEB_HOSTS:
        roles.product(host, "web")
    for host in WEB_HOSTS:
        wait_health(f"http://{host.ip}:{WEB_PORT}")
    print("web and ingest restarted")


def report_stopped() -> None:
    """The end of the log of each process that is no longer running."""
    for pid_file in sorted(services.PIDS.glob("*.pid")) if services.PIDS.exists() else []:
        if not services.running(pid_file.stem):
            log = services.LOGS / f"{pid_file.stem}.log"
            tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
            print(f"--- {pid_file.stem} stopped:", *tail, sep="\n", file=sys.stderr)


def status() -> None:
    names = sorted(p.stem for p in services.PIDS.glob("*.pid")) if services.PIDS.exists() else []
    if not names:
        print("no cluster is up")
    for name in names:
        print(f"{name:<24} {'running' if services.running(name) else 'stopped'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up", help="start the cluster")
    start.add_argument("--seed", type=int, default=2000, help="incidents of demo history")
    start.add_argument("--simulate", type=float, help="also run the simulator at this speed")
    sub.add_parser("down", help="stop the cluster and remove everything it made")
    sub.add_parser("status", help="which of the cluster's processes run")
    sub.add_parser("restart", help="restart web and ingest (after a change of code)")
    args = parser.parse_args(argv)
    if args.command == "up":
        if problem := can_start():
            sys.exit(problem)
        try:
            up(args.seed, args.simulate)
        except BaseException:
            print("start failed: removing what was made", file=sys.stderr)
            report_stopped()
            down()
            raise
    elif args.command == "down":
        down()
    elif args.command == "restart":
        restart()
    else:
        status()


if __name__ == "__main__":
    main()
