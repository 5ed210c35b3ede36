"""The incidents the summaries count by their current state but the definition, as of an
instant `at` (now, or an earlier instant a comparison is made as of), counts otherwise:
closed after `at`, or reported after it. The summaries' figures less these rows' current
contribution plus their contribution as of `at` are the figures as of `at`
(data_access.kpis, data_access.median).

Each is found by its own index. As of now they are few (clock skew): closed after now by
ix_incidents_closed_at. As of an earlier instant, everything closed since then would be
many rows; of the window's incidents, those reported in the last days before `at` are read
by their reported day, and the earlier ones, which can only have closed after `at` if their
time to close is longer than SPAN_DAYS, by ix_incidents_close_span.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, not_
from sqlalchemy.sql import ColumnElement

from common.vocabulary import CLOSED_STATUSES
from data_access.close_span import settled_span_at_least, span_at_least
from data_access.models import Incident

if TYPE_CHECKING:
    from data_access.kpis import Window

SPAN_DAYS = 7
RECENT = timedelta(days=2)  # as of up to this long ago, few rows closed since: by closed_at
ZONE_SLACK = timedelta(hours=12)  # a local day ends at most this long after its UTC date
MARGIN_SECONDS = 1.0  # SQL's time arithmetic rounds unlike Python's


def closed_after(at: datetime) -> ColumnElement:
    return and_(Incident.status.in_(CLOSED_STATUSES), Incident.closed_at > at)


def changed_since(window: Window, at: datetime, now: datetime, dialect: str) -> list[list]:
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
    # Reported before `cut` (a UTC date), so before its UTC midnight + ZONE_SLACK in any
    # zone: closed after `at` means a time to close above `at` less that instant.
    cut = (at - timedelta(days=SPAN_DAYS) - ZONE_SLACK).date()
    since = at - (datetime.combine(cut, time(), UTC) + ZONE_SLACK)
    clauses = [[reported_later]]
    if max(window.start, cut) <= window.end:
        clauses.append([later, Incident.reported_day.between(max(window.start, cut), window.end)])
    if window.start < cut:
        # the day and the close as expressions: an index on either would read the whole
        # window, or everything closed since `at` (SQLite picks them without statistics)
        day, closed_at = (func.coalesce(c, c) for c in (Incident.reported_day, Incident.closed_at))
        clauses.append(
            [
                Incident.status.in_(CLOSED_STATUSES),
                closed_at > at,
                span_at_least(dialect, since.total_seconds() - MARGIN_SECONDS),
                day.between(window.start, cut - timedelta(days=1)),
            ]
        )
    return clauses


def settled_since(window: Window, at: datetime, now: datetime, dialect: str) -> list[list]:
    """WHERE clauses, each for a query of its own, that together find every incident
    reported in `window` whose settled_at (data_access.work_order.settled_at) is after
    `at`, each once (and possibly others, which the callers' conditions leave out): as of
    now by ix_incidents_settled_at; as of an earlier instant, the window's last days by
    their reported day and its earlier rows, which can only have settled after `at` if
    they took longer than SPAN_DAYS to, by ix_incidents_settled_span (as changed_since)."""
    later = Incident.settled_at > at
    if now - at <= RECENT:
        return [[later]]
    cut = (at - timedelta(days=SPAN_DAYS) - ZONE_SLACK).date()
    since = at - (datetime.combine(cut, time(), UTC) + ZONE_SLACK)
    clauses = []
    if max(window.start, cut) <= window.end:
        clauses.append([later, Incident.reported_day.between(max(window.start, cut), window.end)])
    if window.start < cut:
        day, settled = (func.coalesce(c, c) for c in (Incident.reported_day, Incident.settled_at))
        clauses.append(
            [
                settled > at,
                settled_span_at_least(dialect, since.total_seconds() - MARGIN_SECONDS),
                day.between(window.start, cut - timedelta(days=1)),
            ]
        )
    return clauses
