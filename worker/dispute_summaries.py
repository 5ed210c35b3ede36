"""Keeping the dispute summaries exact (data_access.models: DisputeDailyBy and its monthly
roll-up DisputeMonthlyBy), as worker.summaries keeps the incidents'.

Each disputes row counts once per split (SPLITS; '' for none) under its accepted day (and
month), town, the split's value, its outcome by current state ('pending' while it has
none), whether it went through mediating, and its bin of days to outcome. Ingest moves a
re-folded dispute's count from its old row to its new one (summaries.apply_deltas with
DISPUTES); the seeder and the migration rebuild (`rebuild_in`). Tests prove the two equal.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, delete, insert, select

from data_access.dispute_counts import SPLITS, bin_of, outcome_of
from data_access.models import Dispute, DisputeDailyBy, DisputeMonthlyBy
from data_access.months import month_of
from worker.summaries import Family, Summary

DAILY_KEYS = ("dimension", "day", "town", "key", "outcome", "via", "bin")
MONTHLY_KEYS = ("dimension", "month", "town", "key", "outcome", "via", "bin")
SUMMARIES = (
    Summary(DisputeDailyBy, DAILY_KEYS, ("n",)),
    Summary(DisputeMonthlyBy, MONTHLY_KEYS, ("n",)),
)
COLUMNS = (
    "id", "accepted_day", "accepted_at", "town", "kind", "mediation_type", "mediator",
    "status", "resolved_at", "via_mediating",
)  # fmt: skip


def split_value(row: dict, split: str) -> str:
    return (row[split] or "") if split else ""


def contributions(row: dict) -> list[tuple[list[tuple], tuple]]:
    """[(keys, counts)] of one disputes row, keys tagged with their index in SUMMARIES."""
    day, town = row["accepted_day"], row["town"]
    outcome = outcome_of(row["status"], row["resolved_at"])
    bin_ = bin_of(outcome, row["accepted_at"], row["resolved_at"])
    tail = (outcome, int(bool(row["via_mediating"])), bin_)
    keys = [(0, s, day, town, split_value(row, s), *tail) for s in SPLITS]
    keys += [(1, s, month_of(day), town, split_value(row, s), *tail) for s in SPLITS]
    return [(keys, (1,))]


DISPUTES = Family(SUMMARIES, contributions, COLUMNS)


def rebuild_in(conn: Connection) -> None:
    """Recompute both tables from `disputes`, in the caller's transaction. The rows are
    filed by `contributions` itself, as ingest files them, so both agree on every bin
    edge (SQL's time arithmetic differs between the dialects); read in day order and
    written a month at a time."""
    conn.execute(delete(DisputeDailyBy))
    conn.execute(delete(DisputeMonthlyBy))
    counts = [Counter(), Counter()]

    def flush() -> None:
        for summary, counter in zip(SUMMARIES, counts, strict=True):
            rows = [{**dict(zip(summary.keys, k, strict=True)), "n": n} for k, n in counter.items()]
            if rows:
                conn.execute(insert(summary.model), rows)
            counter.clear()

    columns = [Dispute.__table__.c[name] for name in COLUMNS]
    query = select(*columns).order_by(Dispute.accepted_day).execution_options(yield_per=20_000)
    current = None
    for row in conn.execute(query):
        if month_of(row.accepted_day) != current:  # the months before are complete
            flush()
            current = month_of(row.accepted_day)
        for keys, (n,) in contributions(row._asdict()):
            for index, *key in keys:
                counts[index][tuple(key)] += n
    flush()
