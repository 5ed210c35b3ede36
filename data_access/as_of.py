"""The incidents the summaries count by their current state but the definition, as of an
instant `at` (now, or an earlier instant a comparison is made as of), counts otherwise:
closed after `at`, or reported after it. The summaries' figures less these rows' current
contribution plus their contribution as of `at` are the figures as of `at`
(data_access.kpis, data_access.median).

Each is found by its own index. As of now they are few (clock skew): closed after now by
ix_incidents_closed_at. As of an earlier instant, everything closed since then would be
many rows; the window's are read day by day, `reported_day IN (each day) AND closed_at >
at` through ix_incidents_day_closed (reported_day, closed_at): one index descent per day
that reads only the rows closed (or settled, ix_incidents_day_settled) after `at`.
Before it, rows with a time to close over 7 days were read through the span's index, and
with 15-working-day deadlines that was a third of the table: 0.8 s a query at 5 M rows,
against 8 ms day by day (docs/benchmarks.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, not_
from sqlalchemy.sql import ColumnElement

from common.vocabulary import CLOSED_STATUSES
from data_access.models import Incident

if TYPE_CHECKING:
    from data_access.kpis import Window

RECENT = timedelta(days=2)  # as of up to this long ago, few rows closed since: by closed_at
RUN_DAYS = 31


def closed_after(at: datetime) -> ColumnElement:
    return and_(Incident.status.in_(CLOSED_STATUSES), Incident.closed_at > at)


def _day_by_day(window: Window) -> list[ColumnElement]:
    """The window's days, one by one, in runs of at most RUN_DAYS, a query each: an index
    on (reported_day, x) then reads each day's rows with x past a bound, not the whole
    day (PostgreSQL: = ANY, SQLite: IN probes). PostgreSQL takes a longer list for about
    half the table and reads ix_incidents_closed_at instead: 2 s for a year at 5 M rows
    against 12 runs of 10 ms."""
    days = [window.start + timedelta(days=n) for n in range((window.end - window.start).days + 1)]
    return [
        Incident.reported_day.in_(days[i : i + RUN_DAYS]) for i in range(0, len(days), RUN_DAYS)
    ]


def changed_since(window: Window, at: datetime, now: datetime) -> list[list]:
    """WHERE clauses, each for a query of its own, that together find every incident
    reported in `window` and closed after `at` or reported after it, each once (and
    possibly some others, which the callers' conditions leave out)."""
    later = closed_after(at)
    reported_later = and_(
        Incident.reported_day.between((at - timedelta(days=1)).date(), window.end),
        Incident.reported_at > at,
        not_(later),
    )
    if now - at <= RECENT:
        return [[later], [reported_later]]
    return [[reported_later], *([later, days] for days in _day_by_day(window))]


def settled_since(window: Window, at: datetime, now: datetime) -> list[list]:
    """WHERE clauses, each for a query of its own, that together find every incident
    reported in `window` whose settled_at (data_access.work_order.settled_at) is after
    `at`, each once: as of now by ix_incidents_settled_at, as of an earlier instant day by
    day through ix_incidents_day_settled (as changed_since)."""
    later = Incident.settled_at > at
    if now - at <= RECENT:
        return [[later]]
    return [[later, days] for days in _day_by_day(window)]
