"""Kill an ingest host mid-batch: it is frozen (SIGSTOP) while it holds entries it read
but has not acknowledged, then killed (kill -9); the other consumer claims them
(XAUTOCLAIM, worker/ingest.py, after its claim_idle_ms). 0 lost, 0 applied twice."""

from __future__ import annotations

import os
import signal
import time

from deploy.cluster import roles, services
from deploy.cluster.drills.probes import (
    IngestWatch,
    Producer,
    redis_at,
    say,
    sentinel_primary,
    settle,
    wait_until,
)
from deploy.cluster.topology import INGEST_HOSTS

STREAM, GROUP = "cc:events", "ingest"
AFTER_S = 45.0  # past the product's claim_idle_ms (30 s) and claim_every_s (5 s)


def pending_of(r, consumer: str) -> int:
    for row in r.xinfo_consumers(STREAM, GROUP):
        name = row["name"].decode() if isinstance(row["name"], bytes) else row["name"]
        if name == consumer:
            return row["pending"]
    return 0


def run() -> dict:
    victim = INGEST_HOSTS[0]
    name = f"ingest-{victim.name}"
    pid = services.pid_of(name)
    r = redis_at(sentinel_primary())
    producer = Producer(rate=100)
    watch = IngestWatch(producer).start()
    time.sleep(5)
    held, consumer = 0, None
    for _ in range(200):  # freeze it the moment it holds a batch it has not acknowledged
        os.kill(pid, signal.SIGSTOP)
        consumer = next((c["name"].decode() for c in r.xinfo_consumers(STREAM, GROUP)
                         if c["name"].decode().endswith(f"-{pid}")), None)  # fmt: skip
        held = pending_of(r, consumer) if consumer else 0
        if held:
            break
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.05)
    say(f"{victim.name} frozen holding {held} unacknowledged entries; kill -9 it")
    killed = time.monotonic()
    services.stop(name, signal.SIGKILL)
    claimed = wait_until(lambda: pending_of(r, consumer) == 0, 90.0, 0.5)
    claimed_s = time.monotonic() - killed
    say(f"its entries claimed by the other consumer after {claimed_s:.1f} s")
    time.sleep(max(0.0, AFTER_S - claimed_s))
    producer.stop()
    figures = settle(producer)
    watch.stop()
    r.xgroup_delconsumer(STREAM, GROUP, consumer)  # the dead consumer's name, now empty
    roles.product(victim, "ingest")
    figures.update({
        "entries held by the killed consumer": held,
        "seconds until the other consumer claimed them": round(claimed_s, 1) if claimed else None,
        "seconds without ingest (events waiting)": round(watch.longest_stall(), 1),
        "longest seconds with no new event in SQL": round(watch.longest_quiet(), 1),
    })  # fmt: skip
    figures["passed"] = bool(
        held and claimed and figures["confirmed and lost"] == 0 and figures["applied twice"] == 0
    )
    return figures
