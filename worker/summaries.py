"""Keeping the daily summary tables exact (data_access.models: IncidentDaily, IncidentDueDaily,
their by-dimension splits IncidentDailyBy, IncidentDueDailyBy, and the median's histograms
of time to close IncidentCloseHist, IncidentCloseHistAll).

Each incident row contributes to one `incident_daily` row (its reported day and town:
received unless rejected or merged (common.vocabulary.EXCLUDED_STATUSES), closed, rated,
satisfied by its current state, and the work order's counts by its eventual state:
data_access.work_order.eventual) and, unless rejected or merged, to one `incident_due_daily`
row (its deadline day and town: due, and on time if closed by the deadline); and likewise
once per dimension to the `_by` tables, keyed also by the row's value of that dimension (''
when it has none); a closed row also counts once in each histogram, by reported day (and
town) and bucket of time to close (data_access.close_buckets). When ingest re-folds an
incident it moves the contribution of the old row to the new one (`apply_deltas`); the seeder and
the migrations compute the same set-based (`rebuild_in`). Tests prove the two equal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Connection,
    Date,
    Engine,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from common.vocabulary import CLOSED_STATUSES, EXCLUDED_STATUSES, SATISFIED_FROM
from data_access import work_order
from data_access.close_buckets import bucket_of
from data_access.models import (
    Incident,
    IncidentCloseHist,
    IncidentCloseHistAll,
    IncidentCloseHistMonth,
    IncidentDaily,
    IncidentDailyBy,
    IncidentDueDaily,
    IncidentDueDailyBy,
    IncidentDueMonthlyBy,
    IncidentMonthlyBy,
)
from data_access.months import month_of

# and the work order's counts (data_access.work_order.COUNTS) by each row's eventual state
WORK = work_order.COUNTS
DAILY = ("received", "closed", "rated", "satisfied", *WORK)
DUE = ("due", "on_time")
HIST = ("closed",)
# The dimensions split out: `hour` (UTC hour of the report, two digits) feeds the weekday x
# hour heatmap, which needs only the received count, so it has no due split.
DAILY_DIMENSIONS = ("category", "channel", "department", "grid", "hour")
DUE_DIMENSIONS = ("category", "channel", "department", "grid")
# What a row's contributions depend on (read before a re-fold to move them).
SUMMARY_COLUMNS = (
    "id", "reported_day", "reported_at", "town", "category", "channel", "department", "grid",
    "status", "satisfaction", "deadline_day", "deadline", "closed_at", *work_order.COLUMNS,
)  # fmt: skip


@dataclass(frozen=True)
class Summary:
    model: type
    keys: tuple[str, ...]
    counts: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model.__tablename__


BY_KEYS = ("dimension", "day", "town", "key")
MONTHLY_KEYS = ("dimension", "month", "town", "key")
SUMMARIES = (
    Summary(IncidentDaily, ("day", "town"), DAILY),
    Summary(IncidentDueDaily, ("day", "town"), DUE),
    Summary(IncidentDailyBy, BY_KEYS, DAILY),
    Summary(IncidentDueDailyBy, BY_KEYS, DUE),
    Summary(IncidentCloseHist, ("day", "town", "bucket"), HIST),
    Summary(IncidentCloseHistAll, ("day", "bucket"), HIST),
    Summary(IncidentCloseHistMonth, ("month", "bucket"), HIST),
    Summary(IncidentMonthlyBy, MONTHLY_KEYS, DAILY),
    Summary(IncidentDueMonthlyBy, MONTHLY_KEYS, DUE),
)
# The monthly roll-ups of the daily tables: '' stands for no split (the town totals).
MONTHLY_DIMENSIONS = ("", "category", "channel", "department", "grid")
MONTHLY_OF = {
    IncidentMonthlyBy: (IncidentDaily, IncidentDailyBy),
    IncidentDueMonthlyBy: (IncidentDueDaily, IncidentDueDailyBy),
}


def _utc_hour(value: datetime) -> str:
    return f"{(value if value.tzinfo is None else value.astimezone(UTC)).hour:02d}"


def dimension_value(row: dict, dimension: str) -> str:
    """The row's value of a summary dimension, as the `_by` tables key it."""
    if dimension == "hour":
        return _utc_hour(row["reported_at"])
    return row[dimension] or ""


def _split_value(row: dict, dimension: str) -> str:
    return dimension_value(row, dimension) if dimension else ""


def _histogram_keys(day, town: str, reported_at, closed_at) -> list[tuple]:
    """A closed row's keys in the three histograms (tagged as in contributions); shared
    by ingest's deltas and the rebuild, so both file a row in the same bucket."""
    b = bucket_of(reported_at, closed_at)
    return [(4, day, town, b), (5, day, b), (6, month_of(day), b)]


def contributions(row: dict) -> list[tuple[list[tuple], tuple]]:
    """[(keys, counts)] of one incidents row: the keys it counts under (as tuples tagged
    with their summary's index in SUMMARIES) and what it adds to each."""
    closed = row["status"] in CLOSED_STATUSES
    excluded = row["status"] in EXCLUDED_STATUSES
    satisfaction = row["satisfaction"] if closed else None
    daily = (
        int(not excluded),
        int(closed),
        int(satisfaction is not None),
        int(satisfaction is not None and satisfaction >= SATISFIED_FROM),
        *((0,) * len(WORK) if excluded else work_order.eventual(row)),
    )
    day, town = row["reported_day"], row["town"]
    month = month_of(day)
    daily_keys = [(0, day, town)] + [
        (2, d, day, town, dimension_value(row, d)) for d in DAILY_DIMENSIONS
    ]
    daily_keys += [(7, d, month, town, _split_value(row, d)) for d in MONTHLY_DIMENSIONS]
    out = [(daily_keys, daily)]
    if closed and row["closed_at"] is not None:
        out.append((_histogram_keys(day, town, row["reported_at"], row["closed_at"]), (1,)))
    if excluded:
        return out
    on_time = closed and row["closed_at"] is not None and row["closed_at"] <= row["deadline"]
    due_day = row["deadline_day"]
    due_month = month_of(due_day)
    due_keys = [(1, due_day, town)] + [
        (3, d, due_day, town, dimension_value(row, d)) for d in DUE_DIMENSIONS
    ]
    due_keys += [(8, d, due_month, town, _split_value(row, d)) for d in MONTHLY_DIMENSIONS]
    out.append((due_keys, (1, int(on_time))))
    return out


@dataclass(frozen=True)
class Family:
    """One entity's summaries: their tables, what a row adds to them (keys tagged with
    the summary's index, as `contributions`), and the row's columns that decide it (read
    before a re-fold, to move its contributions)."""

    summaries: tuple[Summary, ...]
    contributions: Callable[[dict], list[tuple[list[tuple], tuple]]]
    columns: tuple[str, ...]


INCIDENTS = Family(SUMMARIES, contributions, SUMMARY_COLUMNS)


def _zeros(summary: Summary):
    return lambda: [0] * len(summary.counts)


def deltas(
    old: Iterable[dict], new: Iterable[dict], family: Family = INCIDENTS
) -> tuple[dict, ...]:
    """Per-key count changes when `old` rows are replaced by `new` rows: one dict per
    summary of the family, keyed by its key columns' values."""
    changes: list[dict[tuple, list[int]]] = [defaultdict(_zeros(s)) for s in family.summaries]
    for rows, sign in ((old, -1), (new, 1)):
        for row in rows:
            for keys, counts in family.contributions(row):
                for index, *key in keys:
                    target = changes[index][tuple(key)]
                    for i, c in enumerate(counts):
                        target[i] += sign * c
    return tuple({k: v for k, v in c.items() if any(v)} for c in changes)


def _add(conn: Connection, summary: Summary, changes: dict) -> None:
    if not changes:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = summary.model.__table__
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(summary.keys),
        set_={c: table.c[c] + stmt.excluded[c] for c in summary.counts},
    )
    rows = [
        {
            **dict(zip(summary.keys, key, strict=True)),
            **dict(zip(summary.counts, values, strict=True)),
        }
        for key, values in changes.items()
    ]
    conn.execute(stmt, rows)


def apply_deltas(
    conn: Connection, old: Iterable[dict], new: Iterable[dict], family: Family = INCIDENTS
) -> None:
    """Move the contributions of re-folded rows, in the caller's transaction."""
    for summary, changes in zip(family.summaries, deltas(old, new, family), strict=True):
        _add(conn, summary, changes)


def _total(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _dimension_column(dialect: str, dimension: str):
    if dimension == "hour":
        if dialect == "postgresql":
            return func.to_char(Incident.reported_at, "HH24")
        return func.strftime("%H", Incident.reported_at)
    return func.coalesce(getattr(Incident, dimension), "")


def rebuild_in(
    conn: Connection,
    tables: tuple[type, ...] | None = None,
    done: Callable[[], None] = lambda: None,
) -> None:
    """Recompute the summaries (every one, or those of the models in `tables`) from
    `incidents`, set-based, in the caller's transaction; `done` is called once per table
    rebuilt (the seeder's progress)."""
    chosen = [s for s in SUMMARIES if tables is None or s.model in tables]
    closed = Incident.status.in_(CLOSED_STATUSES)
    not_excluded = Incident.status.not_in(EXCLUDED_STATUSES)
    ever = work_order.EVER
    closed_ever = and_(not_excluded, closed, Incident.closed_at <= ever)
    eventual = work_order.conditions(not_excluded, closed_ever, ever)
    counted = {
        DAILY: (
            (
                _total(not_excluded),
                _total(closed),
                _total(and_(closed, Incident.satisfaction.is_not(None))),
                _total(and_(closed, Incident.satisfaction >= SATISFIED_FROM)),
                *(_total(eventual[c]) for c in WORK),
            ),
            Incident.reported_day,
            (),
        ),
        DUE: (
            (func.count(), _total(and_(closed, Incident.closed_at <= Incident.deadline))),
            Incident.deadline_day,
            (not_excluded,),
        ),
    }
    for summary in chosen:
        conn.execute(delete(summary.model))
        if summary.counts == HIST or summary.keys == MONTHLY_KEYS:
            continue  # below: the histograms in one read, the months from the days
        sums, day, where = counted[summary.counts]
        names = _present(conn, summary)
        counts = [c for c, n in zip(sums, summary.counts, strict=True) if n in names]
        if summary.keys != BY_KEYS:
            keys = (day, Incident.town)
            query = select(*keys, *counts).where(*where).group_by(*keys)
            conn.execute(insert(summary.model).from_select([*summary.keys, *names], query))
            done()
            continue
        for dimension in DAILY_DIMENSIONS if summary.counts == DAILY else DUE_DIMENSIONS:
            keys = (day, Incident.town, _dimension_column(conn.dialect.name, dimension))
            query = select(literal(dimension), *keys, *counts).where(*where).group_by(*keys)
            conn.execute(insert(summary.model).from_select([*BY_KEYS, *names], query))
        done()

    for summary in chosen:
        if summary.keys == MONTHLY_KEYS:
            _roll_up_months(conn, summary)
            done()
    histograms = [s for s in chosen if s.counts == HIST]
    if histograms:
        _rebuild_histograms(conn, histograms)
        for _ in histograms:
            done()


def _present(conn: Connection, summary: Summary) -> list[str]:
    """The summary's counts its table has at the database's revision: a migration before
    the one that added the work order's counts (0021) rebuilds the others alone."""
    found = {c["name"] for c in inspect(conn).get_columns(summary.table)}
    return [c for c in summary.counts if c in found]


def _month_column(dialect: str, day):
    if dialect == "postgresql":
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def _roll_up_months(conn: Connection, summary: Summary) -> None:
    """A monthly table summed from its daily ones (which rebuild_in fills first)."""
    totals, split = MONTHLY_OF[summary.model]
    names = _present(conn, summary)
    sums = [func.sum(getattr(totals, c)) for c in names]
    month = _month_column(conn.dialect.name, totals.day)
    query = select(literal(""), month, totals.town, literal(""), *sums).group_by(month, totals.town)
    conn.execute(insert(summary.model).from_select([*MONTHLY_KEYS, *names], query))
    sums = [func.sum(getattr(split, c)) for c in names]
    month = _month_column(conn.dialect.name, split.day)
    keys = (split.dimension, month, split.town, split.key)
    query = select(*keys, *sums).where(split.dimension.in_(MONTHLY_DIMENSIONS)).group_by(*keys)
    conn.execute(insert(summary.model).from_select([*MONTHLY_KEYS, *names], query))


def _rebuild_histograms(conn: Connection, chosen: list[Summary]) -> None:
    """The buckets are computed in Python, by the function ingest uses, so both agree to
    the microsecond (SQL's arithmetic on times differs between the dialects). Read in
    day order and written a month at a time, so millions of incidents take little memory."""
    tables = [(s.model.__table__, SUMMARIES.index(s)) for s in chosen]
    counts: dict[int, Counter] = defaultdict(Counter)

    def flush() -> None:
        for table, index in tables:
            rows = [
                {**dict(zip(SUMMARIES[index].keys, k, strict=True)), "closed": n}
                for k, n in counts[index].items()
            ]
            if rows:
                conn.execute(insert(table), rows)
        for counter in counts.values():
            counter.clear()

    query = select(Incident.reported_day, Incident.town, Incident.reported_at, Incident.closed_at)
    query = query.where(Incident.status.in_(CLOSED_STATUSES), Incident.closed_at.is_not(None))
    query = query.order_by(Incident.reported_day).execution_options(yield_per=50_000)
    current = None
    for day, town, reported_at, closed_at in conn.execute(query):
        month = month_of(day)
        if month != current:  # the months before are complete
            flush()
        current = month
        for index, *key in _histogram_keys(day, town, reported_at, closed_at):
            counts[index][tuple(key)] += 1
    flush()


def rebuild(engine: Engine) -> None:
    with engine.begin() as conn:
        rebuild_in(conn)
