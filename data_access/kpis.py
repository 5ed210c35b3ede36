"""The figures of CONTRACT section 2: the one definition every page, the API and bench use.

Each function takes the window as local days, the filters, and the instant `now`
(and optionally `as_of`, an earlier instant: what had happened by then). Rates whose
denominator is 0 are None. Grouped variants return one row per value of a dimension
(town, department, ...) computed by the same expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, case, func, literal, not_, or_, select
from sqlalchemy.sql import ColumnElement

from data_access.models import CLOSED_STATUSES, OPEN_STATUSES, Dispute, Incident

INCIDENT_DIMENSIONS = (
    "town",
    "category",
    "channel",
    "department",
    "grid",
    "priority",
    "reported_day",
)
DISPUTE_DIMENSIONS = ("town", "kind", "mediation_type", "mediator")


@dataclass(frozen=True)
class Filters:
    """Any-of filters; an empty tuple means no filter. Only `towns` narrows disputes."""

    towns: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError("start is after end")


def rate(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator


def incident_scope(filters: Filters) -> list[ColumnElement]:
    pairs = (
        (Incident.town, filters.towns),
        (Incident.category, filters.categories),
        (Incident.channel, filters.channels),
        (Incident.department, filters.departments),
    )
    return [column.in_(values) for column, values in pairs if values]


def _count(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _hours_to_close(dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return func.extract("epoch", Incident.closed_at - Incident.reported_at) / 3600.0
    return (func.julianday(Incident.closed_at) - func.julianday(Incident.reported_at)) * 24.0


def _incident_conditions(window: Window, at: datetime, warn_hours: float):
    """The contract's sets as SQL conditions, evaluated as of instant `at`."""
    not_rejected = Incident.status != "rejected"
    closed_by = and_(Incident.status.in_(CLOSED_STATUSES), Incident.closed_at <= at)
    open_at = and_(not_rejected, not_(closed_by))
    received = and_(
        Incident.reported_day.between(window.start, window.end),
        Incident.reported_at <= at,
        not_rejected,
    )
    due = and_(
        Incident.deadline_day.between(window.start, window.end),
        Incident.deadline <= at,
        not_rejected,
    )
    horizon = at + timedelta(hours=warn_hours)
    return {
        "received": received,
        "closed": and_(received, closed_by),
        "due": due,
        "on_time": and_(due, closed_by, Incident.closed_at <= Incident.deadline),
        "overdue_open": and_(received, open_at, Incident.deadline <= at),
        "due_soon": and_(received, open_at, Incident.deadline > at, Incident.deadline <= horizon),
        "rated": and_(received, closed_by, Incident.satisfaction.is_not(None)),
        "satisfied": and_(received, closed_by, Incident.satisfaction >= 4),
    }


def _incident_shape(counts: dict) -> dict:
    counts = {k: int(v or 0) for k, v in counts.items()}
    return {
        "received": counts["received"],
        "closed": counts["closed"],
        "closure_rate": rate(counts["closed"], counts["received"]),
        "due": counts["due"],
        "on_time": counts["on_time"],
        "on_time_rate": rate(counts["on_time"], counts["due"]),
        "overdue_open": counts["overdue_open"],
        "due_soon": counts["due_soon"],
        "rated": counts["rated"],
        "satisfied": counts["satisfied"],
        "satisfaction_rate": rate(counts["satisfied"], counts["rated"]),
    }


def _median(engine: Engine, condition: ColumnElement) -> float | None:
    """Exact median of hours to close, by sorting in the database (both dialects)."""
    hours = _hours_to_close(engine.dialect.name).label("h")
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).where(condition)).scalar_one()
        if not n:
            return None
        middle = conn.execute(
            select(hours).where(condition).order_by(hours).offset((n - 1) // 2).limit(2 - n % 2)
        ).scalars()
        values = [float(v) for v in middle]
    return round(sum(values) / len(values), 2)


def incident_figures(
    engine: Engine,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    as_of: datetime | None = None,
) -> dict:
    """The `incidents` object of GET /api/v1/kpis for the window, as of `as_of` or now."""
    at = as_of or now
    conditions = _incident_conditions(window, at, warn_hours)
    scope = incident_scope(filters)
    # Only rows that can count: reported in the window or due in it.
    relevant = or_(
        Incident.reported_day.between(window.start, window.end),
        Incident.deadline_day.between(window.start, window.end),
    )
    query = select(*(_count(c).label(k) for k, c in conditions.items())).where(relevant, *scope)
    with engine.connect() as conn:
        counts = conn.execute(query).one()._asdict()
    figures = _incident_shape(counts)
    figures["median_hours_to_close"] = _median(engine, and_(conditions["closed"], *scope))
    return figures


def incident_figures_by(
    engine: Engine,
    dimension: str,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    as_of: datetime | None = None,
) -> list[dict]:
    """incident_figures per value of `dimension` (no median), largest volume first."""
    if dimension not in INCIDENT_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    column = getattr(Incident, dimension)
    conditions = _incident_conditions(window, as_of or now, warn_hours)
    relevant = or_(
        Incident.reported_day.between(window.start, window.end),
        Incident.deadline_day.between(window.start, window.end),
    )
    query = (
        select(column.label("key"), *(_count(c).label(k) for k, c in conditions.items()))
        .where(relevant, *incident_scope(filters))
        .group_by(column)
    )
    with engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(query)]
    out = [{"key": r.pop("key"), **_incident_shape(r)} for r in rows]
    return sorted(out, key=lambda r: (-r["received"], str(r["key"])))


def _dispute_counts(at: datetime, window: Window) -> dict[str, ColumnElement]:
    accepted = and_(
        Dispute.accepted_day.between(window.start, window.end), Dispute.accepted_at <= at
    )

    def outcome(status: str) -> ColumnElement:
        return and_(accepted, Dispute.status == status, Dispute.resolved_at <= at)

    return {
        "accepted": accepted,
        **{s: outcome(s) for s in ("mediated", "adjudicated", "failed", "litigation")},
        "withdrawn": outcome("withdrawn"),
    }


def _dispute_shape(counts: dict) -> dict:
    c = {k: int(v or 0) for k, v in counts.items()}
    decided = c["mediated"] + c["adjudicated"] + c["failed"] + c["litigation"]
    resolved = c["mediated"] + c["adjudicated"]
    return {
        "accepted": c["accepted"],
        "mediated": c["mediated"],
        "adjudicated": c["adjudicated"],
        "failed": c["failed"],
        "litigation": c["litigation"],
        "withdrawn": c["withdrawn"],
        "pending": c["accepted"] - decided - c["withdrawn"],
        "resolution_rate": rate(resolved, c["accepted"]),
        "mediation_success_rate": rate(c["mediated"], decided),
    }


def dispute_figures(
    engine: Engine,
    window: Window,
    towns: tuple[str, ...],
    now: datetime,
    as_of: datetime | None = None,
    dimension: str | None = None,
) -> dict | list[dict]:
    """The `disputes` object of GET /api/v1/kpis; per `dimension` value when given."""
    conditions = _dispute_counts(as_of or now, window)
    key = literal("all") if dimension is None else getattr(Dispute, dimension)
    if dimension is not None and dimension not in DISPUTE_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    query = select(key.label("key"), *(_count(c).label(k) for k, c in conditions.items()))
    query = query.where(Dispute.accepted_day.between(window.start, window.end))
    if towns:
        query = query.where(Dispute.town.in_(towns))
    query = query.group_by(key) if dimension else query
    with engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(query)]
    shaped = [{"key": r.pop("key"), **_dispute_shape(r)} for r in rows]
    if dimension is None:
        figures = shaped[0] if shaped else _dispute_shape(dict.fromkeys(conditions, 0))
        figures.pop("key", None)
        return figures
    return sorted(shaped, key=lambda r: (-r["accepted"], str(r["key"])))


def backlog(engine: Engine, filters: Filters, now: datetime, warn_hours: float = 24.0) -> dict:
    """Every incident still open, whenever reported: open, overdue and due soon now."""
    is_open = Incident.status.in_(OPEN_STATUSES)
    horizon = now + timedelta(hours=warn_hours)
    query = select(
        func.count().label("open"),
        _count(Incident.deadline <= now).label("overdue"),
        _count(and_(Incident.deadline > now, Incident.deadline <= horizon)).label("due_soon"),
    ).where(is_open, *incident_scope(filters))
    with engine.connect() as conn:
        return {k: int(v or 0) for k, v in conn.execute(query).one()._asdict().items()}


def kpis(
    engine: Engine,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    as_of: datetime | None = None,
) -> dict:
    """The three figure families of GET /api/v1/kpis (without the window header)."""
    return {
        "incidents": incident_figures(engine, window, filters, now, warn_hours, as_of),
        "disputes": dispute_figures(engine, window, filters.towns, now, as_of),
        "backlog": backlog(engine, filters, now, warn_hours),
    }
