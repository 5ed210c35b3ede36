"""median_hours_to_close (CONTRACT section 2): sorted outright for a few thousand
incidents, through the histograms of time to close for more (data_access.close_buckets).

Both give the same value: the histogram path counts the window's closed incidents per
bucket (summed from the daily histograms, less the rows they count by state but the
definition does not count yet), finds the bucket holding the middle rank(s), and sorts
only that bucket's incidents, read through ix_incidents_close_span (migration 0006).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, and_, func, or_, select
from sqlalchemy.sql import ColumnElement

from common.vocabulary import CLOSED_STATUSES
from data_access import months
from data_access.as_of import changed_since
from data_access.close_buckets import bounds, bucket_of
from data_access.close_span import span_at_least, span_below
from data_access.models import (
    Incident,
    IncidentCloseHist,
    IncidentCloseHistAll,
    IncidentCloseHistMonth,
)

if TYPE_CHECKING:
    from data_access.kpis import Window

SORT_UP_TO = 5_000  # closed incidents sorted outright; more go through the histograms
MARGIN_SECONDS = 1.0  # beyond a bucket's edges: SQL's time arithmetic rounds unlike Python's


def hours_to_close(dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return func.extract("epoch", Incident.closed_at - Incident.reported_at) / 3600.0
    return (func.julianday(Incident.closed_at) - func.julianday(Incident.reported_at)) * 24.0


def _middle(values: list[float]) -> float:
    return round(sum(values) / len(values), 2)


def sorted_median(conn: Connection, closed: ColumnElement, n: int | None = None) -> float | None:
    """Exact median of hours to close under `closed`, sorted in the database; `n`, the
    number of rows under `closed`, when the caller knows it already."""
    hours = hours_to_close(conn.dialect.name).label("h")
    if n is None:
        n = conn.execute(select(func.count()).where(closed)).scalar_one()
    if not n:
        return None
    middle = conn.execute(
        select(hours).where(closed).order_by(hours).offset((n - 1) // 2).limit(2 - n % 2)
    ).scalars()
    return _middle([float(v) for v in middle])


def _histogram_counts(conn: Connection, start: date, end: date, towns: tuple[str, ...]) -> Counter:
    """Closed incidents reported from `start` to `end` per bucket, by current state."""
    counts: Counter = Counter()

    def add(query) -> None:
        for b, c in conn.execute(query):
            counts[b] += int(c)

    if towns:
        h = IncidentCloseHist
        where = [h.day.between(start, end), h.town.in_(towns)]
        add(select(h.bucket, func.sum(h.closed)).where(*where).group_by(h.bucket))
        return counts
    for monthly, first, last in months.split(start, end):
        h = IncidentCloseHistMonth if monthly else IncidentCloseHistAll
        column = h.month if monthly else h.day
        add(
            select(h.bucket, func.sum(h.closed))
            .where(column.between(first, last))
            .group_by(h.bucket)
        )
    return counts


def _window_counts(
    conn: Connection, window: Window, towns: tuple[str, ...], at: datetime, now: datetime
) -> Counter:
    """Closed incidents reported in `window` per bucket, as of `at`."""
    counts = _histogram_counts(conn, window.start, window.end, towns)
    # Rows the histograms count by their state, the definition not yet (data_access.as_of),
    # found by their own indexes and filtered here: with the window's days in the WHERE,
    # SQLite reads the whole window. (A NOT on closed_at in SQL would have SQLite read
    # every closed row by that index.)
    columns = (Incident.id, Incident.reported_day, Incident.town, Incident.status)
    odd = {}
    for where in changed_since(window, at, now):
        for row in conn.execute(
            select(*columns, Incident.reported_at, Incident.closed_at).where(*where)
        ):
            odd[row[0]] = row[1:]
    for day, town, status, reported_at, closed_at in odd.values():
        counted = status in CLOSED_STATUSES and closed_at is not None
        if counted and window.start <= day <= window.end and (not towns or town in towns):
            counts[bucket_of(reported_at, closed_at)] -= 1
    return counts


def _bucket_values(
    conn: Connection, b: int, closed: ColumnElement, ranks: list[int], count: int
) -> list[float] | None:
    """The hours to close at `ranks` (consecutive, 0-based) among the `count` rows under
    `closed` in bucket `b`; None when the bucket holds another number of rows.

    Rows within MARGIN_SECONDS of the bucket's edges are filed with bucket_of (their
    instants are read for it). The rest are inside by any dialect's arithmetic and are
    ranked in SQL, which returns only the rows wanted and how many there are: reading a
    year's middle bucket at 5 M incidents (some 10,000 rows) and sorting it here made the
    median's part 75 ms instead of 56 (p50, old and new alternating)."""
    dialect = conn.dialect.name
    low, high = bounds(b)
    inner, edges = [closed], []
    if low is not None:
        inner.append(span_at_least(dialect, low + MARGIN_SECONDS))
        edges.append(
            and_(
                span_at_least(dialect, low - MARGIN_SECONDS),
                span_below(dialect, low + MARGIN_SECONDS),
            )
        )
    if high is not None:
        inner.append(span_below(dialect, high - MARGIN_SECONDS))
        edges.append(
            and_(
                span_at_least(dialect, high - MARGIN_SECONDS),
                span_below(dialect, high + MARGIN_SECONDS),
            )
        )
    hours = hours_to_close(dialect).label("h")
    near = select(hours, Incident.reported_at, Incident.closed_at).where(closed, or_(*edges))
    near_hours = sorted(float(h) for h, r, c in conn.execute(near) if bucket_of(r, c) == b)
    # those near the low edge rank below every inner row, those near the high one above
    if low is None or high is None:
        under = near_hours if high is None else []
    else:
        under = [h for h in near_hours if h * 3600 < (low + high) / 2]
    over = near_hours[len(under) :]
    skip = max(0, ranks[0] - len(under))
    query = select(hours, func.count().over()).where(*inner).order_by(hours)
    ranked = conn.execute(query.offset(skip).limit(len(ranks))).all()
    n = ranked[0][1] if ranked else conn.execute(select(func.count()).where(*inner)).scalar_one()
    if len(under) + n + len(over) != count:
        return None

    def value(r: int) -> float:
        if r < len(under):
            return under[r]
        if r - len(under) < n:
            return float(ranked[r - len(under) - skip][0])
        return over[r - len(under) - n]

    return [value(r) for r in ranks]


def histogram_median(
    conn: Connection,
    window: Window,
    towns: tuple[str, ...],
    at: datetime,
    now: datetime,
    closed: ColumnElement,
    n: int,
) -> float | None:
    """The median through the histograms, for the `n` rows under `closed` (the window's
    closed incidents as of `at`, filtered by `towns` at most); None when the histograms
    and `incidents` disagree, so the caller sorts outright instead."""
    counts = _window_counts(conn, window, towns, at, now)
    if not n or sum(counts.values()) != n:
        return None
    return _bucket_median(conn, counts, closed, n)


def _bucket_median(conn: Connection, counts: Counter, closed: ColumnElement, n: int):
    """The middle of `n` rows counted per bucket (`counts`), reading only the middle
    bucket's rows; None when that bucket holds another number of rows."""
    wanted = sorted({(n - 1) // 2, n // 2})
    values, below = [], 0
    for b in sorted(counts):
        inside = [r - below for r in wanted if below <= r < below + counts[b]]
        if inside:
            found = _bucket_values(conn, b, closed, inside, counts[b])
            if found is None:
                return None
            values += found
        below += counts[b]
    return _middle(values)


def histogram_guess(
    engine: Engine, closed: ColumnElement, histogram: tuple
) -> tuple[float | None, int]:
    """(the median through the histograms, the number of closed rows they count), read
    before that number is known from the summaries: kpis reads both at once and keeps
    the guess only when the numbers agree (else median_hours_to_close decides, as
    always). None for a number small enough to be sorted outright."""
    window, towns, at, now = histogram
    with engine.connect() as conn:
        counts = _window_counts(conn, window, towns, at, now)
        n = sum(counts.values())
        if n <= SORT_UP_TO:
            return None, n
        return _bucket_median(conn, counts, closed, n), n


def median_hours_to_close(
    engine: Engine,
    closed: ColumnElement,
    n: int,
    histogram: tuple | None = None,
) -> float | None:
    """The median for the `n` rows under `closed`; `histogram` = (window, towns, at, now)
    when the histograms can answer (as of `at`, filtered by towns at most)."""
    with engine.connect() as conn:
        if histogram is not None and n > SORT_UP_TO:
            value = histogram_median(conn, *histogram, closed, n)
            if value is not None:
                return value
        return sorted_median(conn, closed, n)
