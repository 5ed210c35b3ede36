"""The contract's "which event decides what": an entity's current state from its events.

Ingest and the history seeder both call these, so there is one definition of how a
set of events (in any arrival order, duplicates already removed) becomes a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from common.clock import parse_ts
from common.config import DEFAULT_SLA_HOURS
from common.vocabulary import CLOSING_STATUSES as CLOSING
from common.vocabulary import NON_STATUS
from worker.contract import Event


class Sla:
    """Hours to the deadline by (category, priority), falling back to the default rule."""

    def __init__(self, rules: Mapping[tuple[str, str], float] | None = None):
        self.rules = dict(rules or {})

    def hours(self, category: str, priority: str) -> float:
        for key in ((category, priority), ("*", priority)):
            if key in self.rules:
                return self.rules[key]
        return DEFAULT_SLA_HOURS.get(priority, DEFAULT_SLA_HOURS["normal"])

    def deadline(self, start: datetime, category: str, priority: str) -> datetime:
        return start + timedelta(hours=self.hours(category, priority))


def _local_day(value: datetime, tz: ZoneInfo) -> date:
    return value.astimezone(tz).date()


def _float(value: str | None) -> float | None:
    return None if value is None else float(value)


def _creating(events: list[Event], status: str) -> Event | None:
    candidates = [e for e in events if e.status == status]
    return min(candidates, key=lambda e: e.order) if candidates else None


def fold_incident(events: Iterable[Event], sla: Sla, tz: ZoneInfo, now: datetime) -> dict | None:
    """The incidents row for one id, or None while its `reported` event has not arrived."""
    ordered = sorted(events, key=lambda e: e.order)
    first = _creating(ordered, "reported")
    if first is None:
        return None
    category = first.get("category")
    priority = first.get("priority") or "normal"
    deadline = (
        parse_ts(first.get("deadline"), tz)
        if first.get("deadline")
        else sla.deadline(first.ts, category, priority)
    )
    status, status_at = "reported", first.ts
    cycle_start: datetime = first.ts
    closed_at: datetime | None = None
    department = satisfaction = None
    level = 0
    for event in ordered:
        if event.status == "dispatched":
            department = event.get("department")
        if event.status == "closed" and event.get("satisfaction"):
            satisfaction = int(event.get("satisfaction"))
        if event.status == "escalated":
            level = max(level, int(event.get("level") or 1))
        if event.order <= first.order or event.status in ("reported", *NON_STATUS):
            continue
        status, status_at = event.status, event.ts
        if event.status == "reopened":
            deadline = (
                parse_ts(event.get("deadline"), tz)
                if event.get("deadline")
                else sla.deadline(event.ts, category, priority)
            )
            cycle_start, closed_at = event.ts, None
        elif event.status in CLOSING and closed_at is None and event.ts >= cycle_start:
            closed_at = event.ts
    return {
        "id": first.id,
        "reported_at": first.ts,
        "reported_day": _local_day(first.ts, tz),
        "channel": first.get("channel"),
        "category": category,
        "town": first.get("town"),
        "grid": first.get("grid"),
        "department": department,
        "priority": priority,
        "status": status,
        "status_at": status_at,
        "deadline": deadline,
        "deadline_day": _local_day(deadline, tz),
        "closed_at": closed_at if status in CLOSING else None,
        "satisfaction": satisfaction,
        "escalation_level": level,
        "lat": _float(first.get("lat")),
        "lon": _float(first.get("lon")),
        "title": first.get("title"),
        "description": first.get("description"),
        "reporter_phone": first.get("reporter_phone"),
        "updated_at": now,
    }


OUTCOMES = ("mediated", "failed", "adjudicated", "litigation", "withdrawn")


def fold_dispute(events: Iterable[Event], tz: ZoneInfo, now: datetime) -> dict | None:
    """The disputes row for one id, or None while its `accepted` event has not arrived."""
    ordered = sorted(events, key=lambda e: e.order)
    first = _creating(ordered, "accepted")
    if first is None:
        return None
    status, status_at = "accepted", first.ts
    mediator = first.get("mediator")
    confirmation = None
    for event in ordered:
        if event.order <= first.order or event.status == "accepted":
            continue
        status, status_at = event.status, event.ts
        mediator = event.get("mediator") or mediator
        if event.status == "mediated" and event.get("judicial_confirmation"):
            confirmation = event.get("judicial_confirmation") == "true"
    return {
        "id": first.id,
        "accepted_at": first.ts,
        "accepted_day": _local_day(first.ts, tz),
        "kind": first.get("kind"),
        "town": first.get("town"),
        "grid": first.get("grid"),
        "mediation_type": first.get("mediation_type"),
        "mediator": mediator,
        "status": status,
        "status_at": status_at,
        "resolved_at": status_at if status in OUTCOMES else None,
        "judicial_confirmation": confirmation if status == "mediated" else None,
        "via_mediating": any(e.status == "mediating" for e in ordered),
        "updated_at": now,
    }
