"""Incident lists and details: the overdue list and one incident with its timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from data_access.alerts import acknowledged, colour_column
from data_access.case_detail import case_detail
from data_access.kpis import Filters, incident_scope, is_open
from data_access.models import Incident, IncidentEvent

LIST_COLUMNS = (
    "id",
    "town",
    "grid",
    "category",
    "channel",
    "department",
    "priority",
    "status",
    "reported_at",
    "deadline",
    "escalation_level",
)


def hours_between(later: datetime, earlier: datetime) -> float:
    return round((later - earlier).total_seconds() / 3600, 2)


def _open_list(
    engine: Engine, where: list, limit: int, extra, computed=()
) -> tuple[int, list[dict]]:
    """(count, first `limit` rows by deadline) of open incidents matching `where`, with
    the `computed` (labelled SQL expressions) as further columns."""
    order = (Incident.deadline, Incident.id)
    where = [is_open(), *where]
    columns = [*(getattr(Incident, c) for c in LIST_COLUMNS), *computed]
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Incident).where(*where)).scalar()
        rows = conn.execute(select(*columns).where(*where).order_by(*order).limit(limit))
        items = [{**row._asdict(), **extra(row)} for row in rows]
    return int(total or 0), items


def overdue(
    engine: Engine,
    filters: Filters,
    now: datetime,
    limit: int = 100,
    red_hours: float = 24.0,
) -> tuple[int, list]:
    """Open incidents past their deadline: (total, first `limit` rows), most overdue first
    (the API's order and the wall's: the worst cases are the ones to see); each with its
    alert colour (red or yellow: the horizon plays no part) and whether it is
    acknowledged."""
    return _open_list(
        engine,
        [Incident.deadline <= now, *incident_scope(filters)],
        limit,
        lambda row: {
            "hours_overdue": hours_between(now, row.deadline),
            "acknowledged": bool(row.acknowledged),
        },
        computed=(
            colour_column(now, 0.0, red_hours).label("colour"),
            acknowledged(now).label("acknowledged"),
        ),
    )


def due_soon(
    engine: Engine, filters: Filters, now: datetime, warn_hours: float, limit: int = 100
) -> tuple[int, list]:
    """Open incidents whose deadline is within the warning horizon, soonest first."""
    horizon = now + timedelta(hours=warn_hours)
    return _open_list(
        engine,
        [Incident.deadline > now, Incident.deadline <= horizon, *incident_scope(filters)],
        limit,
        lambda row: {"hours_left": hours_between(row.deadline, now)},
    )


def incident_detail(engine: Engine, incident_id: str) -> tuple[dict, list[dict]] | None:
    """(current state, timeline oldest first) or None until its creating event arrived."""
    return case_detail(engine, Incident, IncidentEvent, IncidentEvent.incident_id, incident_id)
