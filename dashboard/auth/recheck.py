"""How current a credential's status is: SQL is the truth, Redis shares a copy for
`credential_recheck_seconds`, so a disabled person or a revoked kiosk is off within that
time on every worker and host, without a SQL query on every request.

The CLI deletes the shared copy when it changes a credential, so that usually takes
effect at once; the expiry bounds it when Redis missed the deletion.
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
# Last answer from SQL per key, used only while both Redis and SQL are unreachable, so an
# outage never signs a wall screen out.
_last_known: dict[str, str] = {}


class StoreUnavailable(RuntimeError):
    """Neither Redis nor SQL could say whether a credential is valid."""


def user_key(user_id: int) -> str:
    return f"auth:user:{user_id}"


def kiosk_key(kiosk_id: int) -> str:
    return f"auth:kiosk:{kiosk_id}"


def status(cfg: Settings, name: str, load: Callable[[], str | None]) -> str:
    """The shared status under `name`, else load() from SQL (None means GONE) and share it."""
    key = cfg.key(name)
    client = get_redis(cfg.redis_url)
    try:
        cached = client.get(key)
        if cached is not None:
            return cached.decode()
    except redis.RedisError:
        log.warning("redis unavailable for credential check", exc_info=True)
    try:
        value = load() or GONE
    except SQLAlchemyError as exc:
        if key in _last_known:
            return _last_known[key]
        raise StoreUnavailable(name) from exc
    _last_known[key] = value
    try:
        client.set(key, value, px=max(1, int(cfg.credential_recheck_seconds * 1000)))
    except redis.RedisError:
        log.debug("could not share credential status", exc_info=True)
    return value


def forget(cfg: Settings, name: str) -> None:
    """Drop the shared copy after a change, so the next request reads SQL."""
    _last_known.pop(cfg.key(name), None)
    try:
        get_redis(cfg.redis_url).delete(cfg.key(name))
    except redis.RedisError:
        log.warning("could not drop %s: it expires by itself", name, exc_info=True)
