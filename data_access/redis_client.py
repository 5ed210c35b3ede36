"""The Redis client's lifecycle: one client (and pool) per process and URL.

Timeouts are explicit: redis-py 8 defaults `socket_timeout` to 5 s, which breaks
blocking reads longer than that, so callers that block pass their own timeout.
"""

from __future__ import annotations

import redis

from common.logging_setup import outage_over

# redis-py 8 caps a pool at 100 connections, then raises. A gunicorn worker runs 128
# threads and each open live page holds a subscription besides its reads: with 100 walls
# on one worker every further call failed (bench/wall_load.py: the panels stopped).
MAX_CONNECTIONS = 1024

_clients: dict[str, redis.Redis] = {}


class _ReportingConnection(redis.Connection):
    """A connection that reports each successful connect, which ends a logged outage."""

    def on_connect_check_health(self, *args, **kwargs) -> None:  # redis-py's on_connect
        super().on_connect_check_health(*args, **kwargs)
        outage_over("redis")


def get_redis(url: str) -> redis.Redis:
    """The process's client for `url` (decode_responses off: stream fields stay bytes)."""
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url,
            socket_timeout=30,
            socket_connect_timeout=3,
            health_check_interval=15,
            max_connections=MAX_CONNECTIONS,
            **({"connection_class": _ReportingConnection} if url.startswith("redis://") else {}),
        )
    return _clients[url]


def close_all() -> None:
    while _clients:
        _clients.popitem()[1].close()
