"""Each minute's comparisons computed before the minute begins
(data_access.comparisons.ahead), so no leader's request pays for them.

Comparisons are shared once a minute, and a year's costs about 1.3 s at 5 M incidents:
the first request of each minute used to pay that. Each web worker runs one thread
(started by dashboard/wsgi.py, so under gunicorn only); whichever holds a lease in Redis
wakes LEAD_SECONDS before each minute and computes the comparisons asked lately for it,
the others wait for the lease (as dashboard/wall_prebuild.py does for the wall).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from flask import Flask
from redis.lock import Lock

from common import clock
from common.config import Settings
from dashboard import leases
from dashboard.context import read_engine
from data_access.comparisons import ahead
from data_access.redis_client import get_redis

log = logging.getLogger(__name__)

LEAD_SECONDS = 20.0  # a year at 5 M takes 1.3 s alone; several, on a busy worker, more
LEASE_SECONDS = 150  # two missed minutes, then another worker's thread takes over


def next_minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1)


def lease(cfg: Settings) -> Lock:
    return get_redis(cfg).lock(
        cfg.key("comparisons:ahead"), timeout=LEASE_SECONDS, blocking=False, thread_local=False
    )


def tick(server: Flask, held: Lock, minute: datetime) -> int | None:
    """Compute `minute`'s comparisons if this worker leads; how many, or None if not."""
    cfg: Settings = server.config["CC_SETTINGS"]
    if not leases.lead(held):
        return None
    with server.app_context():
        return ahead(read_engine(), cfg, minute)


def _run(server: Flask) -> None:
    held = lease(server.config["CC_SETTINGS"])
    while True:
        minute = next_minute(clock.now())
        time.sleep(max(0.0, (minute - clock.now()).total_seconds() - LEAD_SECONDS))
        try:
            tick(server, held, minute)
        except Exception as exc:  # Redis or the database away: requests compute their own
            log.warning("comparisons not computed ahead: %s", exc)
        time.sleep(max(0.0, (minute - clock.now()).total_seconds()))  # once per minute


def start(server: Flask) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(server,), daemon=True, name="comparisons-ahead")
    thread.start()
    return thread
