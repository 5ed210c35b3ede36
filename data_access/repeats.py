"""Repeat reports (重复报告): a problem reported again after it was closed (issue 19).

A repeat report is an incident reported in the window (by `now`), not rejected, that is
a duplicate of an incident already closed when it came in: the earlier incident's first
closing (`closed_once_at`) is at or before the repeat's `reported_at`, and either the
repeat was merged into it (status merged, `merged_into`) or ingest found the pair
(`duplicate_candidates`, the repeat being the later report) at or above the threshold
staff see, and staff did not dismiss it. Each repeat counts once, in its own grid,
however many closed incidents it repeats; a merged repeat counts (it is the signal,
though the figures exclude it). Leaders read it as "closed but not solved".

The filters narrow the repeat as they narrow every figure (data_access.kpis).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, exists, func, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from common.duplicates import THRESHOLD
from common.vocabulary import MERGED, REJECTED
from data_access.kpis import Filters, Window, incident_scope
from data_access.models import DuplicateCandidate, DuplicateDismissal, Incident

C, D = DuplicateCandidate, DuplicateDismissal


def _in_window(window: Window, now: datetime) -> list[ColumnElement]:
    return [
        Incident.reported_day.between(window.start, window.end),
        Incident.reported_at <= now,
        Incident.status != REJECTED,
    ]


def _closed_before(earlier) -> ColumnElement:
    """The earlier incident had been closed at least once when the repeat was reported."""
    return and_(earlier.closed_once_at.is_not(None), earlier.closed_once_at <= Incident.reported_at)


def repeat_ids(window: Window, filters: Filters, now: datetime):
    """A select of the repeat reports' (id, grid), each once."""
    scope = [*_in_window(window, now), *incident_scope(filters)]
    into = aliased(Incident, name="repeated")
    merged = (
        select(Incident.id, Incident.grid)
        .join(into, into.id == Incident.merged_into)
        .where(Incident.status == MERGED, _closed_before(into), *scope)
    )
    earlier = aliased(Incident, name="earlier")
    dismissed = exists().where(D.incident_id == C.incident_id, D.candidate_id == C.candidate_id)
    candidate = (
        select(Incident.id, Incident.grid)
        .join(C, C.incident_id == Incident.id)
        .join(earlier, earlier.id == C.candidate_id)
        .where(
            C.score >= THRESHOLD,
            ~dismissed,
            earlier.status != REJECTED,
            _closed_before(earlier),
            *scope,
        )
    )
    return union(merged, candidate)  # UNION, not ALL: a repeat found both ways counts once


def repeats_by_grid(
    engine: Engine, window: Window, filters: Filters, now: datetime
) -> dict[str | None, int]:
    """Repeat reports per grid code (None: reports with no grid), grids with none left out."""
    found = repeat_ids(window, filters, now).subquery()
    query = select(found.c.grid, func.count()).group_by(found.c.grid)
    with engine.connect() as conn:
        return {grid: int(n) for grid, n in conn.execute(query)}
