"""Figures computed once per (live version, minute) and shared through Redis by every web
worker, host and viewer: the leader pages' data and the API's /kpis answer.

A figure depends on the data (the live version changes whenever an event is applied or a
deadline passes) and on the clock (due-soon horizons move without an event), so the key
holds both, and a value is never older than the minute it was computed in. Concurrent
requests for the same key are single-flight: one computes, the others wait for its value.
The lock holds a random token and is released by compare-and-delete (redis-py's Lock, a
Lua script), so a computation that outlived its lock never releases another's.
When Redis is unreachable the figures are computed directly: slower, never wrong. Each
scope has its own keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import redis
from redis.exceptions import LockError

from common.config import Settings
from common.scope import current
from data_access import live
from data_access.redis_client import get_redis

T = TypeVar("T")
TTL_SECONDS = 120  # two minute-buckets: a value outlives its minute only to be dropped
LOCK_SECONDS = 30  # a computation that dies leaves its lock for this long at most
WAIT_SECONDS = 10.0  # after this a waiter computes by itself
POLL_SECONDS = 0.01


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if is_dataclass(value) and not isinstance(value, type):
        return {"$c": type(value).__name__, "v": asdict(value)}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decoder(types: dict[str, type]) -> Callable[[dict], Any]:
    def decode(obj: dict) -> Any:
        if "$t" in obj:
            return datetime.fromisoformat(obj["$t"])
        if "$d" in obj:
            return date.fromisoformat(obj["$d"])
        if "$c" in obj:
            return types[obj["$c"]](**obj["v"])
        return obj

    return decode


def dumps(value: Any) -> str:
    """JSON that keeps dates, datetimes and dataclasses (tuples come back as lists)."""
    return json.dumps(value, default=_encode, ensure_ascii=False, separators=(",", ":"))


def loads(raw: str | bytes, types: tuple[type, ...] = ()) -> Any:
    return json.loads(raw, object_hook=_decoder({t.__name__: t for t in types}))


def cache_key(cfg: Settings, name: str, parts: Any, version: int, at: datetime) -> str:
    """The key holds the caller's scope (common.scope): a figure computed for one scope is
    never another's answer, whoever asks with the same parameters."""
    scope = str(current())
    digest = hashlib.sha256(dumps([cfg.database_url, scope, parts]).encode()).hexdigest()[:24]
    return cfg.key(f"figures:{name}:{version}:{int(at.timestamp() // 60)}:{digest}")


def shared(
    cfg: Settings,
    name: str,
    parts: Any,
    at: datetime,
    compute: Callable[[], T],
    types: tuple[type, ...] = (),
    versioned: bool = True,
) -> T:
    """compute()'s value for `parts` at the current live version and `at`'s minute:
    from Redis when some worker already computed it, else computed here (once). Not
    `versioned`: for `at`'s minute whatever the version, for figures of a past instant,
    which an event applied now does not change (data_access.comparisons)."""
    try:
        r = get_redis(cfg)
        version = live.version(cfg, r) if versioned else -1
        key = cache_key(cfg, name, parts, version, at)
        raw = r.get(key)
        if raw is None:
            raw = _compute_once(r, key, compute)
    except redis.RedisError:
        return compute()
    return loads(raw, types)


def _compute_once(r: redis.Redis, key: str, compute: Callable[[], Any]) -> str:
    lock = r.lock(f"{key}:lock", timeout=LOCK_SECONDS, blocking=False, thread_local=False)
    if lock.acquire():
        try:
            # another caller may have stored it between our miss and the lock being free
            raw = r.get(key)
            if raw is None:
                raw = dumps(compute())
                r.set(key, raw, ex=TTL_SECONDS)
            return raw
        finally:
            with contextlib.suppress(LockError):  # expired: it may be another's by now
                lock.release()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        raw = r.get(key)
        if raw is not None:
            return raw
        if not r.exists(lock.name):  # done just now, or the computing worker failed
            raw = r.get(key)
            if raw is not None:
                return raw
            break
    raw = dumps(compute())
    r.set(key, raw, ex=TTL_SECONDS)
    return raw
