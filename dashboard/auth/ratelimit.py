"""Sign-in throttling in Redis, so it holds across workers and hosts: an account gets
`login_max_failures` unsuccessful attempts, an address `login_ip_max_failures`, each per
`login_lockout_seconds` from its first attempt.

Every attempt is counted, atomically (one Lua script), before the password is checked,
and a successful one is given back: so parallel attempts cannot all slip past the limit
between a read and a write, at most the limit of them ever reach a password check.

If Redis is down sign-in still works (fail open, logged): the slow password hash still
limits guessing, and a command centre must not be locked out by a cache outage.
"""

from __future__ import annotations

import logging

import redis

from common.config import Settings
from data_access.redis_client import get_redis

log = logging.getLogger(__name__)

# KEYS: counters; ARGV[1]: window in ms, ARGV[1 + i]: the limit of KEYS[i].
# Returns 1 when the attempt is within every limit, else 0 (it still counts).
_ADMIT = """
local admitted = 1
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  if count > tonumber(ARGV[i + 1]) then admitted = 0 end
end
return admitted
"""
# KEYS[1]: the account's counter, forgotten; KEYS[2]: the address's, one attempt given back.
_SUCCEEDED = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
"""


def _keys(cfg: Settings, username: str, ip: str) -> list[str]:
    return [
        cfg.key(f"auth:fail:user:{username.strip().lower()[:64]}"),
        cfg.key(f"auth:fail:ip:{ip[:64]}"),
    ]


def admit(cfg: Settings, username: str, ip: str) -> bool:
    """Count one attempt for `username` from `ip`; False when either is over its limit,
    and then the credential must not be checked at all."""
    window_ms = max(1, int(cfg.login_lockout_seconds * 1000))
    limits = (cfg.login_max_failures, cfg.login_ip_max_failures)
    try:
        client = get_redis(cfg)
        return bool(client.eval(_ADMIT, 2, *_keys(cfg, username, ip), window_ms, *limits))
    except redis.RedisError:
        log.warning("sign-in throttle unavailable", exc_info=True)
        return True


def succeeded(cfg: Settings, username: str, ip: str) -> None:
    """A successful attempt forgets the account's count and gives the address its one back."""
    try:
        get_redis(cfg).eval(_SUCCEEDED, 2, *_keys(cfg, username, ip))
    except redis.RedisError:
        log.warning("sign-in throttle unavailable", exc_info=True)
