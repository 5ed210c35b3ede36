"""The Redis client's lifecycle: one client (and pool) per process and configured Redis.

The configured Redis is CC_REDIS_URL's server or, with CC_REDIS_SENTINELS set, the
primary the Sentinels name for CC_REDIS_SERVICE (the URL then gives only the database,
user and password). A Sentinel-managed connection asks the Sentinels for the primary's
address each time it connects, and a primary demoted under it answers READONLY, which
redis-py turns into a ConnectionError that drops the connection; a pool hands out no
connection the server closed (Sentinel closes the old primary's clients when it demotes
it). With the retry below (redis-py's clients made from a URL or a pool retry nothing by
default), a command during a failover reconnects to the new primary by itself. Every
process, thread and subscription gets its client here, so web, the live hub, ingest, the
ladder and the bulletin schedule all follow a failover.

Timeouts are explicit: redis-py 8 defaults `socket_timeout` to 5 s, which breaks
blocking reads longer than that, so callers that block pass their own timeout.
"""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from redis.connection import parse_url
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool, SentinelManagedConnection

from common.config import Settings
from common.logging_setup import outage_over

# redis-py 8 caps a pool at 100 connections, then raises. A gunicorn worker runs 128
# threads and each open live page holds a subscription besides its reads: with 100 walls
# on one worker every further call failed (bench/wall_load.py: the panels stopped).
MAX_CONNECTIONS = 1024
SENTINEL_TIMEOUT = 1.0  # a Sentinel answers at once or is taken as down
# Through Sentinel, a command that meets a dropped connection (the primary demoted or
# gone) is sent again after a pause, about 3 s in all: a forced failover is over by then,
# and ingest's loop treats what still fails (a primary killed outright takes the
# Sentinels' down-after time) as an outage. Timeouts are not retried: a partitioned
# server would hold every command for several socket timeouts. A command may so run
# twice; every write the product makes to Redis is idempotent or guarded (event ids,
# SET NX markers, XACK).
FAILOVER_RETRIES = 6
CHECK_TIMEOUT = 2.0  # a health check's Redis answers within this, or is taken as down

_clients: dict[tuple, redis.Redis] = {}


class _ReportingConnection(redis.Connection):
    """A connection that reports each successful connect, which ends a logged outage."""

    def on_connect_check_health(self, *args, **kwargs) -> None:  # redis-py's on_connect
        super().on_connect_check_health(*args, **kwargs)
        outage_over("redis")


class _ReportingSentinelConnection(SentinelManagedConnection):
    """The same, for a connection to whichever server the Sentinels name the primary.

    redis-py's SentinelManagedConnection keeps its socket when a read fails (it defaults
    `disconnect_on_error` to False, unlike a plain Connection). After a partition, the
    reply that timed out then arrived as the next command's reply, and every later reply
    on that connection was one behind: a web worker answered 500 until restarted. Here a
    failed read drops the connection, as a plain one does; subscriptions still pass False.
    """

    def on_connect_check_health(self, *args, **kwargs) -> None:
        super().on_connect_check_health(*args, **kwargs)
        outage_over("redis")

    def read_response(self, *args, disconnect_on_error: bool = True, **kwargs):
        return super().read_response(*args, disconnect_on_error=disconnect_on_error, **kwargs)


def connect(cfg: Settings, **options: Any) -> redis.Redis:
    """A new client of the configured Redis (decode_responses off: stream fields stay
    bytes); `options` (e.g. socket_timeout) override the defaults. The caller closes it."""
    kwargs: dict[str, Any] = {
        "socket_timeout": 30,
        "socket_connect_timeout": 3,
        "health_check_interval": 15,
        "max_connections": MAX_CONNECTIONS,
        **options,
    }
    if not cfg.redis_sentinels:
        if cfg.redis_url.startswith("redis://"):
            kwargs["connection_class"] = _ReportingConnection
        return redis.Redis.from_url(cfg.redis_url, **kwargs)
    # the URL's database, user and password; its address is the Sentinels' to give
    target = {
        k: v
        for k, v in parse_url(cfg.redis_url).items()
        if k not in ("host", "port", "path", "connection_class")
    }
    kwargs.setdefault(
        "retry",
        Retry(
            ExponentialWithJitterBackoff(base=0.05, cap=1.0),
            FAILOVER_RETRIES,
            supported_errors=(redis.ConnectionError,),
        ),
    )
    sentinels = Sentinel(
        cfg.redis_sentinels,
        sentinel_kwargs={
            "socket_timeout": SENTINEL_TIMEOUT,
            "socket_connect_timeout": SENTINEL_TIMEOUT,
        },
    )
    return sentinels.master_for(
        cfg.redis_service,
        connection_class=_ReportingSentinelConnection,
        **{**target, **kwargs},
    )


def get_redis(cfg: Settings) -> redis.Redis:
    """The process's shared client of the configured Redis, made on first use."""
    key = (cfg.redis_url, cfg.redis_sentinels, cfg.redis_service)
    if key not in _clients:
        _clients[key] = connect(cfg)
    return _clients[key]


def get_check_redis(cfg: Settings) -> redis.Redis:
    """The process's client for checks that must answer within seconds (/health): short
    timeouts and no retry. The shared client waits out its 30 s socket timeout on a
    server cut off by the network, so a health check through it took 30 s to say so."""
    key = (cfg.redis_url, cfg.redis_sentinels, cfg.redis_service, "check")
    if key not in _clients:
        _clients[key] = connect(
            cfg,
            socket_timeout=CHECK_TIMEOUT,
            socket_connect_timeout=CHECK_TIMEOUT,
            max_connections=64,
            retry=Retry(NoBackoff(), 0),
        )
    return _clients[key]


def on_primary(pubsub: redis.client.PubSub) -> bool:
    """Whether a subscription listens on the server the Sentinels last named the primary
    (always, without Sentinels). A failover may leave a subscription connected to the old
    primary, where it hears no more publishes: its owner then subscribes again."""
    pool, conn = pubsub.connection_pool, pubsub.connection
    if not isinstance(pool, SentinelConnectionPool) or conn is None:
        return True
    try:
        return (conn.host, conn.port) == pool.get_master_address()
    except redis.ConnectionError:  # no Sentinel answers: nothing better to move to
        return True


def close_all() -> None:
    while _clients:
        _clients.popitem()[1].close()
