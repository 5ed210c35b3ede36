"""Sign-in throttling in Redis, so it holds across workers and hosts: after
`login_max_failures` failures an account is locked, after `login_ip_max_failures` an
address is, each for `login_lockout_seconds` from its first failure.

If Redis is down sign-in still works (fail open, logged): the slow password hash still
limits guessing, and a command centre must not be locked out by a cache outage.
"""

from __future__ import annotations

import logging

import redis

from common.config import Settings
from data_access.redis_client import get_redis

log = logging.getLogger(__name__)


def _keys(cfg: Settings, username: str, ip: str) -> tuple[str, str]:
    return (
        cfg.key(f"auth:fail:user:{username.strip().lower()[:64]}"),
        cfg.key(f"auth:fail:ip:{ip[:64]}"),
    )


def locked(cfg: Settings, username: str, ip: str) -> bool:
    user_key, ip_key = _keys(cfg, username, ip)
    try:
        user_count, ip_count = get_redis(cfg.redis_url).mget(user_key, ip_key)
    except redis.RedisError:
        log.warning("sign-in throttle unavailable", exc_info=True)
        return False
    return (
        int(user_count or 0) >= cfg.login_max_failures
        or int(ip_count or 0) >= cfg.login_ip_max_failures
    )


def record_failure(cfg: Settings, username: str, ip: str) -> None:
    ttl = max(1, int(cfg.login_lockout_seconds))
    try:
        with get_redis(cfg.redis_url).pipeline() as pipe:
            for key in _keys(cfg, username, ip):
                pipe.set(key, 0, ex=ttl, nx=True)  # the window starts at the first failure
                pipe.incr(key)
            pipe.execute()
    except redis.RedisError:
        log.warning("sign-in throttle unavailable", exc_info=True)


def clear(cfg: Settings, username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    try:
        get_redis(cfg.redis_url).delete(_keys(cfg, username, "")[0])
    except redis.RedisError:
        log.warning("sign-in throttle unavailable", exc_info=True)
