"""The dispute list (/disputes) and its CSV export: one filtered query, whose KPI sets are
data_access.kpis's dispute conditions (the mediation tiles click through to them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, Select, func, not_, or_, select
from sqlalchemy.sql import ColumnElement

from common.vocabulary import DECIDED, OUTCOMES_SHOWN, PENDING, RESOLVED
from data_access import listing
from data_access.kpis import Window, dispute_conditions
from data_access.listing import Sort
from data_access.models import Dispute
from data_access.scoping import dispute_in_scope, dispute_towns

KPI_SETS = ("accepted", *OUTCOMES_SHOWN, "resolved", "decided", PENDING)
NAMED = {
    "town": "town",
    "grid": "grid",
    "kind": "dispute_kind",
    "mediation_type": "mediation_type",
    "mediator": "mediator",
    "status": "dispute_status",
}
COLUMNS = (
    "id",
    "town",
    "grid",
    "kind",
    "mediation_type",
    "mediator",
    "status",
    "accepted_at",
    "resolved_at",
    "judicial_confirmation",
)
SORTABLE = frozenset(COLUMNS)
DEFAULT_SORT = Sort("accepted_at", descending=True)


@dataclass(frozen=True)
class DisputeQuery:
    towns: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    mediation_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    accepted_from: date | None = None
    accepted_to: date | None = None
    sets: tuple[str, ...] = ()  # any of KPI_SETS, evaluated over `window`
    window: Window | None = None
    id_prefix: str = ""


def set_condition(name: str, window: Window, now: datetime) -> ColumnElement:
    """The figures' sets; resolved, decided and pending as kpis._dispute_shape adds them."""
    sets = dispute_conditions(now, window)
    if name == "resolved":
        return or_(*(sets[s] for s in RESOLVED))
    if name == "decided":
        return or_(*(sets[s] for s in DECIDED))
    if name == PENDING:
        return sets["accepted"] & not_(or_(*(sets[s] for s in OUTCOMES_SHOWN)))
    return sets[name]


def conditions(q: DisputeQuery, now: datetime) -> list[ColumnElement]:
    pairs = (
        (Dispute.town, dispute_towns(q.towns)),
        (Dispute.kind, q.kinds),
        (Dispute.mediation_type, q.mediation_types),
        (Dispute.status, q.statuses),
    )
    where = [*dispute_in_scope(), *(column.in_(values) for column, values in pairs if values)]
    if q.accepted_from is not None:
        where.append(Dispute.accepted_day >= q.accepted_from)
    if q.accepted_to is not None:
        where.append(Dispute.accepted_day <= q.accepted_to)
    if q.sets:
        if q.window is None:
            raise ValueError("a KPI set needs a window")
        where.append(or_(*(set_condition(s, q.window, now) for s in q.sets)))
    if q.id_prefix:
        where.append(Dispute.id.startswith(q.id_prefix, autoescape=True))
    return where


def dispute_select(q: DisputeQuery, now: datetime, *columns) -> Select:
    """SELECT `columns` FROM disputes WHERE <the list's filter>."""
    return select(*columns).select_from(Dispute).where(*conditions(q, now))


def sorted_select(q: DisputeQuery, now: datetime, sort: Sort, lang: str) -> Select:
    if sort.column not in SORTABLE:
        raise ValueError(f"cannot sort by {sort.column!r}")
    query = dispute_select(q, now, *(getattr(Dispute, c) for c in COLUMNS))
    expression = getattr(Dispute, sort.column)
    if sort.column in NAMED:
        query, expression = listing.by_name(query, expression, NAMED[sort.column], lang)
    return listing.order(
        query,
        [(expression, Dispute.__table__.c[sort.column].nullable)],
        sort.descending,
        Dispute.id,
    )


def dispute_page(
    engine: Engine, q: DisputeQuery, now: datetime, sort: Sort, lang: str, start: int, stop: int
) -> list[dict]:
    return listing.page(engine, sorted_select(q, now, sort, lang), start, stop)


def dispute_total(engine: Engine, q: DisputeQuery, now: datetime) -> int:
    return listing.count(engine, dispute_select(q, now, func.count()))


def dispute_export(
    engine: Engine, q: DisputeQuery, now: datetime, sort: Sort, lang: str
) -> Iterator[dict]:
    return listing.stream(engine, sorted_select(q, now, sort, lang))
