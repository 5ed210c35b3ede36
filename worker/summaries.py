"""Keeping the daily summary tables exact (data_access.models.IncidentDaily / DueDaily).

Each incident row contributes one count to `incident_daily` (its reported day, filter
codes, current status and satisfaction) and, unless rejected, one to `incident_due_daily`
(its deadline day, filter codes, closed by the deadline or not). When ingest re-folds an
incident it moves that contribution from the old row's keys to the new row's
(`apply_deltas`); the seeder and migrations compute the same thing set-based (`rebuild_in`).
Tests prove the two equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, and_, case, delete, false, func, insert, select, true
from sqlalchemy.dialects import postgresql, sqlite

from data_access.models import CLOSED_STATUSES, Incident, IncidentDaily, IncidentDueDaily

DIMS = ("town", "category", "channel", "department")
# What a row's contributions depend on (read before a re-fold to move them).
SUMMARY_COLUMNS = (
    "id", "reported_day", *DIMS, "status", "satisfaction", "deadline_day", "deadline",
    "closed_at",
)  # fmt: skip


def _dims(row: dict) -> tuple:
    return (row["town"], row["category"], row["channel"], row["department"] or "")


def on_time(row: dict) -> bool:
    closed_at = row["closed_at"]
    return (
        row["status"] in CLOSED_STATUSES and closed_at is not None and closed_at <= row["deadline"]
    )


def daily_key(row: dict) -> tuple:
    return (row["reported_day"], *_dims(row), row["status"], row["satisfaction"] or 0)


def due_key(row: dict) -> tuple | None:
    if row["status"] == "rejected":
        return None
    return (row["deadline_day"], *_dims(row), on_time(row))


def deltas(old: Iterable[dict], new: Iterable[dict]) -> tuple[Counter, Counter]:
    """Count changes per summary key when `old` rows are replaced by `new` rows."""
    daily, due = Counter(), Counter()
    for rows, sign in ((old, -1), (new, 1)):
        for row in rows:
            daily[daily_key(row)] += sign
            key = due_key(row)
            if key is not None:
                due[key] += sign
    return (
        Counter({k: v for k, v in daily.items() if v}),
        Counter({k: v for k, v in due.items() if v}),
    )


def _add(conn: Connection, model, columns: tuple[str, ...], changes: Counter) -> None:
    if not changes:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(columns), set_={"n": model.__table__.c.n + stmt.excluded.n}
    )
    conn.execute(
        stmt, [dict(zip((*columns, "n"), (*k, v), strict=True)) for k, v in changes.items()]
    )


DAILY_COLUMNS = ("day", *DIMS, "status", "satisfaction")
DUE_COLUMNS = ("day", *DIMS, "on_time")


def apply_deltas(conn: Connection, old: Iterable[dict], new: Iterable[dict]) -> None:
    """Move the contributions of re-folded incidents, in the caller's transaction."""
    daily, due = deltas(old, new)
    _add(conn, IncidentDaily, DAILY_COLUMNS, daily)
    _add(conn, IncidentDueDaily, DUE_COLUMNS, due)


def rebuild_in(conn: Connection) -> None:
    """Recompute both summaries from `incidents` (set-based), in the caller's transaction."""
    department = func.coalesce(Incident.department, "")
    conn.execute(delete(IncidentDaily))
    conn.execute(delete(IncidentDueDaily))
    daily_cols = (
        Incident.reported_day, Incident.town, Incident.category, Incident.channel, department,
        Incident.status, func.coalesce(Incident.satisfaction, 0),
    )  # fmt: skip
    conn.execute(
        insert(IncidentDaily).from_select(
            [*DAILY_COLUMNS, "n"], select(*daily_cols, func.count()).group_by(*daily_cols)
        )
    )
    punctual = case(
        (
            and_(Incident.status.in_(CLOSED_STATUSES), Incident.closed_at <= Incident.deadline),
            true(),
        ),
        else_=false(),
    )
    due_cols = (
        Incident.deadline_day, Incident.town, Incident.category, Incident.channel, department,
        punctual,
    )  # fmt: skip
    conn.execute(
        insert(IncidentDueDaily).from_select(
            [*DUE_COLUMNS, "n"],
            select(*due_cols, func.count())
            .where(Incident.status != "rejected")
            .group_by(*due_cols),
        )
    )


def rebuild(engine: Engine) -> None:
    with engine.begin() as conn:
        rebuild_in(conn)
