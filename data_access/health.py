"""The figures behind GET /health (CONTRACT 3): can we reach Redis and SQL, and how
many stream entries are not yet handled (persisted or dead-lettered); with a database
replica (CC_DATABASE_REPLICA_URL), whether it answers and how far behind it is."""

from __future__ import annotations

from datetime import datetime

import redis
from sqlalchemy import text

from common import clock
from common.config import Settings
from common.workdays import CalendarError, calendar_from, known_until, missing_next_year
from data_access.db import get_engine
from data_access.live import INGEST_GROUP, heartbeat_age
from data_access.read_replica import lag_seconds
from data_access.redis_client import get_check_redis

_PAGE = 10_000


def _id(raw: bytes | str) -> tuple[int, int]:
    ms, _, n = (raw.decode() if isinstance(raw, bytes) else raw).partition("-")
    return int(ms), int(n or 0)


def _undelivered(r: redis.Redis, stream: str, last_delivered: bytes) -> int:
    """Entries after the group's last-delivered id, counted without Redis 7's `lag`
    (absent on 6.2, nil on 7 after deletions inside the range)."""
    info = r.xinfo_stream(stream)
    first = info.get("first-entry")
    if not info["length"] or _id(info["last-generated-id"]) <= _id(last_delivered):
        return 0
    if first and _id(first[0]) > _id(last_delivered):
        return info["length"]
    count, start = 0, b"(" + last_delivered
    while True:
        page = r.xrange(stream, min=start, max="+", count=_PAGE)
        count += len(page)
        if len(page) < _PAGE:
            return count
        start = b"(" + page[-1][0]


def stream_lag(r: redis.Redis, stream: str) -> int:
    """Entries not yet handled: not yet delivered to ingest, or delivered and pending."""
    try:
        groups = r.xinfo_groups(stream)
    except redis.ResponseError:  # no stream yet
        return 0
    group = next((g for g in groups if g["name"] in (INGEST_GROUP, INGEST_GROUP.encode())), None)
    if group is None:  # no ingest ever started: every entry waits
        return r.xlen(stream)
    lag = group.get("lag")
    if lag is None:
        lag = _undelivered(r, stream, group["last-delivered-id"])
    return lag + group["pending"]


def _sql_ok(settings: Settings) -> bool:
    try:
        with get_engine(settings.database_url, reader=True).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means "not reachable" to a health check
        return False


def calendar_status(settings: Settings, now: datetime | None = None) -> dict | None:
    """{"known_until", "missing_next_year"} of the working-day calendar (CONTRACT 3);
    None when the county's calendar file cannot be read."""
    try:
        cal = calendar_from(settings.calendar_file)
    except (CalendarError, OSError):
        return None
    today = clock.local_today(settings.tz, now)
    return {
        "known_until": known_until(cal).isoformat(),
        "missing_next_year": missing_next_year(cal, today),
    }


def health(settings: Settings, now: datetime | None = None) -> dict:
    """{"status", "redis", "sql", "stream_lag", "calendar"} and, with a replica set,
    "replica": {"ok", "lag_seconds"}; degraded when Redis or SQL is down, or entries wait
    while no ingest process has looped for `stale_seconds`. A replica down or behind
    leaves the status alone: its reads go to the primary meanwhile (read_replica)."""
    lag, stale = None, False
    try:
        r = get_check_redis(settings)
        lag = stream_lag(r, settings.stream_key)
        age = heartbeat_age(settings, now, r)
        stale = lag > 0 and (age is None or age > settings.stale_seconds)
        redis_ok = True
    except redis.RedisError:
        redis_ok = False
    sql_ok = _sql_ok(settings)
    status = "ok" if redis_ok and sql_ok and not stale else "degraded"
    found = {
        "status": status,
        "redis": redis_ok,
        "sql": sql_ok,
        "stream_lag": lag,
        "calendar": calendar_status(settings, now),
    }
    if settings.database_replica_url:
        replica_lag = lag_seconds(settings.database_replica_url)
        found["replica"] = {"ok": replica_lag is not None, "lag_seconds": replica_lag}
    return found
