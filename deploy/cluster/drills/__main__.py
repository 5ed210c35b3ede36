"""Run the failover drills against the cluster (started, and stopped at the end, when
none is up), each printing its figures:

    python -m deploy.cluster.drills [--only redis_primary,web_host,...] [--keep]

Drills: redis_primary, web_host, ingest_host, pg_replica, partition, pg_primary."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from deploy.cluster import __main__ as cluster
from deploy.cluster import netns
from deploy.cluster.drills.probes import forget_failed_pairings
from deploy.cluster.topology import HOSTS

DRILLS = ("redis_primary", "web_host", "ingest_host", "pg_replica", "partition", "pg_primary")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster.drills", description=__doc__)
    parser.add_argument("--only", default=",".join(DRILLS))
    parser.add_argument("--keep", action="store_true", help="leave a cluster we started up")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = set(names) - set(DRILLS)
    if unknown:
        sys.exit(f"unknown drills: {', '.join(sorted(unknown))}")
    started = not (netns.existing_namespaces() & {h.name for h in HOSTS})
    if started:
        cluster.main(["up"])
    results = {}
    forget_failed_pairings()
    try:
        for name in names:
            drill = importlib.import_module(f"{__package__}.{name}")
            print(f"\n== drill {name}: {drill.__doc__.splitlines()[0]}", flush=True)
            begun = time.monotonic()
            figures = drill.run()
            results[name] = figures["passed"]
            for key, value in figures.items():
                print(f"  {key}: {value}")
            print(f"  ({time.monotonic() - begun:.0f} s)", flush=True)
    finally:
        if started and not args.keep:
            cluster.main(["down"])
    print("\n" + "\n".join(f"{'PASS' if ok else 'FAIL'} {name}" for name, ok in results.items()))
    sys.exit(0 if all(results.values()) and len(results) == len(names) else 1)


if __name__ == "__main__":
    main()
