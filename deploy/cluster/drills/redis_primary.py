"""kill -9 the Redis primary: the Sentinels promote the replica, ingest and the walls
carry on. Figures: seconds until a new primary, seconds without ingest, confirmed and
lost (must be 0), applied twice (must be 0), the walls' time showing stale."""

from __future__ import annotations

import signal
import time

from deploy.cluster import roles, services
from deploy.cluster.drills.probes import (
    IngestWatch,
    Producer,
    Wall,
    redis_at,
    say,
    sentinel_primary,
    settle,
    wait_until,
)
from deploy.cluster.topology import REDIS_HOSTS

STEADY_S = 10.0
AFTER_S = 20.0


def run() -> dict:
    old = sentinel_primary()
    host = next(h for h in REDIS_HOSTS if h.ip == old)
    walls = [Wall() for _ in range(3)]
    producer = Producer()
    watch = IngestWatch(producer).start()
    started = time.monotonic()
    time.sleep(STEADY_S)
    say(f"kill -9 the Redis primary on {host.name} ({old})")
    killed = time.monotonic()
    services.stop(f"redis-{host.name}", signal.SIGKILL)
    new = wait_until(lambda: (p := sentinel_primary()) != old and p, 60.0)
    promoted = time.monotonic() - killed
    # Only now, never before the promotion: a primary restarted before the Sentinels
    # notice would come back with what its append-only file kept (up to 1 s less) and
    # its replica would copy that, losing writes a WAIT had confirmed.
    say(f"Sentinels name {new} after {promoted:.1f} s; restart {host.name}")
    roles.redis(host)
    replica = wait_until(lambda: _is_replica(host.ip), 60.0)
    rejoined = time.monotonic() - killed
    say(f"{host.name} is a replica of {new} {rejoined:.1f} s after the kill")
    time.sleep(AFTER_S)
    producer.stop()
    end = time.monotonic()
    figures = settle(producer)
    watch.stop()
    stale = max(w.stale_seconds(killed, end) for w in walls)
    for wall in walls:
        wall.stop()
    figures.update({
        "events a second, steady": round(figures["sent"] / (end - started), 1),
        "seconds to a new primary": round(promoted, 1),
        "seconds without ingest (events waiting)": round(watch.longest_stall(), 1),
        "longest seconds with no new event in SQL": round(watch.longest_quiet(), 1),
        "walls' seconds showing stale (worst of 3)": round(stale, 1),
        "seconds from the kill until the old primary was a replica": round(rejoined, 1),
    })  # fmt: skip
    figures["passed"] = bool(
        new and figures["confirmed and lost"] == 0 and figures["applied twice"] == 0
        and figures["applied"] >= figures["confirmed"] and replica
    )  # fmt: skip
    return figures


def _is_replica(ip: str) -> bool:
    try:
        info = redis_at(ip).info("replication")
    except Exception:  # not up yet
        return False
    return info.get("role") == "slave" and info.get("master_link_status") == "up"
