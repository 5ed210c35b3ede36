"""Days from acceptance to outcome of the window's disputes, as of now: the mediation
page's resolution times.

Counts and histogram bins come from the dispute summaries (data_access.dispute_counts,
which also corrects the disputes accepted or resolved after now). Each median walks an
index on the days to outcome (migration 0012: per outcome, and over the resolved ones) in
order, up to its middle rank among the window's disputes, instead of reading a year of
durations into Python to sort them (a year at 5 M: ~150,000).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, func, select
from sqlalchemy.sql import ColumnElement

from common.vocabulary import DISPUTE_OUTCOMES, PENDING, RESOLVED
from data_access.dispute_counts import DURATION_EDGES_DAYS, summary_counts
from data_access.models import Dispute
from data_access.scoping import dispute_in_scope, dispute_towns


def _span(dialect: str) -> ColumnElement:
    """Time to outcome, written as the span indexes hold it (migration 0012)."""
    if dialect == "postgresql":
        return Dispute.resolved_at - Dispute.accepted_at
    return func.julianday(Dispute.resolved_at) - func.julianday(Dispute.accepted_at)


def _days(dialect: str, span: ColumnElement) -> ColumnElement:
    return func.extract("epoch", span) / 86400.0 if dialect == "postgresql" else span


def _median_days(conn: Connection, group: ColumnElement, where: list, n: int) -> float | None:
    """The median days of the `n` disputes under `group` and `where`, from the one or two
    middle ones in the span index's order (negative durations count as 0)."""
    if not n:
        return None
    dialect = conn.dialect.name
    span = _span(dialect)
    query = select(_days(dialect, span)).where(group, *where).order_by(span)
    middle = conn.execute(query.offset((n - 1) // 2).limit(2 - n % 2)).scalars()
    values = [max(float(v), 0.0) for v in middle]
    return round(sum(values) / len(values), 2)


def _summary(histogram: list[int], median_days: float | None) -> dict:
    return {"count": sum(histogram), "median_days": median_days, "histogram": histogram}


def dispute_resolution_times(engine: Engine, window, towns: tuple[str, ...], now: datetime) -> dict:
    """{"edges": DURATION_EDGES_DAYS (histogram bins [0,1), [1,3), ..., [60, inf)),
    "resolved": summary over mediated + adjudicated (the contract's resolved),
    "outcomes": {outcome: summary}}, a summary being {"count", "median_days" (exact,
    0.01 d; None without cases), "histogram"}."""
    histograms = {o: [0] * (len(DURATION_EDGES_DAYS) + 1) for o in DISPUTE_OUTCOMES}
    towns = dispute_towns(towns)
    where = [
        *dispute_in_scope(),
        Dispute.accepted_day.between(window.start, window.end),
        Dispute.accepted_at <= now,
        Dispute.resolved_at <= now,
        *([Dispute.town.in_(towns)] if towns else []),
    ]
    # inlined, so both dialects see the resolved span index's own condition
    resolved = Dispute.status.in_(
        bindparam("resolved", list(RESOLVED), expanding=True, literal_execute=True)
    )
    with engine.connect() as conn:
        counts = summary_counts(conn, window.start, window.end, towns, now, None)
        for (outcome, _via, bin_), n in counts.get("", Counter()).items():
            if outcome != PENDING:
                histograms[outcome][bin_] += n
        outcomes = {
            o: _summary(h, _median_days(conn, Dispute.status == o, where, sum(h)))
            for o, h in histograms.items()
        }
        both = [sum(bins) for bins in zip(*(histograms[o] for o in RESOLVED), strict=True)]
        resolved_summary = _summary(both, _median_days(conn, resolved, where, sum(both)))
    return {
        "edges": list(DURATION_EDGES_DAYS),
        "resolved": resolved_summary,
        "outcomes": outcomes,
    }
