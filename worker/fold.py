"""The contract's "which event decides what": an entity's current state from its events.

Ingest and the history seeder both call these, so there is one definition of how a
set of events (in any arrival order, duplicates already removed) becomes a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from common.clock import parse_ts
from common.vocabulary import (
    ACKNOWLEDGED,
    CONTACTED,
    CREATED,
    DISPATCHED,
    ESCALATED,
    EXTENDED,
    MAX_LEVEL,
    MERGED,
    NON_STATUS,
    RATED_STATUSES,
    REOPENED,
    RETURNED,
    SIGNED,
)
from common.vocabulary import CLOSING_STATUSES as CLOSING
from common.workdays import Calendar, Limit, apply_limit, extended_deadline
from data_access.sla import Sla
from data_access.work_order import settled_at
from worker.contract import EARLIEST, LATEST, Event


def _local_day(value: datetime, tz: ZoneInfo) -> date:
    return value.astimezone(tz).date()


def _float(value: str | None) -> float | None:
    return None if value is None else float(value)


def _creating(events: list[Event], status: str) -> Event | None:
    candidates = [e for e in events if e.status == status]
    return min(candidates, key=lambda e: e.order) if candidates else None


def _instant(event: Event, name: str, tz: ZoneInfo) -> datetime | None:
    """An instant field; None when absent or out of the contract's range (a first-edition
    event stored before the range was checked at the door must not poison its incident)."""
    value = event.get(name)
    if value is None:
        return None
    instant = parse_ts(value, tz)
    return instant if EARLIEST <= instant < LATEST else None


@dataclass
class _Cycle:
    """The state the walk over an incident's events carries."""

    deadline: datetime
    status_event: Event
    cycle_start: datetime
    closed_at: datetime | None = None
    first_dispatch: Event | None = None
    extensions: int = 0
    extended_at: datetime | None = None  # the first applied extension's ts
    closed_once_at: datetime | None = None  # the first resolved or closed event's ts
    reopened_at: datetime | None = None  # the first reopened after a closing one


def fold_incident(events: Iterable[Event], sla: Sla, tz: ZoneInfo, now: datetime) -> dict | None:
    """The incidents row for one id, or None while its `reported` event has not arrived."""
    ordered = sorted(events, key=lambda e: e.order)
    first = _creating(ordered, CREATED)
    if first is None:
        return None
    category, channel = first.get("category"), first.get("channel")
    priority = first.get("priority") or "normal"

    def sla_deadline(start: datetime) -> datetime:
        return sla.deadline(start, category, priority, channel, tz)

    cycle = _Cycle(
        deadline=_instant(first, "deadline", tz) or sla_deadline(first.ts),
        status_event=first,
        cycle_start=first.ts,
    )
    department = satisfaction = solved = None
    level = 0
    for event in ordered:
        status = event.status
        if status == DISPATCHED:
            department = event.get("department")
            cycle.first_dispatch = cycle.first_dispatch or event
        elif status in RATED_STATUSES:
            if event.get("satisfaction"):
                satisfaction = int(event.get("satisfaction"))
            if event.get("solved"):
                solved = event.get("solved") == "true"
        elif status == ESCALATED:
            level = max(level, min(int(event.get("level") or 1), MAX_LEVEL))
        if status in CLOSING:
            cycle.closed_once_at = cycle.closed_once_at or event.ts
        elif status == REOPENED and cycle.closed_once_at and not cycle.reopened_at:
            cycle.reopened_at = event.ts
        if event.order <= first.order or status == CREATED:
            continue
        if status == EXTENDED:
            _extend(cycle, event, sla.calendar, tz)
        if status in NON_STATUS:
            continue
        cycle.status_event = event
        if status == REOPENED:
            cycle.deadline = _instant(event, "deadline", tz) or sla_deadline(event.ts)
            cycle.cycle_start, cycle.closed_at = event.ts, None
        elif status in CLOSING and cycle.closed_at is None and event.ts >= cycle.cycle_start:
            cycle.closed_at = event.ts
    status, deadline = cycle.status_event.status, cycle.deadline
    dispatch = cycle.first_dispatch
    acknowledged = _first(ordered, ACKNOWLEDGED, lambda e: e.ts >= deadline)
    returned = _first(ordered, RETURNED, lambda e: True)
    row = {
        "id": first.id,
        "reported_at": first.ts,
        "reported_day": _local_day(first.ts, tz),
        "channel": channel,
        "category": category,
        "town": first.get("town"),
        "grid": first.get("grid"),
        "department": department,
        "priority": priority,
        "status": status,
        "status_at": cycle.status_event.ts,
        "deadline": deadline,
        "deadline_day": _local_day(deadline, tz),
        "closed_at": cycle.closed_at if status in CLOSING else None,
        "satisfaction": satisfaction,
        "escalation_level": level,
        "lat": _float(first.get("lat")),
        "lon": _float(first.get("lon")),
        "title": first.get("title"),
        "description": first.get("description"),
        "reporter_phone": first.get("reporter_phone"),
        "updated_at": now,
        # second edition
        "first_dispatch_at": dispatch.ts if dispatch else None,
        "signed_at": _after_dispatch(ordered, SIGNED, dispatch),
        "contacted_at": _after_dispatch(ordered, CONTACTED, dispatch),
        "returns": sum(1 for e in ordered if e.status == RETURNED),
        "extensions": cycle.extensions,
        "solved": solved,
        "merged_into": cycle.status_event.get("into") if status == MERGED else None,
        "reopened": cycle.reopened_at is not None,
        "acknowledged_at": acknowledged.ts if acknowledged else None,
        "acknowledged_by": acknowledged.actor if acknowledged else None,
        # the instants the work order's figures are taken as of (data_access.work_order)
        "sign_due_at": _limit_end(sla, sla.sign_limit, dispatch, tz),
        "contact_due_at": _limit_end(sla, sla.contact_limit, dispatch, tz),
        "returned_at": returned.ts if returned else None,
        "extended_at": cycle.extended_at,
        "reopened_at": cycle.reopened_at,
        "closed_once_at": cycle.closed_once_at,
    }
    return {**row, "settled_at": settled_at(row)}  # the summaries' "as of" (worker.summaries)


def _extend(cycle: _Cycle, event: Event, calendar: Calendar, tz: ZoneInfo) -> None:
    """Move the deadline in force, unless the extension came after it (then it was not
    approved in time: kept in the timeline, changes nothing)."""
    days = event.get("working_days")
    moved = extended_deadline(
        calendar,
        cycle.deadline,
        event.ts,
        int(days) if days else None,
        _instant(event, "deadline", tz),
        tz,
    )
    if moved is not None:
        cycle.deadline = moved
        cycle.extensions += 1
        cycle.extended_at = cycle.extended_at or event.ts


def _limit_end(sla: Sla, limit: Limit, dispatch: Event | None, tz: ZoneInfo) -> datetime | None:
    """When a limit from the first dispatch ends (the sign or the contact limit)."""
    return None if dispatch is None else apply_limit(sla.calendar, limit, dispatch.ts, tz)


def _first(ordered: list[Event], status: str, keep) -> Event | None:
    return next((e for e in ordered if e.status == status and keep(e)), None)


def _after_dispatch(ordered: list[Event], status: str, dispatch: Event | None) -> datetime | None:
    """The ts of the first `status` event after the first dispatch."""
    if dispatch is None:
        return None
    found = _first(ordered, status, lambda e: e.order > dispatch.order)
    return found.ts if found else None


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
