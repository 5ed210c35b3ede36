"""The figures of CONTRACT section 2: the one definition every page, the API and bench use.

Each function takes the window as local days, the filters, and the instant `now`
(and optionally `as_of`, an earlier instant: what had happened by then). Rates whose
denominator is 0 are None. Grouped variants return one row per value of a dimension
(town, department, ...) computed by the same expressions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, bindparam, case, func, literal, not_, or_, select, true
from sqlalchemy.sql import ColumnElement

from common.concurrent_calls import at_once
from common.vocabulary import (
    CLOSED_STATUSES,
    DECIDED,
    DISPUTE_OUTCOMES,
    DISPUTE_RATES,
    EXCLUDED_STATUSES,
    INCIDENT_RATES,
    MERGED,
    OPEN_STATUSES,
    PENDING,
    RATES,
    RESOLVED,
    SATISFIED_FROM,
    WITHDRAWN,
)
from data_access import months, work_order
from data_access.alerts import COLOURS, acknowledged, colour_conditions
from data_access.as_of import changed_since, closed_after, settled_since
from data_access.dispute_counts import summary_counts
from data_access.median import histogram_guess, median_hours_to_close
from data_access.models import (
    Dispute,
    Incident,
    IncidentDaily,
    IncidentDailyBy,
    IncidentDueDaily,
    IncidentDueDailyBy,
    IncidentDueMonthlyBy,
    IncidentMonthlyBy,
)
from data_access.ranking import rank
from data_access.scoping import dispute_in_scope, dispute_towns, scoped_filters

INCIDENT_DIMENSIONS = (
    "town",
    "category",
    "channel",
    "department",
    "grid",
    "priority",
    "reported_day",
)
DISPUTE_DIMENSIONS = ("town", "kind", "mediation_type", "mediator", "accepted_day")


@dataclass(frozen=True)
class Filters:
    """Any-of filters; an empty tuple means no filter. Only `towns` narrows disputes."""

    towns: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError("start is after end")


def rate(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator


def incident_scope(filters: Filters) -> list[ColumnElement]:
    """The filters as conditions, narrowed to the caller's scope (data_access.scoping):
    every incident query of the figures and lists is built from these."""
    filters = scoped_filters(filters)
    pairs = (
        (Incident.town, filters.towns),
        (Incident.category, filters.categories),
        (Incident.channel, filters.channels),
        (Incident.department, filters.departments),
    )
    return [column.in_(values) for column, values in pairs if values]


def _count(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def incident_conditions(
    window: Window, at: datetime, warn_hours: float
) -> dict[str, ColumnElement]:
    """The contract's sets as SQL conditions, evaluated as of instant `at`; the lists
    (data_access.incident_list) filter by the same conditions, so a figure's cases are
    exactly the rows behind it. `duplicates` is no figure of the breakdowns (the summaries
    do not keep it): incident_figures counts it alone."""
    counted = counted_status()
    closed_by = and_(Incident.status.in_(CLOSED_STATUSES), Incident.closed_at <= at)
    open_at = and_(counted, not_(closed_by))
    reported = and_(
        Incident.reported_day.between(window.start, window.end), Incident.reported_at <= at
    )
    received = and_(reported, counted)
    due = and_(
        Incident.deadline_day.between(window.start, window.end),
        Incident.deadline <= at,
        counted,
    )
    horizon = at + timedelta(hours=warn_hours)
    return {
        "received": received,
        "closed": and_(received, closed_by),
        "due": due,
        "on_time": and_(due, closed_by, Incident.closed_at <= Incident.deadline),
        "overdue_open": and_(received, open_at, Incident.deadline <= at),
        "due_soon": and_(received, open_at, Incident.deadline > at, Incident.deadline <= horizon),
        "rated": and_(received, closed_by, Incident.satisfaction.is_not(None)),
        "satisfied": and_(received, closed_by, Incident.satisfaction >= SATISFIED_FROM),
        "duplicates": and_(reported, Incident.status == MERGED),
    }


def counted_status() -> ColumnElement:
    """Not rejected nor merged: the incidents every figure counts (received, due, ...)."""
    return Incident.status.not_in(EXCLUDED_STATUSES)


def rate_of(name: str, counts: dict) -> float | None:
    """The vocabulary's rate `name` from its numerator's and denominator's counts."""
    numerator, denominator = RATES[name]
    return rate(counts[numerator], counts[denominator])


def _incident_shape(counts: dict) -> dict:
    counts = {k: int(v or 0) for k, v in counts.items()}
    return {
        "received": counts["received"],
        "closed": counts["closed"],
        "closure_rate": rate_of("closure_rate", counts),
        "due": counts["due"],
        "on_time": counts["on_time"],
        "on_time_rate": rate_of("on_time_rate", counts),
        "overdue_open": counts["overdue_open"],
        "due_soon": counts["due_soon"],
        "rated": counts["rated"],
        "satisfied": counts["satisfied"],
        "satisfaction_rate": rate_of("satisfaction_rate", counts),
    }


SUMMED = ("received", "closed", "rated", "satisfied")
COUNTED = (*SUMMED, "due", "on_time", "overdue_open", "due_soon")
# Dimensions whose figures come from the daily summaries (worker/summaries.py).
SUMMARY_DIMENSIONS = ("town", "category", "channel", "department", "grid")


def summarised(filters: Filters) -> bool:
    """Whether the summaries can answer: filtered by town at most (as of now or of any
    earlier instant: data_access.as_of); a department scope cannot."""
    filters = scoped_filters(filters)
    return not (filters.categories or filters.channels or filters.departments)


def _summary_table(dimension: str | None, due: bool, monthly: bool):
    """(table, its key column, its conditions, its date column) of the summary that splits
    by `dimension`: received etc. by reported day or month, or due by deadline day or
    month (the day series keys by the day itself)."""
    if monthly:
        t = IncidentDueMonthlyBy if due else IncidentMonthlyBy
        split = "" if dimension in (None, "town") else dimension
        return t, (t.town if split == "" else t.key), [t.dimension == split], t.month
    if dimension in (None, "town", "reported_day"):
        t = IncidentDueDaily if due else IncidentDaily
        return t, (t.day if dimension == "reported_day" else t.town), [], t.day
    t = IncidentDueDailyBy if due else IncidentDailyBy
    return t, t.key, [t.dimension == dimension], t.day


def _summary_sums(
    conn,
    columns: tuple[str, ...],
    first: date,
    last: date,
    dimension: str | None,
    towns: tuple[str, ...],
    by_town: bool,
    due: bool = False,
) -> list[tuple[object, dict]]:
    """_grouped sums of the summary `columns` from day `first` to `last`: whole months from
    the monthly tables, the days around them from the daily ones."""
    by_day = dimension in ("reported_day", "hour")
    pieces = [(False, first, last)] if by_day else months.split(first, last)
    out = []
    for monthly, low, high in pieces:
        t, key, where, when = _summary_table(dimension, due, monthly)
        keys = [key, t.town] if by_town else [key] if dimension is not None else []
        query = select(*(func.coalesce(func.sum(getattr(t, c)), 0).label(c) for c in columns))
        query = query.where(when.between(low, high), *where)
        out += _grouped(conn, query.where(*([t.town.in_(towns)] if towns else [])), keys)
    return out


def _incident_key(dimension: str | None, due: bool = False) -> ColumnElement:
    """The incidents column a summary's key stands for ('' for none, like the summaries),
    always as an expression (see _summed_rows)."""
    if dimension == "reported_day":
        day = Incident.deadline_day if due else Incident.reported_day
        return func.coalesce(day, day)
    return func.coalesce(getattr(Incident, dimension or "town"), "")


def _grouped(conn, query, keys: list[ColumnElement]) -> list[tuple[object, dict]]:
    """[(key, counts)] of an aggregate query grouped by `keys` (a tuple key when several;
    one "" row when none)."""
    if not keys:
        return [("", conn.execute(query).one()._asdict())]
    labelled = [k.label(f"key{i}") for i, k in enumerate(keys)]
    out = []
    for row in conn.execute(query.add_columns(*labelled).group_by(*keys)):
        counts = row._asdict()
        key = tuple(counts.pop(f"key{i}") for i in range(len(keys)))
        out.append((key if len(keys) > 1 else key[0], counts))
    return out


def _summed_rows(
    conn,
    flags: dict[str, ColumnElement],
    where: list,
    keys: list[ColumnElement],
    scope: list[ColumnElement],
) -> list[tuple[object, dict]]:
    """Like _grouped, for the few rows `where` finds by its own index. The filters'
    `scope` goes into the sums and the keys are expressions, not bare columns: with a town
    IN (...) in the WHERE or a GROUP BY on an indexed column, SQLite prefers that index
    and reads every incident of the towns or of all time."""
    sums = select(*(_count(and_(c, *scope)).label(n) for n, c in flags.items())).where(*where)
    return _grouped(conn, sums, keys)


def last_day_over(at: datetime) -> date:
    """The last day that is over by `at` in every time zone: a day ends at the latest at
    noon UTC the day after (UTC-12). At 5 M incidents the days after it hold some 7,000
    deadlines each, read from `incidents`; "before yesterday in UTC" read a day more."""
    return (at - timedelta(hours=12)).date() - timedelta(days=1)


def _summary_counts(
    conn,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float,
    dimension: str | None = None,
    by_town: bool = False,
    as_of: datetime | None = None,
) -> dict[object, dict]:
    """The counts of incident_figures as of `as_of` or now, per value of `dimension` (one
    "" entry without): per-day summaries where the answer cannot depend on the instant,
    `incidents` where it can (open rows, deadline days not yet over everywhere, and the
    rows reported or closed after the instant: data_access.as_of). Equal to the raw path,
    by construction and by test. With `by_town`, per (value, town) pair."""
    grouped = dimension is not None
    at = as_of or now

    def incident_keys(due: bool = False) -> list[ColumnElement]:
        if not grouped:
            return []
        town = [func.coalesce(Incident.town, "")] if by_town else []
        return [_incident_key(dimension, due), *town]

    towns = scoped_filters(filters).towns
    out: dict[object, dict] = defaultdict(lambda: dict.fromkeys(COUNTED, 0))

    def add(rows: list[tuple[object, dict]], sign: int = 1) -> None:
        for key, counts in rows:
            for name, value in counts.items():
                out[key][name] += sign * int(value or 0)

    add(_summary_sums(conn, SUMMED, window.start, window.end, dimension, towns, by_town))
    # Deadline days over in every zone come from the summary; the last days, where
    # "passed by now" cuts through a day, from incidents.
    settled = min(window.end, last_day_over(at))
    due = ("due", "on_time")
    add(_summary_sums(conn, due, window.start, settled, dimension, towns, by_town, due=True))
    scope = incident_scope(filters)
    recent_start = max(window.start, settled + timedelta(days=1))
    if recent_start <= window.end:
        recent = Window(recent_start, window.end)
        cond = incident_conditions(recent, at, warn_hours)
        late = {"due": cond["due"], "on_time": cond["on_time"]}
        where = [Incident.deadline_day.between(recent.start, recent.end)]
        add(_summed_rows(conn, late, where, incident_keys(due=True), scope))
    live = incident_conditions(window, at, warn_hours)
    horizon = at + timedelta(hours=warn_hours)
    # Few rows from here on, found by their own indexes; summed in Python, since grouping
    # in SQL lets SQLite pick the grouping column's index and scan every incident.
    open_rows = {"overdue_open": live["overdue_open"], "due_soon": live["due_soon"]}
    # the open partial index, or the window's days when they hold fewer rows
    open_where = [is_open(), Incident.deadline <= horizon, live["received"]]
    add(_summed_rows(conn, open_rows, open_where, incident_keys(), scope))
    # Rows the summaries count by their current state but the definition does not count
    # as of `at`: closed after it, or reported after it (as of now: clock skew up to a day).
    closed_now = Incident.status.in_(CLOSED_STATUSES)
    in_window = Incident.reported_day.between(window.start, window.end)
    counted = {
        "received": and_(in_window, counted_status()),
        "closed": and_(in_window, closed_now),
        "rated": and_(in_window, closed_now, Incident.satisfaction.is_not(None)),
        "satisfied": and_(in_window, closed_now, Incident.satisfaction >= SATISFIED_FROM),
    }
    closed_later = closed_after(at)
    fixes = {
        **{c: live[c] for c in SUMMED},
        **{f"summary_{c}": counted[c] for c in SUMMED},
        "overdue_open": and_(closed_later, live["overdue_open"]),
        "due_soon": and_(closed_later, live["due_soon"]),
    }
    for where in changed_since(window, at, now):
        for k, counts in _summed_rows(conn, fixes, where, incident_keys(), scope):
            for c in SUMMED:
                counts[c] -= counts.pop(f"summary_{c}")
            add([(k, counts)])
    return out


def incident_figures(
    engine: Engine,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    as_of: datetime | None = None,
    use_summaries: bool = True,
    work_order: bool = False,
) -> dict:
    """The `incidents` object of GET /api/v1/kpis for the window, as of `as_of` or now.

    For the whole county or some towns, as of now or earlier, the counts come from the
    daily summaries (fast at millions of rows); otherwise straight from `incidents`. With
    `work_order`, also the work order's figures (data_access.work_order), through the
    summaries too; only callers that show them ask."""
    at = as_of or now
    conditions = incident_conditions(window, at, warn_hours)
    scope = incident_scope(filters)
    summary = use_summaries and summarised(filters)
    closed = and_(conditions["closed"], *scope)
    histogram = (window, scoped_filters(filters).towns, at, now) if summary else None

    def counted() -> tuple[dict, int]:
        with engine.connect() as conn:
            if summary:
                found = _summary_counts(conn, window, filters, now, warn_hours, as_of=as_of)
                counts = found.get("", {})
                counts = {k: counts.get(k, 0) for k in COUNTED}
            else:
                query = select(*(_count(conditions[k]).label(k) for k in COUNTED))
                counts = conn.execute(query.where(_relevant(window), *scope)).one()._asdict()
            # few rows, read by the merged incidents' own partial index
            merged = select(func.count()).where(is_merged(), conditions["duplicates"], *scope)
            return counts, conn.execute(merged).scalar_one()

    def ordered() -> dict:
        with engine.connect() as conn:
            return dict(_work_orders(conn, window, filters, at, now, warn_hours, None, summary))

    # read at once (common.concurrent_calls): the counts, the work order's, and the median
    # through the histograms, its number of closed rows checked against the counts' after
    calls = [counted]
    if work_order:
        calls.append(ordered)
    if summary:
        calls.append(lambda: histogram_guess(engine, closed, histogram))
    found = at_once(*calls)
    counts, duplicates = found[0]
    orders = found[1] if work_order else None
    guess = found[-1] if summary else None
    figures = _incident_shape(counts)
    if orders is not None:
        figures.update(_work_order_shape(orders.get("", {}), figures["received"]))
    figures["duplicates"] = int(duplicates)
    if guess is not None and guess[0] is not None and guess[1] == figures["closed"]:
        figures["median_hours_to_close"] = guess[0]
    else:
        figures["median_hours_to_close"] = median_hours_to_close(
            engine, closed, figures["closed"], histogram
        )
    return figures


def _work_order_counts(
    conn,
    window: Window,
    at: datetime,
    warn_hours: float,
    scope: list[ColumnElement],
    keys: list[ColumnElement],
) -> list[tuple[object, dict]]:
    """The work order's counts (data_access.work_order) as of `at`, per value of `keys`,
    over the window's reported rows (read by their reported day)."""
    base = incident_conditions(window, at, warn_hours)
    # every count is of the received: that condition once in the WHERE, not in each sum
    closed = and_(Incident.status.in_(CLOSED_STATUSES), Incident.closed_at <= at)
    flags = work_order.conditions(true(), closed, at)
    return _summed_rows(conn, flags, [base["received"]], keys, scope)


def _work_orders(
    conn,
    window: Window,
    filters: Filters,
    at: datetime,
    now: datetime,
    warn_hours: float,
    dimension: str | None,
    summary: bool,
) -> list[tuple[object, dict]]:
    """The work order's counts as of `at` per value of `dimension` (one "" entry without):
    from the summaries when they can answer (`summary`), else from the window's reported
    rows."""
    keys = [_incident_key(dimension)] if dimension is not None else []
    if not summary:
        return _work_order_counts(conn, window, at, warn_hours, incident_scope(filters), keys)
    names = work_order.COUNTS
    out: dict[object, dict] = defaultdict(lambda: dict.fromkeys(names, 0))
    towns = scoped_filters(filters).towns
    found = _summary_sums(conn, names, window.start, window.end, dimension, towns, False)
    # The summaries count each row by its eventual state; a row settled after `at` (few,
    # by their own indexes: data_access.as_of) counts otherwise as of `at`: take one off,
    # add the other.
    in_window = and_(Incident.reported_day.between(window.start, window.end), counted_status())
    received = and_(in_window, Incident.reported_at <= at)

    def closed(by: datetime, received: ColumnElement) -> ColumnElement:
        return and_(received, Incident.status.in_(CLOSED_STATUSES), Incident.closed_at <= by)

    as_of = work_order.conditions(received, closed(at, received), at)
    ever = work_order.EVER
    eventual = work_order.conditions(in_window, closed(ever, in_window), ever)
    flags = {**as_of, **{f"summary_{c}": eventual[c] for c in names}}
    for where in settled_since(window, at, now):
        for key, counts in _summed_rows(conn, flags, where, keys, incident_scope(filters)):
            found.append((key, {c: counts[c] - counts[f"summary_{c}"] for c in names}))
    for key, counts in found:
        for name in names:
            out[key][name] += int(counts[name] or 0)
    return list(out.items())


def nothing_counted(work_order: bool = False) -> dict:
    """The figures of a filter that counts no incident: every count 0, every rate null."""
    figures = _incident_shape(dict.fromkeys(COUNTED, 0))
    if work_order:
        figures.update(_work_order_shape({}, 0))
    return figures


def _work_order_shape(counts: dict, received: int) -> dict:
    """The work order's figures (data_access.work_order.SHOWN) from their counts."""
    c = {k: int(counts.get(k) or 0) for k in work_order.COUNTS} | {"received": received}
    return {n: c[n] if n in c else rate_of(n, c) for n in work_order.SHOWN}


def _relevant(window: Window) -> ColumnElement:
    """Only rows that can count: reported in the window or due in it."""
    return or_(
        Incident.reported_day.between(window.start, window.end),
        Incident.deadline_day.between(window.start, window.end),
    )


def incident_figures_by(
    engine: Engine,
    dimension: str,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    as_of: datetime | None = None,
    use_summaries: bool = True,
    work_order: bool = False,
) -> list[dict]:
    """incident_figures per value of `dimension` (no median), largest volume first; a
    value with nothing counted is left out. From the summaries where they can answer; the
    work order's figures only when asked (as incident_figures)."""
    if dimension not in INCIDENT_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    if use_summaries and dimension in SUMMARY_DIMENSIONS and summarised(filters):
        with engine.connect() as conn:
            found = _summary_counts(conn, window, filters, now, warn_hours, dimension, as_of=as_of)
        rows = [{"key": k if k != "" else None, **c} for k, c in found.items()]
    else:
        column = getattr(Incident, dimension)
        conditions = incident_conditions(window, as_of or now, warn_hours)
        query = (
            select(column.label("key"), *(_count(conditions[k]).label(k) for k in COUNTED))
            .where(_relevant(window), *incident_scope(filters))
            .group_by(column)
        )
        with engine.connect() as conn:
            rows = [r._asdict() for r in conn.execute(query)]
    orders = None
    if work_order:
        summary = use_summaries and dimension in SUMMARY_DIMENSIONS and summarised(filters)
        at = as_of or now
        with engine.connect() as conn:
            found = _work_orders(conn, window, filters, at, now, warn_hours, dimension, summary)
        orders = {k if k != "" else None: c for k, c in found}
    out = []
    for r in rows:
        key = r.pop("key")
        shaped = _incident_shape(r)
        if orders is not None:
            shaped.update(_work_order_shape(orders.get(key, {}), shaped["received"]))
        out.append({"key": key, **shaped})
    out = [r for r in out if any(r[c] for c in COUNTED)]
    return sorted(out, key=lambda r: (-r["received"], str(r["key"])))


def daily_series(
    engine: Engine, window: Window, filters: Filters, now: datetime, use_summaries: bool = True
) -> list[dict]:
    """Received, closed and satisfaction per reported day of the window, as of now:
    [{"key": day, "received", "closed", "closure_rate", "rated", "satisfied",
    "satisfaction_rate"}], in day order."""
    if use_summaries and summarised(filters):
        with engine.connect() as conn:
            found = _summary_counts(conn, window, filters, now, 24.0, "reported_day").items()
    else:
        cond = incident_conditions(window, now, 24.0)
        query = (
            select(Incident.reported_day, *(_count(cond[c]).label(c) for c in SUMMED))
            .where(
                Incident.reported_day.between(window.start, window.end), *incident_scope(filters)
            )
            .group_by(Incident.reported_day)
        )
        with engine.connect() as conn:
            found = [(r[0], r._asdict()) for r in conn.execute(query)]
    out = []
    for day, counts in sorted(found, key=lambda item: item[0]):
        if not window.start <= day <= window.end or not any(counts[c] for c in SUMMED):
            continue
        c = {k: int(counts[k] or 0) for k in SUMMED}
        out.append(
            {
                "key": day,
                **c,
                "closure_rate": rate_of("closure_rate", c),
                "satisfaction_rate": rate_of("satisfaction_rate", c),
            }
        )
    return out


def dispute_conditions(at: datetime, window: Window) -> dict[str, ColumnElement]:
    """The disputes' sets as SQL conditions as of `at` (shared with the dispute list)."""
    accepted = and_(
        Dispute.accepted_day.between(window.start, window.end), Dispute.accepted_at <= at
    )

    def outcome(status: str) -> ColumnElement:
        return and_(accepted, Dispute.status == status, Dispute.resolved_at <= at)

    return {
        "accepted": accepted,
        **{s: outcome(s) for s in (*DECIDED, WITHDRAWN)},
    }


def _dispute_shape(counts: dict) -> dict:
    c = {k: int(v or 0) for k, v in counts.items()}
    sums = {"resolved": sum(c[s] for s in RESOLVED), "decided": sum(c[s] for s in DECIDED)}
    return {
        "accepted": c["accepted"],
        **{s: c[s] for s in (*DECIDED, WITHDRAWN)},
        PENDING: c["accepted"] - sums["decided"] - c[WITHDRAWN],
        **{name: rate_of(name, {**c, **sums}) for name in DISPUTE_RATES},
    }


def _outcome_totals(counts: Counter) -> dict:
    """dispute_conditions' counts from a dispute_counts Counter[(outcome, via, bin)]."""
    totals = dict.fromkeys(("accepted", *DISPUTE_OUTCOMES), 0)
    for (outcome, *_), n in counts.items():
        totals["accepted"] += n
        if outcome != PENDING:
            totals[outcome] += n
    return totals


def dispute_figures(
    engine: Engine,
    window: Window,
    towns: tuple[str, ...],
    now: datetime,
    as_of: datetime | None = None,
    dimension: str | None = None,
    use_summaries: bool = True,
) -> dict | list[dict]:
    """The `disputes` object of GET /api/v1/kpis; per `dimension` value when given.

    As of now the counts come from the dispute summaries; as of an earlier instant,
    straight from `disputes`."""
    if dimension is not None and dimension not in DISPUTE_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    conditions = dispute_conditions(as_of or now, window)
    if use_summaries and as_of is None:
        with engine.connect() as conn:
            found = summary_counts(conn, window.start, window.end, towns, now, dimension)
        rows = [{"key": k, **_outcome_totals(c)} for k, c in found.items()]
    else:
        key = literal("all") if dimension is None else getattr(Dispute, dimension)
        query = select(key.label("key"), *(_count(c).label(k) for k, c in conditions.items()))
        query = query.where(
            Dispute.accepted_day.between(window.start, window.end), *dispute_in_scope()
        )
        if towns:
            query = query.where(Dispute.town.in_(dispute_towns(towns)))
        query = query.group_by(key) if dimension else query
        with engine.connect() as conn:
            rows = [r._asdict() for r in conn.execute(query)]
    shaped = [{"key": r.pop("key"), **_dispute_shape(r)} for r in rows]
    if dimension is None:
        figures = shaped[0] if shaped else _dispute_shape(dict.fromkeys(conditions, 0))
        figures.pop("key", None)
        return figures
    return sorted(shaped, key=lambda r: (-r["accepted"], str(r["key"])))


def is_open() -> ColumnElement:
    """Status is open, with the statuses inlined as literals: only then can SQLite and
    PostgreSQL use the partial index on open incidents' deadlines (a list's overdue
    page in milliseconds instead of a scan of every incident)."""
    statuses = bindparam("open", list(OPEN_STATUSES), expanding=True, literal_execute=True)
    return Incident.status.in_(statuses)


def is_merged() -> ColumnElement:
    """Status is merged, inlined as a literal for the partial index on merged incidents
    (as is_open)."""
    return Incident.status == bindparam("merged", MERGED, literal_execute=True)


def backlog_conditions(now: datetime, warn_hours: float) -> dict[str, ColumnElement]:
    """The backlog's sets (no window): open now, and of those overdue or due soon."""
    is_open_now = is_open()
    horizon = now + timedelta(hours=warn_hours)
    return {
        "open": is_open_now,
        "overdue": and_(is_open_now, Incident.deadline <= now),
        "due_soon": and_(is_open_now, Incident.deadline > now, Incident.deadline <= horizon),
    }


def backlog(
    engine: Engine,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    red_hours: float = 24.0,
) -> dict:
    """Every incident still open, whenever reported: open, overdue and due soon now, the
    overdue not acknowledged, and the count of each alert colour (data_access.alerts)."""
    sets = backlog_conditions(now, warn_hours)
    colours = colour_conditions(now, warn_hours, red_hours)
    scope = incident_scope(filters)  # in the counts: in the WHERE it hides the open index
    opened = _count(and_(*scope)).label("open") if scope else func.count().label("open")
    unacknowledged = and_(sets["overdue"], not_(acknowledged(now)), *scope)
    query = select(
        opened,
        _count(and_(sets["overdue"], *scope)).label("overdue"),
        _count(and_(sets["due_soon"], *scope)).label("due_soon"),
        _count(unacknowledged).label("overdue_unacknowledged"),
        *(_count(and_(colours[c], *scope)).label(c) for c in COLOURS),
    ).where(sets["open"])
    with engine.connect() as conn:
        counts = {k: int(v or 0) for k, v in conn.execute(query).one()._asdict().items()}
    alert_counts = {c: counts.pop(c) for c in COLOURS}
    return {**counts, "alerts": alert_counts}


def kpis(
    engine: Engine,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    as_of: datetime | None = None,
    red_hours: float = 24.0,
    work_order: bool = True,
) -> dict:
    """The three figure families of GET /api/v1/kpis (without the window header); the
    work order's figures unless a caller that shows none of them says so. The families
    are read at once (common.concurrent_calls), each on its own connection."""
    incidents, disputes, open_now = at_once(
        lambda: incident_figures(
            engine, window, filters, now, warn_hours, as_of, work_order=work_order
        ),
        lambda: dispute_figures(engine, window, filters.towns, now, as_of),
        lambda: backlog(engine, filters, now, warn_hours, red_hours),
    )
    return {"incidents": incidents, "disputes": disputes, "backlog": open_now}


# --- Breakdowns for the leader KPI and mediation pages (same sets as above) ---

RANK_MEASURES = {
    # measure: (numerator, denominator, a higher rate is better)
    "closure": (*INCIDENT_RATES["closure_rate"], True),
    "on_time": (*INCIDENT_RATES["on_time_rate"], True),
    "overdue": ("overdue_open", "received", False),
    "satisfaction": (*INCIDENT_RATES["satisfaction_rate"], True),
    # the work order's (second edition): what a department's head is called in about
    "timely_sign": (*INCIDENT_RATES["timely_sign_rate"], True),
    "return": (*INCIDENT_RATES["return_rate"], False),
}


def ranked_units(
    engine: Engine,
    dimension: str,
    measure: str,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    units: tuple[str, ...] = (),
    parents: dict[str, str] | None = None,
) -> dict:
    """Units of `dimension` ranked on a RANK_MEASURES rate, volume-aware (Wilson lower
    bound of the good share, so an overdue share ranks by its complement).

    {"ranked": [{"key", "numerator", "denominator", "rate", "score"}], best first;
     "no_cases": [keys]}: units with a zero denominator, including known `units` that
    have no incidents at all. Incidents without a value (not yet dispatched) are no unit.
    With `parents` (e.g. grid -> community), the units are the parents of the dimension's
    values, each counting its children's cases (a value without a parent is no unit).
    """
    numerator, denominator, higher_is_better = RANK_MEASURES[measure]
    orders = numerator in work_order.COUNTS
    found = incident_figures_by(
        engine, dimension, window, filters, now, warn_hours, work_order=orders
    )
    if parents is not None:
        found = _rolled_up(found, parents, (numerator, denominator))
    rows = [r for r in found if r["key"] is not None]
    seen = {r["key"] for r in rows}
    rows += [{"key": u, numerator: 0, denominator: 0} for u in units if u not in seen]
    plain = [
        {
            "key": r["key"],
            "numerator": r[numerator],
            "denominator": r[denominator],
            "good": r[numerator] if higher_is_better else r[denominator] - r[numerator],
        }
        for r in rows
    ]
    ranked, empty = rank(plain, "good", "denominator")
    return {
        "ranked": [
            {
                "key": r["key"],
                "numerator": r["numerator"],
                "denominator": r["denominator"],
                "rate": rate(r["numerator"], r["denominator"]),
                "score": r["score"],
            }
            for r in ranked
        ],
        "no_cases": sorted(r["key"] for r in empty),
    }


def _rolled_up(rows: list[dict], parents: dict[str, str], names: tuple[str, ...]) -> list[dict]:
    """The counts `names` of `rows` summed per parent of their key."""
    out: dict[str, dict] = {}
    for row in rows:
        parent = parents.get(row["key"])
        if parent is not None:
            summed = out.setdefault(parent, {"key": parent, **dict.fromkeys(names, 0)})
            for name in names:
                summed[name] += row[name]
    return list(out.values())


def _utc_hour(dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return func.extract("hour", Incident.reported_at)
    return func.strftime("%H", Incident.reported_at)


def received_by_weekday_hour(
    engine: Engine,
    window: Window,
    filters: Filters,
    now: datetime,
    tz: ZoneInfo,
    use_summaries: bool = True,
) -> list[list[int]]:
    """7 x 24 counts of `received` incidents by local weekday (Monday first) and local
    hour of their report. Grouped by local day and UTC hour (the summaries keep that split),
    then each group is moved to its local hour (exact for zones of whole-hour offsets)."""
    hour = _utc_hour(engine.dialect.name).label("h")
    received = incident_conditions(window, now, 24.0)["received"]
    scope = incident_scope(filters)
    if use_summaries and summarised(filters):
        d = IncidentDailyBy
        scoped = scoped_filters(filters).towns
        towns = [d.town.in_(scoped)] if scoped else []
        counts = select(d.day, d.key, func.sum(d.received)).where(
            d.dimension == "hour", d.day.between(window.start, window.end), *towns
        )
        # the summary counts reports stamped after now (clock skew), the definition not
        later = select(Incident.reported_day, hour, -func.count()).where(
            Incident.reported_day.between(
                max(window.start, (now - timedelta(days=1)).date()), window.end
            ),
            Incident.reported_at > now,
            counted_status(),
            *scope,
        )
        queries = [counts.group_by(d.day, d.key), later.group_by(Incident.reported_day, hour)]
    else:
        query = select(Incident.reported_day, hour, func.count()).where(received, *scope)
        queries = [query.group_by(Incident.reported_day, hour)]
    grid = [[0] * 24 for _ in range(7)]
    offsets: dict[date, int | None] = {}
    with engine.connect() as conn:
        for query in queries:
            for day, utc_hour, n in conn.execute(query):
                if day not in offsets:
                    offsets[day] = _steady_offset_minutes(day, tz)
                offset = offsets[day]
                if offset is None:  # the zone changes its offset this day
                    instant = _instant_on_local_day(day, int(utc_hour), tz)
                    local_hour = instant.astimezone(tz).hour
                else:
                    local_hour = (int(utc_hour) * 60 + offset) // 60 % 24
                grid[day.weekday()][local_hour] += int(n)
    return grid


def _steady_offset_minutes(day: date, tz: ZoneInfo) -> int | None:
    """The zone's UTC offset in minutes all through local `day`, or None if it changes
    that day. A year is 8,000 (day, hour) groups: converting each instant cost 80 ms."""
    start = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).utcoffset()
    if start != end or start is None:
        return None
    return int(start.total_seconds() // 60)


def _instant_on_local_day(day: date, utc_hour: int, tz: ZoneInfo) -> datetime:
    """The UTC instant at `utc_hour`:00 whose local date is `day` (one of three dates)."""
    for shift in (0, -1, 1):
        instant = datetime.combine(day + timedelta(days=shift), time(utc_hour), tzinfo=UTC)
        if instant.astimezone(tz).date() == day:
            return instant
    return datetime.combine(day, time(utc_hour), tzinfo=UTC)


def incident_figures_matrix(
    engine: Engine,
    rows: str,
    columns: str,
    window: Window,
    filters: Filters,
    now: datetime,
    warn_hours: float = 24.0,
    use_summaries: bool = True,
) -> list[dict]:
    """incident_figures (no median) per pair of values of two dimensions, e.g. category
    x town: [{"row", "column", "received", "closed", ...}], largest volume first; pairs
    with nothing counted are left out."""
    for dimension in (rows, columns):
        if dimension not in INCIDENT_DIMENSIONS:
            raise ValueError(f"unknown dimension {dimension!r}")
    summary = use_summaries and columns == "town" and rows in SUMMARY_DIMENSIONS
    if summary and rows != "town" and summarised(filters):
        with engine.connect() as conn:
            found = _summary_counts(conn, window, filters, now, warn_hours, rows, by_town=True)
        pairs = [
            {"row": k[0] if k[0] != "" else None, "column": k[1], **c} for k, c in found.items()
        ]
    else:
        row_col, column_col = getattr(Incident, rows), getattr(Incident, columns)
        conditions = incident_conditions(window, now, warn_hours)
        query = (
            select(
                row_col.label("row"),
                column_col.label("column"),
                *(_count(conditions[k]).label(k) for k in COUNTED),
            )
            .where(_relevant(window), *incident_scope(filters))
            .group_by(row_col, column_col)
        )
        with engine.connect() as conn:
            pairs = [r._asdict() for r in conn.execute(query)]
    out = [{"row": r.pop("row"), "column": r.pop("column"), **_incident_shape(r)} for r in pairs]
    out = [r for r in out if any(r[c] for c in COUNTED)]
    return sorted(out, key=lambda r: (-r["received"], str(r["row"]), str(r["column"])))


FLOW_OUTCOMES = (*DISPUTE_OUTCOMES, PENDING)


def dispute_flow(
    engine: Engine,
    window: Window,
    towns: tuple[str, ...],
    now: datetime,
    use_summaries: bool = True,
) -> dict:
    """Where the window's accepted disputes went, as of now: {"accepted", "mediating"
    (how many had a `mediating` event), "via_mediating": {outcome: n}, "direct":
    {outcome: n}}; outcomes are FLOW_OUTCOMES, `pending` meaning no outcome yet."""
    flow = {
        "accepted": 0,
        "mediating": 0,
        "via_mediating": dict.fromkeys(FLOW_OUTCOMES, 0),
        "direct": dict.fromkeys(FLOW_OUTCOMES, 0),
    }
    with engine.connect() as conn:
        if use_summaries:
            found = summary_counts(conn, window.start, window.end, towns, now, None)
            counts = found.get("", Counter())
        else:
            counts = _flow_counts(conn, window, towns, now)
    for (outcome, via, *_), n in counts.items():
        flow["accepted"] += n
        flow["mediating"] += n if via else 0
        flow["via_mediating" if via else "direct"][outcome] += n
    return flow


def _flow_counts(conn, window: Window, towns: tuple[str, ...], now: datetime) -> Counter:
    """dispute_counts' Counter[(outcome, via)] (no bins) for the flow, from `disputes`."""
    accepted = dispute_conditions(now, window)["accepted"]
    done = and_(Dispute.status.in_(DISPUTE_OUTCOMES), Dispute.resolved_at <= now)
    outcome = case((done, Dispute.status), else_=literal(PENDING))
    via = case((Dispute.via_mediating.is_(True), 1), else_=0)
    towns = dispute_towns(towns)
    query = select(outcome, via, func.count()).where(
        accepted, *dispute_in_scope(), *([Dispute.town.in_(towns)] if towns else [])
    )
    return Counter({(o, v): int(n) for o, v, n in conn.execute(query.group_by(outcome, via))})
