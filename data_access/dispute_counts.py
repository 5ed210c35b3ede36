"""The mediation figures' counts as of now, read from the dispute summaries
(worker/dispute_summaries.py) instead of every dispute of the window.

The summaries count each dispute by its current state. The definition (CONTRACT section
2) counts it as of now: not at all while accepted after now, and as pending while its
outcome is stamped after now (the clock skew the contract allows). Those few disputes are
read from `disputes` by their own indexes and corrected here. Equal to the raw path, by
construction and by test (tests/test_dispute_summaries.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from common.vocabulary import DISPUTE_OUTCOMES, PENDING
from data_access import months
from data_access.models import Dispute, DisputeDailyBy, DisputeMonthlyBy
from data_access.scoping import dispute_towns, sees_disputes

# The summaries' splits: '' for none (the town totals), then one column each
SPLITS = ("", "kind", "mediation_type", "mediator")
# Days from acceptance to outcome: bins [0,1), [1,3), ..., [60, inf) of the histogram
DURATION_EDGES_DAYS = (1, 3, 7, 14, 30, 60)
# Per key, Counter[(outcome, via, bin)] ('pending': no outcome yet, bin 0)
Counts = dict[object, Counter]
_ROW = (
    Dispute.id, Dispute.accepted_at, Dispute.accepted_day, Dispute.town, Dispute.kind,
    Dispute.mediation_type, Dispute.mediator, Dispute.status, Dispute.resolved_at,
    Dispute.via_mediating,
)  # fmt: skip


def outcome_of(status: str, resolved_at) -> str:
    """The outcome a dispute is counted under by its current state."""
    return status if status in DISPUTE_OUTCOMES and resolved_at is not None else PENDING


def days_to_outcome(accepted_at: datetime, resolved_at: datetime) -> float:
    """Days from acceptance to outcome (0 for the odd outcome stamped before acceptance)."""
    return max((resolved_at - accepted_at).total_seconds() / 86400.0, 0.0)


def bin_of(outcome: str, accepted_at: datetime, resolved_at: datetime | None) -> int:
    """The histogram bin a dispute is counted under (0 while pending)."""
    if outcome == PENDING:
        return 0
    return bisect_right(DURATION_EDGES_DAYS, days_to_outcome(accepted_at, resolved_at))


def _key_of(row, dimension: str | None) -> object:
    return "" if dimension is None else getattr(row, dimension)


def _summed(conn: Connection, start, end, towns: tuple[str, ...], dimension: str | None) -> Counts:
    split = dimension if dimension in SPLITS else ""
    by_day = dimension == "accepted_day"
    out: Counts = defaultdict(Counter)
    for monthly, low, high in [(False, start, end)] if by_day else months.split(start, end):
        t = DisputeMonthlyBy if monthly else DisputeDailyBy
        when = t.month if monthly else t.day
        key = {None: None, "town": t.town, "accepted_day": when}.get(dimension, t.key)
        keys = [t.outcome, t.via, t.bin] + ([key] if key is not None else [])
        query = select(func.sum(t.n), *keys).where(t.dimension == split, when.between(low, high))
        query = query.where(t.town.in_(towns)) if towns else query
        for n, outcome, via, bin_, *rest in conn.execute(query.group_by(*keys)):
            value = rest[0] if rest else ""
            if dimension in SPLITS:
                value = value or None  # as the raw path groups a dispute without one
            out[value][(outcome, via, bin_)] += int(n)
    return {k: c for k, c in out.items() if c.total()}  # not keys emptied by re-folds


def _ahead(conn: Connection, now: datetime) -> list:
    """Disputes accepted or resolved after now, anywhere: few, found by their indexes
    (the window and towns are checked in Python, so no planner trades those indexes for
    the window's)."""
    accepted = (Dispute.accepted_day >= (now - timedelta(days=1)).date(), Dispute.accepted_at > now)
    found = {}
    for where in (accepted, (Dispute.resolved_at > now,)):
        found.update({row.id: row for row in conn.execute(select(*_ROW).where(*where))})
    return list(found.values())


def summary_counts(
    conn: Connection, start, end, towns: tuple[str, ...], now: datetime, dimension: str | None
) -> Counts:
    """Per key of `dimension` (town, kind, mediation_type, mediator, accepted_day; one ""
    key without), the disputes accepted on days start..end as of now by (outcome, via,
    bin), within the caller's scope (data_access.scoping: a department scope has none)."""
    if not sees_disputes():
        return {}
    towns = dispute_towns(towns)
    counts = _summed(conn, start, end, towns, dimension)
    for row in _ahead(conn, now):
        if not start <= row.accepted_day <= end or (towns and row.town not in towns):
            continue
        via = int(bool(row.via_mediating))
        counted = counts.setdefault(_key_of(row, dimension), Counter())
        outcome = outcome_of(row.status, row.resolved_at)
        counted[(outcome, via, bin_of(outcome, row.accepted_at, row.resolved_at))] -= 1
        if row.accepted_at <= now:
            counted[(PENDING, via, 0)] += 1
    return counts
