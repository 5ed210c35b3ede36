"""Escalation (督办) from the incident page: the web tier never changes an incident; it
adds an `escalated` event to the live stream like any producer (CONTRACT 1), and ingest
applies it, so the wall, the lists and the API all learn of it the same way."""

from __future__ import annotations

import uuid
from datetime import datetime

import redis
from sqlalchemy import Engine, select

from common.clock import iso_local
from common.config import Settings
from common.vocabulary import OPEN_STATUSES
from data_access.audit import audit
from data_access.models import Incident
from data_access.scoping import incident_in_scope

NOTE_MAX = 500


class NotOpen(ValueError):
    """The incident is unknown (or outside the caller's scope: data_access.scoping) or no
    longer open: there is nothing to push."""


def escalation_fields(
    incident_id: str, level: int, actor: str, at: datetime, cfg: Settings, note: str = ""
) -> dict[str, str]:
    """The stream entry: a new event_id, the next level, the person, now."""
    fields = {
        "event_id": f"web-esc-{uuid.uuid4().hex}",
        "entity": "incident",
        "id": incident_id,
        "status": "escalated",
        "ts": iso_local(at, cfg.tz),
        "actor": actor,
        "level": str(level),
    }
    note = (note or "").strip()
    if note:
        fields["note"] = note[:NOTE_MAX]
    return fields


def escalate(
    engine: Engine,
    r: redis.Redis,
    cfg: Settings,
    incident_id: str,
    actor: str,
    at: datetime,
    note: str = "",
) -> int:
    """XADD the next level's `escalated` event and audit it; returns the level asked for.
    Raises NotOpen, or redis.RedisError when the stream cannot be reached (nothing is
    audited then, since nothing was sent)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(Incident.status, Incident.escalation_level).where(
                Incident.id == incident_id, *incident_in_scope()
            )
        ).first()
    if row is None or row.status not in OPEN_STATUSES:
        raise NotOpen(incident_id)
    level = int(row.escalation_level or 0) + 1
    fields = escalation_fields(incident_id, level, actor, at, cfg, note)
    entry_id = r.xadd(cfg.stream_key, fields)
    entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    detail = f"level={level} event_id={fields['event_id']} stream_id={entry_id}"
    audit(engine, actor, "escalate", f"incident {incident_id}", detail)
    return level
