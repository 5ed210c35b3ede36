"""The live state in Redis, as the pages read it (written by worker.live_state).

Keys, all under the configured prefix:
- `live:ticker`: sorted set of the newest events (score = event ts, member = JSON of the
  event's fields with personal data masked), capped; newest first when read.
- `live:deadlines`: sorted set of open incidents (score = deadline epoch).
- `live:version`: a counter that changes whenever anything the pages show changes
  (an event applied, an entry dead-lettered, a deadline passing); also published on
  the pub/sub channel `live`.
- `live:heartbeat`: epoch seconds of the last loop of any ingest process.
- `live:built`: present while the live state is complete (absent after Redis lost its
  data: ingest rebuilds it from SQL).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from common import clock
from common.config import Settings
from data_access.redis_client import get_redis

INGEST_GROUP = "ingest"


@dataclass(frozen=True)
class Keys:
    ticker: str
    deadlines: str
    version: str
    heartbeat: str
    built: str
    wall_ready: str
    channel: str
    dead_count: str
    attempts: str


def keys(settings: Settings) -> Keys:
    return Keys(
        ticker=settings.key("live:ticker"),
        deadlines=settings.key("live:deadlines"),
        version=settings.key("live:version"),
        heartbeat=settings.key("live:heartbeat"),
        built=settings.key("live:built"),
        wall_ready=settings.key("live:wall_ready"),
        channel=settings.key("live"),
        dead_count=settings.key("events:dead:count"),
        attempts=settings.key("ingest:attempts"),
    )


def _client(settings: Settings, r: redis.Redis | None) -> redis.Redis:
    return r if r is not None else get_redis(settings)


def version(settings: Settings, r: redis.Redis | None = None) -> int:
    raw = _client(settings, r).get(keys(settings).version)
    return int(raw) if raw else 0


def pulse(
    settings: Settings, now: datetime | None = None, r: redis.Redis | None = None
) -> tuple[int, float | None, str | None]:
    """(version, heartbeat age, the newest wall trigger whose update is built) in one round
    trip: every open live page is sent them every few seconds and on every change, so 200
    walls make this the web tier's commonest read."""
    k = keys(settings)
    raw_version, raw_beat, ready = _client(settings, r).mget(k.version, k.heartbeat, k.wall_ready)
    beat = datetime.fromtimestamp(float(raw_beat), UTC) if raw_beat else None
    age = None if beat is None else ((now or clock.now()) - beat).total_seconds()
    return (int(raw_version) if raw_version else 0), age, ready.decode() if ready else None


def ticker(settings: Settings, limit: int = 50, r: redis.Redis | None = None) -> list[dict]:
    """The newest events (by ts), newest first: the event's fields (masked, no
    reporter_phone) with `ts` as ISO 8601 in CC_TZ."""
    members = _client(settings, r).zrevrange(keys(settings).ticker, 0, max(limit, 1) - 1)
    return [json.loads(m) for m in members]


def heartbeat(settings: Settings, r: redis.Redis | None = None) -> datetime | None:
    """When an ingest process last looped, or None if none ever did."""
    raw = _client(settings, r).get(keys(settings).heartbeat)
    return datetime.fromtimestamp(float(raw), UTC) if raw else None


def heartbeat_age(
    settings: Settings, now: datetime | None = None, r: redis.Redis | None = None
) -> float | None:
    """Seconds since an ingest process last looped (None: never)."""
    beat = heartbeat(settings, r)
    return None if beat is None else ((now or clock.now()) - beat).total_seconds()


def deadlines(
    settings: Settings,
    until: datetime,
    since: datetime | None = None,
    limit: int = 100,
    r: redis.Redis | None = None,
) -> list[tuple[str, datetime]]:
    """Open incidents whose deadline falls in [since, until], earliest first."""
    low = since.timestamp() if since else "-inf"
    rows = _client(settings, r).zrangebyscore(
        keys(settings).deadlines, low, until.timestamp(), start=0, num=limit, withscores=True
    )
    return [(m.decode(), datetime.fromtimestamp(s, UTC)) for m, s in rows]


def subscribe(settings: Settings, r: redis.Redis | None = None) -> redis.client.PubSub:
    """A pub/sub subscription to version changes (each message's data is the version)."""
    pubsub = _client(settings, r).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(keys(settings).channel)
    return pubsub


def unsubscribe(pubsub: redis.client.PubSub | None) -> None:
    """Close a subscription from `subscribe`, if any; a Redis already gone is no error."""
    if pubsub is not None:
        with contextlib.suppress(redis.RedisError, OSError):
            pubsub.close()
