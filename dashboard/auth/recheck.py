"""How current a credential's status is: SQL is the truth, Redis shares a copy for
`credential_recheck_seconds`, so a disabled person or a revoked kiosk is off, and a changed
scope applies, within that time on every worker and host, without a SQL query on every
request. The status holds the scope (dashboard.auth.principal writes it), so no copy of a
credential ever pairs an old scope with a valid secret for longer than that.

The CLI deletes the shared copy when it changes a credential, so that usually takes
effect at once; the expiry bounds it when Redis missed the deletion.

While SQL is unreachable the last answer SQL gave stands (kept in Redis for
`LAST_KNOWN_SECONDS`, so every worker and host has it, and in this process's memory for
when Redis is down too): an SQL outage never signs a wall screen or a person out, and a
credential changed before the outage is off already (the change wrote SQL and dropped
both copies).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from sqlalchemy.exc import SQLAlchemyError

from common.config import Settings
from data_access.redis_client import get_redis

log = logging.getLogger(__name__)

GONE = "-"  # the stored value of a credential that is disabled, revoked or unknown
LAST_KNOWN_SECONDS = 7 * 24 * 3600  # how long an SQL outage may last before a 503
# Last answer from SQL per key, used only while both Redis and SQL are unreachable.
_last_known: dict[str, str] = {}


class StoreUnavailable(RuntimeError):
    """Neither Redis nor SQL could say whether a credential is valid."""


# The keys name the status's form: statuses shared before scopes (without one) are never
# read as if they had one.
def user_key(user_id: int) -> str:
    return f"auth:user-scope:{user_id}"


def kiosk_key(kiosk_id: int) -> str:
    return f"auth:kiosk-scope:{kiosk_id}"


def _last_key(key: str) -> str:
    return f"{key}:last"


def _last_answer(client: redis.Redis, key: str) -> str | None:
    """SQL's last answer for `key`, shared in Redis, else remembered by this process."""
    try:
        shared = client.get(_last_key(key))
        if shared is not None:
            return shared.decode()
    except redis.RedisError:
        log.debug("redis unavailable for the last known status", exc_info=True)
    return _last_known.get(key)


def status(cfg: Settings, name: str, load: Callable[[], str | None]) -> str:
    """The shared status under `name`, else load() from SQL (None means GONE) and share it;
    while SQL is unreachable, SQL's last answer."""
    key = cfg.key(name)
    client = get_redis(cfg)
    try:
        cached = client.get(key)
        if cached is not None:
            return cached.decode()
    except redis.RedisError:
        log.warning("redis unavailable for credential check", exc_info=True)
    fresh_ms = max(1, int(cfg.credential_recheck_seconds * 1000))
    try:
        value = load() or GONE
    except SQLAlchemyError as exc:
        last = _last_answer(client, key)
        if last is None:
            raise StoreUnavailable(name) from exc
        log.warning("SQL unreachable: %s keeps its last known status", name)
        _share(client, [(key, last, fresh_ms)])  # SQL is asked again in one interval, not now
        return last
    _last_known[key] = value
    _share(client, [(key, value, fresh_ms), (_last_key(key), value, LAST_KNOWN_SECONDS * 1000)])
    return value


def _share(client: redis.Redis, entries: list[tuple[str, str, int]]) -> None:
    """SET each (key, value, expiry in ms); a Redis outage only costs the sharing."""
    try:
        with client.pipeline(transaction=False) as pipe:
            for key, value, px in entries:
                pipe.set(key, value, px=px)
            pipe.execute()
    except redis.RedisError:
        log.debug("could not share credential status", exc_info=True)


def forget(cfg: Settings, name: str) -> None:
    """Drop the shared copies after a change, so the next request reads SQL."""
    key = cfg.key(name)
    _last_known.pop(key, None)
    try:
        get_redis(cfg).delete(key, _last_key(key))
    except redis.RedisError:
        log.warning("could not drop %s: it expires by itself", name, exc_info=True)
