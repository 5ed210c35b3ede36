"""Acknowledgement (认领) from the incident page and the alert list: a duty officer takes an
overdue incident in hand. As with escalation (dashboard.escalation), the web tier never
changes an incident: it adds an `acknowledged` event to the live stream (CONTRACT 1) and
ingest applies it.

A repeated click, or two officers clicking at once on two screens, is one event: its
event_id is `ack:<incident id>:<deadline in force>` (a duplicate event_id changes nothing
at ingest), and a Redis SET NX on that id lets only the first click add it to the stream
and be audited as the acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis
from sqlalchemy import Engine, select

from common.clock import iso_local
from common.config import Settings
from common.vocabulary import ACKNOWLEDGED, OPEN_STATUSES
from dashboard.auth.roles import Principal
from data_access.audit import audit
from data_access.models import Incident
from data_access.scoping import incident_in_scope

NOTE_MAX = 500
CLAIM_SECONDS = 7 * 86400  # the guard outlives any redelivery of the event


class NotAllowed(PermissionError):
    """The caller's role does not acknowledge alerts (only duty officers: staff, admin)."""


class NotOpen(ValueError):
    """The incident is unknown (or outside the caller's scope: data_access.scoping) or no
    longer open: there is nothing to acknowledge."""


class NotOverdue(ValueError):
    """Before its deadline an acknowledgement would not count (CONTRACT 2, Alerts)."""


@dataclass(frozen=True)
class Acknowledged:
    """The outcome of a click: `new` when this click added the event, else who had."""

    event_id: str
    by: str
    new: bool


def event_id(incident_id: str, deadline: datetime) -> str:
    """One acknowledgement per incident and deadline in force (a later deadline, after a
    reopening or an extension, needs its own)."""
    return f"ack:{incident_id}:{int(deadline.timestamp())}"


def acknowledgement_fields(
    incident_id: str, deadline: datetime, actor: str, at: datetime, cfg: Settings, note: str = ""
) -> dict[str, str]:
    """The stream entry: the deterministic event_id, the person, now."""
    fields = {
        "event_id": event_id(incident_id, deadline),
        "entity": "incident",
        "id": incident_id,
        "status": ACKNOWLEDGED,
        "ts": iso_local(at, cfg.tz),
        "actor": actor,
    }
    note = (note or "").strip()
    if note:
        fields["note"] = note[:NOTE_MAX]
    return fields


def acknowledge(
    engine: Engine,
    r: redis.Redis,
    cfg: Settings,
    incident_id: str,
    principal: Principal | None,
    at: datetime,
    note: str = "",
) -> Acknowledged:
    """XADD the `acknowledged` event once per deadline in force and audit it. Raises
    NotAllowed, NotOpen, NotOverdue, or redis.RedisError when the stream cannot be reached
    (nothing is audited then, and the guard is released so a later click can send it)."""
    if principal is None or not principal.may_acknowledge:
        raise NotAllowed(incident_id)
    actor = principal.name
    with engine.connect() as conn:
        row = conn.execute(
            select(
                Incident.status,
                Incident.deadline,
                Incident.acknowledged_at,
                Incident.acknowledged_by,
            ).where(Incident.id == incident_id, *incident_in_scope())
        ).first()
    if row is None or row.status not in OPEN_STATUSES:
        raise NotOpen(incident_id)
    if row.deadline > at:
        raise NotOverdue(incident_id)
    fields = acknowledgement_fields(incident_id, row.deadline, actor, at, cfg, note)
    if row.acknowledged_at is not None:  # applied already (the fold keeps it per deadline)
        return Acknowledged(fields["event_id"], row.acknowledged_by or "", False)
    guard = cfg.key(f"acknowledged:{fields['event_id']}")
    if not r.set(guard, actor, nx=True, ex=CLAIM_SECONDS):
        holder = r.get(guard)
        holder = holder.decode() if isinstance(holder, bytes) else holder
        return Acknowledged(fields["event_id"], holder or "", False)
    try:
        entry_id = r.xadd(cfg.stream_key, fields)
    except redis.RedisError:
        r.delete(guard)
        raise
    entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    detail = f"event_id={fields['event_id']} stream_id={entry_id}"
    audit(engine, actor, "acknowledge", f"incident {incident_id}", detail)
    return Acknowledged(fields["event_id"], actor, True)
