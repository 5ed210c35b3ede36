"""The alerts list (GET /api/v1/alerts): open incidents with a colour, red first, then
yellow, then blue, within a colour the earliest deadline (most overdue, or soonest due)
first; with each colour's count over the same filters but the colour. The wall's panel
(the duty officer's work queue) asks for the overdue ones nobody took in hand first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, case, not_, or_, select

from data_access.alerts import (
    BLUE,
    COLOURS,
    acknowledged,
    colour_column,
    colour_conditions,
    colour_rank,
)
from data_access.incidents import LIST_COLUMNS, hours_between
from data_access.kpis import Filters, _count, incident_scope, is_open
from data_access.models import Incident
from data_access.scoping import incident_in_scope


def alerts(
    engine: Engine,
    filters: Filters,
    now: datetime,
    warn_hours: float,
    red_hours: float,
    colours: tuple[str, ...] = (),
    is_acknowledged: bool | None = None,
    limit: int = 100,
    unacknowledged_first: bool = False,
) -> tuple[int, dict[str, int], list[dict]]:
    """(total, counts by colour, the first `limit` items) as of `now`, of the `colours`
    (all when empty); with
    `unacknowledged_first`, unacknowledged red, unacknowledged yellow, acknowledged red,
    acknowledged yellow, then blue (never acknowledged: it is not overdue)."""
    conditions = colour_conditions(now, warn_hours, red_hours)
    rank = colour_rank(now, warn_hours, red_hours)
    order = [rank, Incident.deadline, Incident.id]
    if unacknowledged_first:
        order = [case((conditions[BLUE], 1), else_=0), acknowledged(now), *order]
    where = [is_open(), *incident_scope(filters)]
    if is_acknowledged is not None:
        taken = acknowledged(now)
        where.append(taken if is_acknowledged else not_(taken))
    counts_query = select(*(_count(conditions[c]).label(c) for c in COLOURS)).where(*where)
    columns = [getattr(Incident, c) for c in LIST_COLUMNS]
    items_query = (
        select(
            *columns,
            colour_column(now, warn_hours, red_hours).label("colour"),
            acknowledged(now).label("acknowledged"),
            Incident.acknowledged_at,
            Incident.acknowledged_by,
        )
        .where(*where, or_(*(conditions[c] for c in colours or COLOURS)))
        .order_by(*order)
        .limit(limit)
    )
    with engine.connect() as conn:
        counts = {k: int(v or 0) for k, v in conn.execute(counts_query).one()._asdict().items()}
        rows = conn.execute(items_query).mappings().all()
    total = sum(counts[c] for c in colours or COLOURS)
    return total, counts, [_item(dict(row), now) for row in rows]


def _item(row: dict, now: datetime) -> dict:
    taken = bool(row["acknowledged"])
    return {
        **row,
        "hours_overdue": max(hours_between(now, row["deadline"]), 0.0),
        "acknowledged": taken,
        "acknowledged_at": row["acknowledged_at"] if taken else None,
        "acknowledged_by": row["acknowledged_by"] if taken else None,
    }


def alert_state(
    engine: Engine, incident_id: str, now: datetime, warn_hours: float, red_hours: float
) -> dict:
    """One incident's colour (or None: closed, or no alert) and acknowledgement as of
    `now`, by the same definition as the list (the incident page and the API detail)."""
    query = select(
        colour_column(now, warn_hours, red_hours).label("colour"),
        acknowledged(now).label("acknowledged"),
        Incident.acknowledged_at,
        Incident.acknowledged_by,
    ).where(Incident.id == incident_id, is_open(), *incident_in_scope())
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    taken = row is not None and bool(row["acknowledged"])
    return {
        "colour": row["colour"] if row is not None else None,
        "acknowledged": taken,
        "acknowledged_at": row["acknowledged_at"] if taken else None,
        "acknowledged_by": row["acknowledged_by"] if taken else None,
    }
