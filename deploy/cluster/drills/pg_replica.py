"""Stop the PostgreSQL replica: reads that may lag fall back to the primary, so pages
keep answering; start it again: reads go back to it (CC_DATABASE_REPLICA_URL). What the
product says about its replica is read from /health (its "replica" figures)."""

from __future__ import annotations

import signal
import time

from deploy.cluster import roles, services
from deploy.cluster.drills.probes import health, pair_kiosk, say, sql, wait_until
from deploy.cluster.topology import LB_URL, PG2, PG_PORT, REPLICA_URL

DOWN_S = 20.0
PAGES = ("/wall", "/incidents", "/")


def replica_figures(answer: dict | None) -> dict:
    return {k: v for k, v in (answer or {}).items() if "replica" in k}


def run() -> dict:
    session = pair_kiosk()
    failures, asked = 0, 0

    def pages_answer() -> None:
        nonlocal failures, asked
        for path in PAGES:
            asked += 1
            if session.get(f"{LB_URL}{path}", timeout=30).status_code >= 500:
                failures += 1

    before = replica_figures(health(LB_URL))
    say(f"stop the replica on {PG2.name}; /health said {before}")
    stopped = time.monotonic()
    services.stop(f"postgres-{PG2.name}", signal.SIGINT)
    while time.monotonic() - stopped < DOWN_S:
        pages_answer()
        time.sleep(1)
    during = replica_figures(health(LB_URL))
    say(f"start it again; /health said {during} while it was down")
    roles.postgres(PG2)
    services.wait_tcp(PG2.ip, PG_PORT)
    streaming = wait_until(lambda: sql("SELECT pg_is_in_recovery()", url=REPLICA_URL)[0][0], 60)
    back = wait_until(lambda: replica_figures(health(LB_URL)) == before or not before, 60.0, 1.0)
    pages_answer()
    figures = {
        "page requests while the replica was down": asked,
        "answers 5xx": failures,
        "/health's replica figures before / during / after": (
            before,
            during,
            replica_figures(health(LB_URL)),
        ),
        "replica streaming again": bool(streaming),
    }
    figures["passed"] = bool(failures == 0 and streaming and back and before != during)
    return figures
