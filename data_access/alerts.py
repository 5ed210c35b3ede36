"""The alert colours of open incidents (CONTRACT 2, Alerts): the one definition, as SQL
conditions on the incidents row as of an instant, read by the alerts list, the overdue
list and the backlog's counts. Nothing is stored: a colour changes with time alone.

The conditions hold for open incidents only; the caller narrows to them (data_access.kpis
is_open, which keeps the partial index on open deadlines in use).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, not_, or_
from sqlalchemy.sql import ColumnElement

from data_access.models import Incident

RED, YELLOW, BLUE = "red", "yellow", "blue"
COLOURS = (RED, YELLOW, BLUE)  # also the list's order: red first
RED_LEVEL = 2  # an escalation level from which an open incident is red


def colour_conditions(
    now: datetime, warn_hours: float, red_hours: float
) -> dict[str, ColumnElement]:
    """Each colour's condition on an open incident as of `now`; at most one holds."""
    overdue = Incident.deadline <= now
    red = or_(
        Incident.deadline <= now - timedelta(hours=red_hours),
        Incident.escalation_level >= RED_LEVEL,
    )
    due_soon = and_(not_(overdue), Incident.deadline <= now + timedelta(hours=warn_hours))
    return {RED: red, YELLOW: and_(overdue, not_(red)), BLUE: and_(due_soon, not_(red))}


def colour_column(now: datetime, warn_hours: float, red_hours: float) -> ColumnElement:
    """An open incident's colour as of `now`, or NULL when it has none."""
    conditions = colour_conditions(now, warn_hours, red_hours)
    return case(*((conditions[c], c) for c in COLOURS), else_=None)


def colour_rank(now: datetime, warn_hours: float, red_hours: float) -> ColumnElement:
    """0 for red, 1 for yellow, 2 for blue (and for none): the list's first sort key."""
    conditions = colour_conditions(now, warn_hours, red_hours)
    return case(*((conditions[c], i) for i, c in enumerate(COLOURS)), else_=len(COLOURS) - 1)


def acknowledged(now: datetime) -> ColumnElement:
    """An `acknowledged` event at or after the deadline in force, by `now`. The fold keeps
    the first such event (acknowledged_at, acknowledged_by) and clears it when a later
    deadline comes into force (a reopening or an extension)."""
    return and_(Incident.acknowledged_at.is_not(None), Incident.acknowledged_at <= now)
