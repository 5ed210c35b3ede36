"""Build contract stream entries and apply them, for tests that need a small county."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from data_access.sla import Sla
from worker.apply import apply_events
from worker.contract import parse_entry

TZ = ZoneInfo("Asia/Shanghai")
_ids = itertools.count(1)


def entry(entity_id: str, status: str, ts: str, entity: str = "incident", **fields) -> dict:
    """One stream entry's fields; event_id is unique unless given."""
    base = {
        "event_id": fields.pop("event_id", f"ev-{next(_ids)}"),
        "entity": entity,
        "id": entity_id,
        "status": status,
        "ts": ts,
    }
    return {**base, **{k: str(v) for k, v in fields.items()}}


def reported(entity_id: str, ts: str, town="T1", category="sanitation", **fields) -> dict:
    fields.setdefault("channel", "hotline_12345")
    return entry(entity_id, "reported", ts, town=town, category=category, **fields)


def accepted(entity_id: str, ts: str, town="T1", kind="neighbour", **fields) -> dict:
    return entry(entity_id, "accepted", ts, entity="dispute", town=town, kind=kind, **fields)


def apply_entries(engine: Engine, entries: list[dict], now: datetime, sla: Sla | None = None):
    """Validate and apply entries in the given (stream) order, as ingest would."""
    events = [parse_entry(f"{i + 1}-0", e, TZ, now) for i, e in enumerate(entries)]
    return apply_events(engine, events, sla or Sla(), TZ, now)
