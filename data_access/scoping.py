"""Where the caller's scope (common.scope, CONTRACT 2 "Scopes") meets SQL: the one place
every incident and dispute query of the data layer passes through.

The figures' filters are narrowed here (kpis.incident_scope and the summaries' town
lists call `scoped_filters`), a case looked up by id is found only inside the scope, and
disputes are kept to the scope's towns (none for a department scope). Pages, callbacks and
the API never repeat it: they set the scope once per request (dashboard.auth) and ask.
A filter outside the scope raises common.scope.OutOfScope (the API's 403, the pages'
refusal); a case outside it is simply not found.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import false
from sqlalchemy.sql import ColumnElement

from common.scope import OutOfScope, current, narrow
from data_access.models import Dispute, Incident

if TYPE_CHECKING:
    from data_access.kpis import Filters

F = TypeVar("F", bound="Filters")

__all__ = [
    "OutOfScope",
    "case_in_scope",
    "dispute_in_scope",
    "dispute_towns",
    "incident_in_scope",
    "offered",
    "ranked_dimensions",
    "scoped_filters",
    "sees_disputes",
]


# What the leader's rankings rank under each kind of scope (CONTRACT 2): the county its
# towns and departments, a town scope its communities and grids, a department scope its
# departments.
RANKED = {
    "county": ("town", "department"),
    "town": ("community", "grid"),
    "department": ("department",),
}


def ranked_dimensions() -> tuple[str, ...]:
    return RANKED[current().kind]


def offered(kind: str, codes: list[str]) -> list[str]:
    """The codes of `kind` a filter control offers the current scope: a town scope only
    its towns, a department scope only its departments (the other kind narrows within)."""
    scope = current()
    return [c for c in codes if c in scope.codes] if kind == scope.kind else list(codes)


def scoped_filters(filters: F) -> F:
    """`filters` narrowed to the current scope (idempotent): a town scope's towns, a
    department scope's departments, the other kind narrowing within."""
    towns, departments = narrow(current(), filters.towns, filters.departments)
    if (towns, departments) == (filters.towns, filters.departments):
        return filters
    return replace(filters, towns=towns, departments=departments)


def incident_in_scope(entity=Incident) -> list[ColumnElement]:
    """Conditions keeping incidents (or an alias of them) to the current scope (none for
    the county)."""
    scope = current()
    if scope.kind == "town":
        return [entity.town.in_(scope.codes)]
    if scope.kind == "department":
        return [entity.department.in_(scope.codes)]
    return []


def sees_disputes() -> bool:
    return current().sees_disputes


def dispute_towns(towns: tuple[str, ...]) -> tuple[str, ...]:
    """A disputes' town filter narrowed to a town scope (OutOfScope for a town outside
    it); for a department scope, which sees no disputes, callers ask `sees_disputes`."""
    return narrow(current(), tuple(towns), ())[0]


def dispute_in_scope() -> list[ColumnElement]:
    """Conditions keeping disputes to the current scope: its towns, nothing for a
    department scope."""
    scope = current()
    if scope.kind == "town":
        return [Dispute.town.in_(scope.codes)]
    if scope.kind == "department":
        return [false()]
    return []


def case_in_scope(model) -> list[ColumnElement]:
    """incident_in_scope or dispute_in_scope, for code that reads either (case_detail)."""
    return dispute_in_scope() if model is Dispute else incident_in_scope()
