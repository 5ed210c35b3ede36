"""Writes the live state in Redis that the pages read (keys: data_access.live).

Every write is idempotent (sorted sets keyed by event or incident id), so several
ingest processes, a redelivered batch or a rebuild racing a batch leave it right.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import Engine, select

from common.clock import iso_local
from common.config import Settings
from common.masking import mask_fields
from common.vocabulary import OPEN_STATUSES
from data_access.kpis import is_open
from data_access.live import keys
from data_access.models import DisputeEvent, Incident, IncidentEvent

TICKER_SIZE = 200

# INCR the version and publish the new value in one step.
_BUMP = """
local v = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], v)
return v
"""


class LiveState:
    """The Lua scripts registered on one client (they reload themselves after a restart)."""

    def __init__(self, r: redis.Redis, settings: Settings, ticker_size: int = TICKER_SIZE):
        self.r = r
        self.settings = settings
        self.keys = keys(settings)
        self.ticker_size = ticker_size
        self._bump = r.register_script(_BUMP)

    def bump(self, client=None) -> None:
        """Change the version (and tell subscribers); `client` may be a pipeline."""
        self._bump(keys=[self.keys.version], args=[self.keys.channel], client=client or self.r)

    def beat(self, now: datetime) -> bool:
        """Write the heartbeat; return whether the live state is complete (built)."""
        pipe = self.r.pipeline(transaction=False)
        pipe.set(self.keys.heartbeat, f"{now.timestamp():.3f}")
        pipe.exists(self.keys.built)
        return bool(pipe.execute()[1])

    def deadline_passed(self, since: datetime, until: datetime) -> bool:
        """Whether, in (since, until], an open incident's deadline fell (it turned yellow)
        or CC_RED_HOURS after it passed (it turned red, CONTRACT 2, Alerts); if so, bump,
        so the walls redraw at that instant with no event needed."""
        red = self.settings.red_hours * 3600
        hit = any(
            self.r.zrangebyscore(
                self.keys.deadlines,
                f"({since.timestamp() - lag}",
                until.timestamp() - lag,
                start=0,
                num=1,
            )
            for lag in (0.0, red)
        )
        if hit:
            self.bump()
        return hit

    def record(self, pipe, events: Sequence, incidents: Iterable[dict], tz: ZoneInfo) -> None:
        """Queue on `pipe` the ticker and deadline changes of one applied batch."""
        newest = sorted(events, key=lambda e: e.order)[-self.ticker_size :]
        if newest:
            pipe.zadd(self.keys.ticker, dict(ticker_item(e.fields, e.ts, tz) for e in newest))
            pipe.zremrangebyrank(self.keys.ticker, 0, -self.ticker_size - 1)
        open_, closed = {}, []
        for row in incidents:
            if row["status"] in OPEN_STATUSES:
                open_[row["id"]] = row["deadline"].timestamp()
            else:
                closed.append(row["id"])
        if open_:
            pipe.zadd(self.keys.deadlines, open_)
        if closed:
            pipe.zrem(self.keys.deadlines, *closed)

    def rebuild(self, engine: Engine, tz: ZoneInfo) -> None:
        """Rebuild from SQL: the open incidents' deadlines and the newest events.

        Merges rather than replaces, so an ingest writing meanwhile loses nothing; ids
        that were in the set before and are no longer open are removed.
        """
        before = {m.decode() for m in self.r.zrange(self.keys.deadlines, 0, -1)}
        with engine.connect() as conn:
            open_ = dict(
                conn.execute(select(Incident.id, Incident.deadline).where(is_open())).all()
            )
            newest = []
            for model in (IncidentEvent, DisputeEvent):
                newest += conn.execute(
                    select(model.ts, model.fields)
                    .order_by(model.ts.desc(), model.seq.desc())
                    .limit(self.ticker_size)
                ).all()
        pipe = self.r.pipeline(transaction=True)
        if stale := before - open_.keys():
            pipe.zrem(self.keys.deadlines, *stale)
        items = [(i, d.timestamp()) for i, d in open_.items()]
        for start in range(0, len(items), 10_000):
            pipe.zadd(self.keys.deadlines, dict(items[start : start + 10_000]))
        if newest:
            pipe.zadd(
                self.keys.ticker, dict(ticker_item(json.loads(f), ts, tz) for ts, f in newest)
            )
            pipe.zremrangebyrank(self.keys.ticker, 0, -self.ticker_size - 1)
        pipe.set(self.keys.built, "1")
        self.bump(pipe)
        pipe.execute()


def ticker_item(fields: dict, ts: datetime, tz: ZoneInfo) -> tuple[str, float]:
    """(member, score) of one event in the ticker: deterministic JSON, so writing the
    same event twice (redelivery, rebuild) leaves one member."""
    shown = mask_fields(fields, drop_phone=True)
    shown["ts"] = iso_local(ts, tz)
    return json.dumps(shown, ensure_ascii=False, sort_keys=True), ts.timestamp()
