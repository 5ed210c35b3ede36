"""Leases in Redis for work one web worker does for all (the wall's prebuild, the
comparisons computed ahead): redis-py's Lock, whose renewing and releasing compare the
lease's random token in Redis (Lua scripts), so a holder that lost its lease never
renews or deletes another's."""

from __future__ import annotations

import contextlib

import redis
from redis.exceptions import LockError
from redis.lock import Lock


def lead(lease: Lock) -> bool:
    """Take or renew the lease; True while this holder holds it."""
    try:
        lease.reacquire()
        return True
    except LockError:  # not held, or lost to another holder
        return lease.acquire()


def hand_over(lease: Lock) -> None:
    """Let another worker take over at once."""
    with contextlib.suppress(LockError, redis.RedisError):
        lease.release()
