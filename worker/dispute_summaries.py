"""Keeping the dispute summaries exact (data_access.models: DisputeDailyBy and its monthly
roll-up DisputeMonthlyBy), as worker.summaries keeps the incidents'.

Each disputes row counts once per split (SPLITS; '' for none) under its accepted day (and
month), town, the split's value, its outcome by current state ('pending' while it has
none) and whether it went through mediating. Ingest moves a re-folded dispute's count from
its old row to its new one (summaries.apply_deltas with DISPUTES); the seeder and the
migration rebuild set-based (`rebuild_in`). Tests prove the two equal.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, case, delete, func, insert, literal, select

from data_access.dispute_counts import SPLITS, outcome_of
from data_access.models import DISPUTE_OUTCOMES, Dispute, DisputeDailyBy, DisputeMonthlyBy
from data_access.months import month_of
from worker.summaries import Family, Summary, month_column

DAILY_KEYS = ("dimension", "day", "town", "key", "outcome", "via")
MONTHLY_KEYS = ("dimension", "month", "town", "key", "outcome", "via")
SUMMARIES = (
    Summary(DisputeDailyBy, DAILY_KEYS, ("n",)),
    Summary(DisputeMonthlyBy, MONTHLY_KEYS, ("n",)),
)
COLUMNS = (
    "id", "accepted_day", "town", "kind", "mediation_type", "mediator", "status",
    "resolved_at", "via_mediating",
)  # fmt: skip


def split_value(row: dict, split: str) -> str:
    return (row[split] or "") if split else ""


def contributions(row: dict) -> list[tuple[list[tuple], tuple]]:
    """[(keys, counts)] of one disputes row, keys tagged with their index in SUMMARIES."""
    day, town = row["accepted_day"], row["town"]
    tail = (outcome_of(row["status"], row["resolved_at"]), int(bool(row["via_mediating"])))
    keys = [(0, s, day, town, split_value(row, s), *tail) for s in SPLITS]
    keys += [(1, s, month_of(day), town, split_value(row, s), *tail) for s in SPLITS]
    return [(keys, (1,))]


DISPUTES = Family(SUMMARIES, contributions, COLUMNS)


def rebuild_in(conn: Connection) -> None:
    """Recompute both tables from `disputes`, set-based, in the caller's transaction."""
    conn.execute(delete(DisputeDailyBy))
    conn.execute(delete(DisputeMonthlyBy))
    decided = and_(Dispute.status.in_(DISPUTE_OUTCOMES), Dispute.resolved_at.is_not(None))
    outcome = case((decided, Dispute.status), else_=literal("pending"))
    via = case((Dispute.via_mediating.is_(True), 1), else_=0)
    for split in SPLITS:
        value = func.coalesce(getattr(Dispute, split), "") if split else literal("")
        keys = (Dispute.accepted_day, Dispute.town, value, outcome, via)
        query = select(literal(split), *keys, func.count()).group_by(*keys)
        conn.execute(insert(DisputeDailyBy).from_select([*DAILY_KEYS, "n"], query))
    daily = DisputeDailyBy
    month = month_column(conn.dialect.name, daily.day)
    keys = (daily.dimension, month, daily.town, daily.key, daily.outcome, daily.via)
    query = select(*keys, func.sum(daily.n)).group_by(*keys)
    conn.execute(insert(DisputeMonthlyBy).from_select([*MONTHLY_KEYS, "n"], query))
