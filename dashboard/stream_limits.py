"""How many live streams (dashboard/live_push.py) one caller and one worker may hold.

A stream holds one of gunicorn's threads for as long as the page is open, so one signed-in
account opening hundreds of them took every thread, and /health and sign-in timed out.
Two limits, both checked before a stream starts:

- per caller: at most `streams_per_session` streams per browser session (a person's
  signed-in cookie) or per kiosk credential, counted across workers and hosts in Redis.
  Not per address: a centre's walls often share one behind NAT. Each stream holds a lease
  (a sorted-set member scored by its expiry) that it renews while it runs, so a crashed
  worker's slots free themselves within LEASE_SECONDS. Over the limit: 429. With Redis
  down the limit is not applied (fail open; the worker budget still holds);
- per worker: at most `web_threads - stream_reserve_threads` streams at once, so that many
  threads always stay free for /health, sign-in and pages. Over it: 503, and the page's
  script reconnects later, most likely to another worker.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

import redis

from common.config import Settings
from data_access.redis_client import get_redis

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0
RENEW_SECONDS = LEASE_SECONDS / 3

# KEYS[1]: the caller's leases; ARGV: now, lease end, member, limit, key's ttl (ms).
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""

_open = 0
_open_lock = threading.Lock()


@dataclass
class Lease:
    """One stream's slot: renew() while it runs, release() once when it ends."""

    cfg: Settings
    key: str | None  # None: not counted in Redis (it was down)
    member: str = field(default_factory=lambda: uuid.uuid4().hex)
    renewed: float = field(default_factory=time.monotonic)
    released: bool = False

    def renew(self) -> None:
        if self.key is None or time.monotonic() - self.renewed < RENEW_SECONDS:
            return
        self.renewed = time.monotonic()
        try:
            pipe = get_redis(self.cfg).pipeline(transaction=False)
            pipe.zadd(self.key, {self.member: time.time() + LEASE_SECONDS}, xx=True)
            pipe.pexpire(self.key, int(LEASE_SECONDS * 1000))
            pipe.execute()
        except redis.RedisError:
            log.debug("stream lease not renewed: it expires by itself", exc_info=True)

    def release(self) -> None:
        global _open
        if self.released:
            return
        self.released = True
        with _open_lock:
            _open -= 1
        if self.key is not None:
            try:
                get_redis(self.cfg).zrem(self.key, self.member)
            except redis.RedisError:
                log.debug("stream lease not dropped: it expires by itself", exc_info=True)


def worker_budget(cfg: Settings) -> int | None:
    """Streams this worker may hold at once; None when its thread count is unknown."""
    if cfg.web_threads <= 0:
        return None
    return max(1, cfg.web_threads - cfg.stream_reserve_threads)


def _take_worker_slot(cfg: Settings) -> bool:
    global _open
    budget = worker_budget(cfg)
    with _open_lock:
        if budget is not None and _open >= budget:
            return False
        _open += 1
        return True


def _take_caller_slot(cfg: Settings, owner: str, member: str) -> tuple[bool, str | None]:
    """(allowed, the Redis key holding the lease or None when Redis did not answer)."""
    key = cfg.key(f"streams:{owner}")
    now = time.time()
    try:
        taken = get_redis(cfg).eval(
            _TAKE, 1, key, now, now + LEASE_SECONDS, member,
            cfg.streams_per_session, int(LEASE_SECONDS * 1000),
        )  # fmt: skip
    except redis.RedisError:
        log.warning("stream limit per session unavailable: Redis did not answer", exc_info=True)
        return True, None
    return bool(taken), key


def take(cfg: Settings, owner: str) -> Lease | int:
    """A lease for a new stream of `owner` (a session or kiosk id), or the HTTP status
    that refuses it: 503 when this worker's budget is spent, 429 when the caller's is."""
    if not _take_worker_slot(cfg):
        return 503
    lease = Lease(cfg, None)
    allowed, lease.key = _take_caller_slot(cfg, owner, lease.member)
    if not allowed:
        lease.key = None
        lease.release()
        return 429
    return lease


def open_streams() -> int:
    """Streams this worker holds now."""
    with _open_lock:
        return _open
