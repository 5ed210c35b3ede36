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
from deploy.cluster.topology import LB_URL, PG2, PG_PORT, REPLICA_URL

DOWN_S = 20.0
STATS_FLUSH_S = 11.0  # PostgreSQL 15: an idle backend reports its counts within 10 s
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
    time.sleep(5)  # the product tries a replica it passed over again within 5 s
    # Transactions the replica ran, while reading and then for as long idle (/health's own
    # probes); each count read after STATS_FLUSH_S, as a backend reports its figures late.
    start = _transactions()
    begun = time.monotonic()
    for _ in range(5):
        reads_answer()
    took = time.monotonic() - begun
    time.sleep(STATS_FLUSH_S)
    middle = _transactions()
    time.sleep(took + STATS_FLUSH_S)
    served, idle = middle - start, _transactions() - middle
    figures = {
        "reads (page, API figures and lists) while the replica was down": asked,
        "answers other than 200": failures,
        "/health's replica before / while stopped / after": (before, during, replica()),
        "seconds after its start until /health said replica ok": (
            round(back_s, 1) if back else None
        ),
        "replica streaming again": bool(streaming),
        "replica transactions: 20 reads after its return / the same time idle": (served, idle),
    }
    figures["passed"] = bool(
        failures == 0 and streaming and back and before.get("ok") and during.get("ok") is False
        and served > idle + 10
    )  # fmt: skip
    return figures


def _in_recovery() -> bool:
    try:
        return sql("SELECT pg_is_in_recovery()", url=REPLICA_URL)[0][0]
    except psycopg.Error:  # still starting
        return False


def _transactions() -> int:
    """Transactions the replica has run in the product's database (its own count)."""
    query = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'cc'"
    return sql(query, url=REPLICA_URL)[0][0]
