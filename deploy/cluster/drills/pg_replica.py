"""Stop the PostgreSQL replica: reads that may lag fall back to the primary, so pages
keep answering; start it again: reads go back to it (CC_DATABASE_REPLICA_URL). What the
product says about its replica is read from /health (its "replica" figures)."""

from __future__ import annotations

import signal
import time

import psycopg
import requests

from deploy.cluster import roles, services
from deploy.cluster.drills.probes import api_token, health, pair_kiosk, say, sql, wait_until
from deploy.cluster.topology import LB_URL, PG2, PG_PORT, REPLICA_URL, WEB_HOSTS

DOWN_S = 20.0
READS = ("/wall", "/api/v1/kpis", "/api/v1/overdue", "/api/v1/alerts")


def replica(base: str = LB_URL) -> dict:
    """/health's {"ok", "lag_seconds"} of the replica ({} when it has none)."""
    return (health(base) or {}).get("replica") or {}


def run() -> dict:
    session = pair_kiosk()
    failures, asked = 0, 0

    def reads_answer() -> None:
        """A wall page and the API's figures and lists (all reads that may lag)."""
        nonlocal failures, asked
        for path in READS:
            asked += 1
            headers = {"Authorization": f"Bearer {api_token()}"} if "/api/" in path else {}
            try:
                answer = session.get(f"{LB_URL}{path}", headers=headers, timeout=30)
                ok = answer.status_code == 200
                if not ok:
                    host = answer.headers.get("X-Served-By")
                    say(f"{path}: HTTP {answer.status_code} from {host}")
            except requests.RequestException as exc:
                say(f"{path}: {exc!r}")
                ok = False
            failures += not ok

    before = replica()
    say(f"stop the replica on {PG2.name}; /health said {before}")
    stopped = time.monotonic()
    services.stop(f"postgres-{PG2.name}", signal.SIGINT)
    while time.monotonic() - stopped < DOWN_S:
        reads_answer()
        time.sleep(1)
    during = replica()
    say(f"start it again; /health said {during} while it was down")
    roles.postgres(PG2)
    services.wait_tcp(PG2.ip, PG_PORT)
    restarted = time.monotonic()
    streaming = wait_until(_in_recovery, 60.0, 0.5)
    back = wait_until(lambda: replica().get("ok") is True, 60.0, 0.5)
    back_s = time.monotonic() - restarted
    served = wait_until(lambda: reads_answer() or _reading_incidents(), 60.0, 0.5)
    served_s = time.monotonic() - restarted
    figures = {
        "reads (page, API figures and lists) while the replica was down": asked,
        "answers other than 200": failures,
        "/health's replica before / while stopped / after": (before, during, replica()),
        "seconds after its start until /health said replica ok": (
            round(back_s, 1) if back else None
        ),
        "replica streaming again": bool(streaming),
        "seconds after its start until the web hosts' reads ran on it": (
            round(served_s, 1) if served else None
        ),
    }
    figures["passed"] = bool(
        failures == 0 and streaming and back and before.get("ok") and during.get("ok") is False
        and served
    )  # fmt: skip
    return figures


def _in_recovery() -> bool:
    try:
        return sql("SELECT pg_is_in_recovery()", url=REPLICA_URL)[0][0]
    except psycopg.Error:  # still starting
        return False


def _reading_incidents() -> int:
    """Connections from the web hosts on the replica whose latest query read incidents
    (the page's and API's reads; /health's own probe of the replica reads no table)."""
    query = ("SELECT count(*) FROM pg_stat_activity WHERE datname = 'cc' AND"
             " host(client_addr) = ANY(%s) AND query ILIKE '%%incident%%'")  # fmt: skip
    return sql(query, [h.ip for h in WEB_HOSTS], url=REPLICA_URL)[0][0]
