"""Restart the PostgreSQL primary (a fast shutdown, 15 s down, start again): ingest waits
and loses nothing; meanwhile the pages say SQL is down (/health "sql": false)."""

from __future__ import annotations

import signal
import time

from deploy.cluster import roles, services
from deploy.cluster.drills.probes import IngestWatch, Producer, health, say, settle, wait_until
from deploy.cluster.topology import LB_URL, PG1, PG_PORT

DOWN_S = 15.0


def run() -> dict:
    producer = Producer()
    watch = IngestWatch(producer).start()
    time.sleep(8)
    say(f"stop PostgreSQL on {PG1.name} (fast shutdown)")
    stopped = time.monotonic()
    services.stop(f"postgres-{PG1.name}", signal.SIGINT)
    said = wait_until(lambda: (health(LB_URL) or {}).get("sql") is False, DOWN_S, 0.5)
    said_s = time.monotonic() - stopped
    time.sleep(max(0.0, DOWN_S - (time.monotonic() - stopped)))
    say("start it again")
    roles.postgres(PG1)
    services.wait_tcp(PG1.ip, PG_PORT)
    started = time.monotonic()
    back = wait_until(lambda: (health(LB_URL) or {}).get("sql") is True, 60.0, 0.5)
    back_s = time.monotonic() - started
    time.sleep(10)
    producer.stop()
    figures = settle(producer)
    watch.stop()
    figures.update({
        "seconds until /health said sql false": round(said_s, 1) if said else None,
        "seconds after the start until sql true": round(back_s, 1) if back else None,
        "seconds without ingest (events waiting; SQL down 15 s)": round(
            watch.longest_stall(), 1
        ),
        "longest seconds with no new event in SQL": round(watch.longest_quiet(), 1),
    })  # fmt: skip
    figures["passed"] = bool(
        said and back and figures["confirmed and lost"] == 0 and figures["applied twice"] == 0
    )
    return figures
