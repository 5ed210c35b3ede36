"""Keeping the daily summary tables exact (data_access.models.IncidentDaily / DueDaily).

Each incident row contributes to one `incident_daily` row (its reported day and town:
received unless rejected, closed, rated, satisfied by its current state) and, unless
rejected, to one `incident_due_daily` row (its deadline day and town: due, and on time if
closed by the deadline). When ingest re-folds an incident it moves the contribution of
the old row to the new one (`apply_deltas`); the seeder and the migration compute the
same set-based (`rebuild_in`). Tests prove the two equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, and_, case, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.models import CLOSED_STATUSES, Incident, IncidentDaily, IncidentDueDaily

DAILY = ("received", "closed", "rated", "satisfied")
DUE = ("due", "on_time")
# What a row's contributions depend on (read before a re-fold to move them).
SUMMARY_COLUMNS = (
    "id", "reported_day", "town", "status", "satisfaction", "deadline_day", "deadline",
    "closed_at",
)  # fmt: skip


def contributions(row: dict) -> tuple[tuple, tuple, tuple | None, tuple | None]:
    """(daily key, daily counts, due key, due counts) of one incidents row."""
    closed = row["status"] in CLOSED_STATUSES
    rejected = row["status"] == "rejected"
    satisfaction = row["satisfaction"] if closed else None
    daily = (
        int(not rejected),
        int(closed),
        int(satisfaction is not None),
        int(satisfaction is not None and satisfaction >= 4),
    )
    if rejected:
        return (row["reported_day"], row["town"]), daily, None, None
    on_time = closed and row["closed_at"] is not None and row["closed_at"] <= row["deadline"]
    return (
        (row["reported_day"], row["town"]),
        daily,
        (row["deadline_day"], row["town"]),
        (1, int(on_time)),
    )


def deltas(old: Iterable[dict], new: Iterable[dict]) -> tuple[dict, dict]:
    """Per-key count changes when `old` rows are replaced by `new` rows."""
    daily: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(DAILY))
    due: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(DUE))
    for rows, sign in ((old, -1), (new, 1)):
        for row in rows:
            day_key, day_counts, due_key, due_counts = contributions(row)
            for i, c in enumerate(day_counts):
                daily[day_key][i] += sign * c
            if due_key is not None:
                for i, c in enumerate(due_counts):
                    due[due_key][i] += sign * c
    return (
        {k: v for k, v in daily.items() if any(v)},
        {k: v for k, v in due.items() if any(v)},
    )


def _add(conn: Connection, model, counts: tuple[str, ...], changes: dict) -> None:
    if not changes:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = model.__table__
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "town"],
        set_={c: table.c[c] + stmt.excluded[c] for c in counts},
    )
    rows = [
        {"day": day, "town": town, **dict(zip(counts, values, strict=True))}
        for (day, town), values in changes.items()
    ]
    conn.execute(stmt, rows)


def apply_deltas(conn: Connection, old: Iterable[dict], new: Iterable[dict]) -> None:
    """Move the contributions of re-folded incidents, in the caller's transaction."""
    daily, due = deltas(old, new)
    _add(conn, IncidentDaily, DAILY, daily)
    _add(conn, IncidentDueDaily, DUE, due)


def _total(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def rebuild_in(conn: Connection) -> None:
    """Recompute both summaries from `incidents` (set-based), in the caller's transaction."""
    conn.execute(delete(IncidentDaily))
    conn.execute(delete(IncidentDueDaily))
    closed = Incident.status.in_(CLOSED_STATUSES)
    daily = select(
        Incident.reported_day,
        Incident.town,
        _total(Incident.status != "rejected"),
        _total(closed),
        _total(and_(closed, Incident.satisfaction.is_not(None))),
        _total(and_(closed, Incident.satisfaction >= 4)),
    ).group_by(Incident.reported_day, Incident.town)
    conn.execute(insert(IncidentDaily).from_select(["day", "town", *DAILY], daily))
    due = (
        select(
            Incident.deadline_day,
            Incident.town,
            func.count(),
            _total(and_(closed, Incident.closed_at <= Incident.deadline)),
        )
        .where(Incident.status != "rejected")
        .group_by(Incident.deadline_day, Incident.town)
    )
    conn.execute(insert(IncidentDueDaily).from_select(["day", "town", *DUE], due))


def rebuild(engine: Engine) -> None:
    with engine.begin() as conn:
        rebuild_in(conn)
