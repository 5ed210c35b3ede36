"""The incident list (/incidents), the counts above it and its CSV export: one query.

`incident_select` builds the filter every use shares, so the grid, the overdue counts
and the export always agree. The KPI sets are data_access.kpis's own conditions, so the
number on a tile and the list it opens are the same cases (tests/test_incident_list.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, Select, and_, case, func, not_, or_, select
from sqlalchemy.sql import ColumnElement

from common.vocabulary import CLOSED_STATUSES, PRIORITIES, SATISFACTION_SCORES
from data_access import listing, work_order
from data_access.alerts import colour_column
from data_access.kpis import (
    Filters,
    Window,
    backlog_conditions,
    incident_conditions,
    incident_scope,
    is_open,
)
from data_access.listing import Sort
from data_access.models import Incident

KPI_SETS = (
    "received",
    "closed",
    "due",
    "on_time",
    "late",
    "overdue_open",
    "due_soon",
    "rated",
    "satisfied",
    "duplicates",
)
BACKLOG_SETS = ("open", "overdue", "due_soon")  # the backlog now, no window
# the KPI sets over a window, the work order's among them (second edition), and the backlog's
SETS = (*KPI_SETS, *work_order.SETS, *(f"backlog_{name}" for name in BACKLOG_SETS))
# how long past the deadline, in hours: [low, high)
OVERDUE_BUCKETS = {"lt1d": (0, 24), "1to3d": (24, 72), "3to7d": (72, 168), "gt7d": (168, None)}
TIMELINESS = ("on_time", "late")
SATISFACTION = (*SATISFACTION_SCORES, "none")
PRIORITY_ORDER = PRIORITIES
# columns shown by a name from the master data catalogue, and the catalogue's kind
NAMED = {
    "town": "town",
    "grid": "grid",
    "category": "category",
    "channel": "channel",
    "department": "department",
    "status": "incident_status",
    "priority": "priority",
}
COLUMNS = (
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
    "closed_at",
    "escalation_level",
    "satisfaction",
)
GRID_COLUMNS = (*COLUMNS, "title")
# the work order's facts (second edition), exported beside the list's columns
WORK_COLUMNS = ("signed_at", "contacted_at", "returns", "extensions", "merged_into", "solved")
EXPORT_COLUMNS = (*GRID_COLUMNS, *WORK_COLUMNS, "reporter_phone")
SORTABLE = frozenset({*COLUMNS, "hours_overdue"})
DEFAULT_SORT = Sort("reported_at", descending=True)
COUNT_DIMENSIONS = ("town", "department")
DAY_INDEXED = {"reported_at": Incident.reported_day}


@dataclass(frozen=True)
class IncidentQuery:
    """The list's filters; every given one narrows (values within one are any-of)."""

    filters: Filters = Filters()  # town, category, channel, department
    priorities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    reported_from: date | None = None
    reported_to: date | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None
    timeliness: str | None = None  # on_time | late
    satisfaction: tuple[str, ...] = ()  # "1".."5", "none"
    overdue: tuple[str, ...] = ()  # OVERDUE_BUCKETS keys
    escalated: bool | None = None
    work: tuple[str, ...] = ()  # any of work_order.STATES, as of now
    sets: tuple[str, ...] = ()  # any of SETS; KPI_SETS are evaluated over `window`
    window: Window | None = None
    backlog: str | None = None  # one of BACKLOG_SETS (the list's views), and-ed
    id_prefix: str = ""


def _between(column, low: date | None, high: date | None) -> list[ColumnElement]:
    where = []
    if low is not None:
        where.append(column >= low)
    if high is not None:
        where.append(column <= high)
    return where


def _timeliness(value: str, now: datetime) -> ColumnElement:
    closed = Incident.status.in_(CLOSED_STATUSES)
    if value == "on_time":
        return and_(closed, Incident.closed_at <= Incident.deadline)
    return or_(
        and_(closed, Incident.closed_at > Incident.deadline),
        and_(is_open(), Incident.deadline <= now),
    )


def _satisfaction(values: tuple[str, ...]) -> ColumnElement:
    scores = [int(v) for v in values if v != "none"]
    either = [Incident.satisfaction.in_(scores)] if scores else []
    if "none" in values:
        either.append(Incident.satisfaction.is_(None))
    return or_(*either)


def _overdue(buckets: tuple[str, ...], now: datetime) -> ColumnElement:
    ranges = []
    for name in buckets:
        low, high = OVERDUE_BUCKETS[name]
        bounds = [Incident.deadline <= now - timedelta(hours=low)]
        if high is not None:
            bounds.append(Incident.deadline > now - timedelta(hours=high))
        ranges.append(and_(*bounds))
    return and_(is_open(), or_(*ranges))


def set_condition(
    name: str, window: Window | None, now: datetime, warn_hours: float
) -> ColumnElement:
    """A set of CONTRACT 2 exactly as kpis.py counts it: a KPI set over `window`
    (`late` = due and not on time), or `backlog_<set>` (no window)."""
    if name.startswith("backlog_"):
        return backlog_conditions(now, warn_hours)[name.removeprefix("backlog_")]
    if window is None:
        raise ValueError(f"the set {name!r} needs a window")
    sets = incident_conditions(window, now, warn_hours)
    if name in work_order.SETS:
        return work_order.window_sets(sets["received"], sets["closed"], now)[name]
    if name == "late":
        return and_(sets["due"], not_(sets["on_time"]))
    return sets[name]


def conditions(q: IncidentQuery, now: datetime, warn_hours: float) -> list[ColumnElement]:
    where = list(incident_scope(q.filters))
    if q.priorities:
        where.append(Incident.priority.in_(q.priorities))
    if q.statuses:
        where.append(Incident.status.in_(q.statuses))
    where += _between(Incident.reported_day, q.reported_from, q.reported_to)
    where += _between(Incident.deadline_day, q.deadline_from, q.deadline_to)
    if q.timeliness:
        where.append(_timeliness(q.timeliness, now))
    if q.satisfaction:
        where.append(_satisfaction(q.satisfaction))
    if q.overdue:
        where.append(_overdue(q.overdue, now))
    if q.escalated is not None:
        level = Incident.escalation_level
        where.append(level >= 1 if q.escalated else level == 0)
    if q.work:
        states = work_order.states(now)
        where.append(or_(*(states[s] for s in q.work)))
    if q.sets:
        where.append(or_(*(set_condition(s, q.window, now, warn_hours) for s in q.sets)))
    if q.backlog:
        where.append(backlog_conditions(now, warn_hours)[q.backlog])
    if q.id_prefix:
        where.append(Incident.id.startswith(q.id_prefix, autoescape=True))
    return where


def incident_select(q: IncidentQuery, now: datetime, warn_hours: float, *columns) -> Select:
    """SELECT `columns` FROM incidents WHERE <the list's filter>: the one filtered query."""
    return select(*columns).select_from(Incident).where(*conditions(q, now, warn_hours))


def sorted_select(
    q: IncidentQuery,
    now: datetime,
    warn_hours: float,
    sort: Sort,
    lang: str,
    columns: tuple[str, ...] = COLUMNS,
) -> Select:
    if sort.column not in SORTABLE:
        raise ValueError(f"cannot sort by {sort.column!r}")
    query = incident_select(q, now, warn_hours, *(getattr(Incident, c) for c in columns))
    descending = sort.descending
    if sort.column == "priority":
        ranks = {p: i for i, p in enumerate(PRIORITY_ORDER)}
        keys = [(case(ranks, value=Incident.priority, else_=len(ranks)), False)]
    elif sort.column == "hours_overdue":  # most overdue = earliest deadline
        keys, descending = [(Incident.deadline, False)], not descending
    elif sort.column in DAY_INDEXED:  # the local day leads, so its index serves the order
        keys = [(DAY_INDEXED[sort.column], False), (getattr(Incident, sort.column), False)]
    else:
        column = getattr(Incident, sort.column)
        nullable = Incident.__table__.c[sort.column].nullable
        if sort.column in NAMED:
            query, column = listing.by_name(query, column, NAMED[sort.column], lang)
        keys = [(column, nullable)]
    return listing.order(query, keys, descending, Incident.id)


def incident_page(
    engine: Engine,
    q: IncidentQuery,
    now: datetime,
    warn_hours: float,
    sort: Sort,
    lang: str,
    start: int,
    stop: int,
    red_hours: float = 24.0,
) -> list[dict]:
    """Rows [start, stop) of the sorted list (codes, not names: naming is the pages' job),
    each with its alert colour as of `now` (data_access.alerts; None when closed or none)."""
    query = sorted_select(q, now, warn_hours, sort, lang, GRID_COLUMNS).add_columns(
        case((is_open(), colour_column(now, warn_hours, red_hours)), else_=None).label("colour")
    )
    return listing.page(engine, query, start, stop)


def incident_total(engine: Engine, q: IncidentQuery, now: datetime, warn_hours: float) -> int:
    return listing.count(engine, incident_select(q, now, warn_hours, func.count()))


def incident_counts_by(
    engine: Engine, q: IncidentQuery, now: datetime, warn_hours: float, dimension: str
) -> list[tuple[str | None, int]]:
    """(value, count) of the list's rows per town or department, largest first."""
    if dimension not in COUNT_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    column = getattr(Incident, dimension)
    query = incident_select(q, now, warn_hours, column, func.count()).group_by(column)
    with engine.connect() as conn:
        rows = [(key, int(n)) for key, n in conn.execute(query)]
    return sorted(rows, key=lambda r: (-r[1], str(r[0])))


def incident_export(
    engine: Engine, q: IncidentQuery, now: datetime, warn_hours: float, sort: Sort, lang: str
) -> Iterator[dict]:
    """Every row of the sorted list with the export's columns, streamed."""
    query = sorted_select(q, now, warn_hours, sort, lang, EXPORT_COLUMNS)
    return listing.stream(engine, query)
