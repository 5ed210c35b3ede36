"""The naive baseline of the performance table: every figure family bench/callbacks.py
times, computed as a naive dashboard would (read the rows into pandas, count in Python),
so each product time can be quoted as a ratio against it, measured in the same run.

    python -m bench.naive [--database-url URL] [--period year] [--runs 3]

NAIVE maps bench/callbacks.py's names to `(engine, window, filters, now, tz) -> result`.
Each reads its rows with plain SELECTs (a WHERE on the window's days at most) through
pandas.read_sql and applies CONTRACT section 2 itself; check_kpis and check_daily prove
the main families equal to the product's. pandas is a bench-only requirement
(requirements-bench.txt): nothing the web tier or ingest runs imports this module.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Date, Engine, bindparam, func, select, text
from werkzeug.datastructures import MultiDict

from bench.callbacks import (
    API_TOWNS,
    API_WINDOW_CASE,
    OUT,
    TOWN_SCOPE_TOKEN,
    UNLIMITED_API,
    api_functions,
    api_window_function,
    page_functions,
    timed,
)
from callbacks import leader_data
from common import clock
from common.clock import local_today
from common.config import load_settings
from common.scope import COUNTY, using
from common.vocabulary import (
    CLOSED_STATUSES,
    DECIDED,
    DISPUTE_OUTCOMES,
    EXCLUDED_STATUSES,
    MERGED,
    PENDING,
    RESOLVED,
    SATISFIED_FROM,
    TERMINAL_STATUSES,
    WITHDRAWN,
)
from dashboard import api_params
from dashboard.links import View
from dashboard.period import comparison_unit, period_window
from data_access.comparisons import Comparison, comparisons
from data_access.db import make_engine
from data_access.kpis import Filters, Window, incident_figures_by, kpis
from data_access.models import DisputeEvent, Incident, IncidentEvent
from demo.seed import SCALES, run

WARN_HOURS = 24.0  # the contract's default horizon, which bench/callbacks.py runs with
RED_HOURS = 24.0  # the contract's default CC_RED_HOURS, likewise
OVERDUE_LIMIT = 100  # GET /api/v1/overdue's default limit
FILTERS = ("town", "category", "channel", "department")
FILTER_COLUMNS = ", ".join(FILTERS)
# the work order's instants (second edition), read for its figures
WORK_ORDER_INSTANTS = (
    "first_dispatch_at", "sign_due_at", "signed_at", "contact_due_at", "contacted_at",
    "returned_at", "extended_at", "reopened_at", "closed_once_at",
)  # fmt: skip
INSTANTS = (
    "reported_at", "deadline", "closed_at", "accepted_at", "resolved_at", "acknowledged_at",
    *WORK_ORDER_INSTANTS,
)  # fmt: skip
DAYS = ("reported_day", "deadline_day", "accepted_day")
DURATION_EDGES_DAYS = (1, 3, 7, 14, 30, 60)  # the mediation page's histogram bins
SET_NAMES = (
    "received",
    "closed",
    "due",
    "on_time",
    "overdue_open",
    "due_soon",
    "rated",
    "satisfied",
)
MIX = ("channel", "category")
PAGE_PERIODS = (
    "30d",
    "today",
    "7d",
    "month",
    "last_month",
    "quarter",
    "last_quarter",
    "year",
)  # the default first: it wins ties
DISPUTE_SETS = ("accepted", *DECIDED, WITHDRAWN)

Naive = Callable[[Engine, Window, Filters, datetime, ZoneInfo], object]


# --- Reading rows: one plain SELECT each, types made uniform across SQLite and PostgreSQL


def _read(engine: Engine, sql: str, window: Window | None = None) -> pd.DataFrame:
    """Rows of `sql` (with :start and :end bound to the window's days, if given);
    instants become naive-UTC datetime64, days midnight datetime64."""
    statement = text(sql)
    params = {}
    if window is not None:
        statement = statement.bindparams(
            bindparam("start", type_=Date), bindparam("end", type_=Date)
        )
        params = {"start": window.start, "end": window.end}
    with engine.connect() as conn:
        frame = pd.read_sql(statement, conn, params=params)
    for column in frame.columns:
        if column in INSTANTS or column in DAYS:
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
        elif column == "satisfaction":
            frame[column] = pd.to_numeric(frame[column])
    return frame


def _window_incidents(engine: Engine, columns: str, window: Window) -> pd.DataFrame:
    """Incidents reported or due in the window: the rows any window figure can count."""
    return _read(
        engine,
        f"SELECT {columns}, {FILTER_COLUMNS} FROM incidents"
        " WHERE reported_day BETWEEN :start AND :end OR deadline_day BETWEEN :start AND :end",
        window,
    )


def _reported_incidents(engine: Engine, columns: str, window: Window) -> pd.DataFrame:
    return _read(
        engine,
        f"SELECT {columns}, {FILTER_COLUMNS} FROM incidents"
        " WHERE reported_day BETWEEN :start AND :end",
        window,
    )


def _window_disputes(engine: Engine, columns: str, window: Window) -> pd.DataFrame:
    return _read(
        engine,
        f"SELECT accepted_at, accepted_day, status, resolved_at, town{columns}"
        " FROM disputes WHERE accepted_day BETWEEN :start AND :end",
        window,
    )


def _utc(now: datetime) -> pd.Timestamp:
    return pd.Timestamp(now.astimezone(UTC).replace(tzinfo=None))


def _in_scope(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    wanted = (filters.towns, filters.categories, filters.channels, filters.departments)
    for column, values in zip(FILTERS, wanted, strict=True):
        if values:
            keep &= frame[column].isin(values)
    return frame[keep]


def _in_days(days: pd.Series, window: Window) -> pd.Series:
    return days.between(pd.Timestamp(window.start), pd.Timestamp(window.end))


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _key(value):
    """A group key as the product gives it: None for no value, a date for a day."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


# --- Incidents: CONTRACT section 2's sets, row by row, as of now


def _incident_sets(frame: pd.DataFrame, window: Window, now: datetime) -> pd.DataFrame:
    """One boolean column per set of the contract, evaluated as of `now`."""
    at = _utc(now)
    counted = ~frame["status"].isin(EXCLUDED_STATUSES)
    closed_by = frame["status"].isin(CLOSED_STATUSES) & (frame["closed_at"] <= at)
    open_now = counted & ~closed_by
    received = _in_days(frame["reported_day"], window) & (frame["reported_at"] <= at)
    received &= counted
    due = _in_days(frame["deadline_day"], window) & (frame["deadline"] <= at) & counted
    deadline, horizon = frame["deadline"], at + pd.Timedelta(hours=WARN_HOURS)
    return pd.DataFrame(
        {
            "received": received,
            "closed": received & closed_by,
            "due": due,
            "on_time": due & closed_by & (frame["closed_at"] <= deadline),
            "overdue_open": received & open_now & (deadline <= at),
            "due_soon": received & open_now & (deadline > at) & (deadline <= horizon),
            "rated": received & closed_by & frame["satisfaction"].notna(),
            "satisfied": received & closed_by & (frame["satisfaction"] >= SATISFIED_FROM),
        }
    )


def _incident_shape(counts: dict) -> dict:
    c = {name: int(counts[name]) for name in SET_NAMES}
    return {
        "received": c["received"],
        "closed": c["closed"],
        "closure_rate": _rate(c["closed"], c["received"]),
        "due": c["due"],
        "on_time": c["on_time"],
        "on_time_rate": _rate(c["on_time"], c["due"]),
        "overdue_open": c["overdue_open"],
        "due_soon": c["due_soon"],
        "rated": c["rated"],
        "satisfied": c["satisfied"],
        "satisfaction_rate": _rate(c["satisfied"], c["rated"]),
    }


def _grouped(sets: pd.DataFrame, keys: list[pd.Series]) -> dict[tuple, dict]:
    """Counts of each set per value (tuple) of `keys`, None a value of its own."""
    sums = sets.astype("int64").groupby(keys, dropna=False, sort=False).sum()
    out = {}
    for key, counts in sums.to_dict("index").items():
        values = key if isinstance(key, tuple) else (key,)
        out[tuple(_key(v) for v in values)] = counts
    return out


READ_ALWAYS = (
    "reported_at",
    "reported_day",
    "deadline",
    "deadline_day",
    "status",
    "closed_at",
    "satisfaction",
)
INCIDENT_COLUMNS = ", ".join(READ_ALWAYS)
WORK_ORDER_COLUMNS = ", ".join((*WORK_ORDER_INSTANTS, "solved"))


def _work_order_figures(frame: pd.DataFrame, sets: pd.DataFrame, now: datetime) -> dict:
    """CONTRACT section 2's work order figures (second edition), row by row, as of now."""
    at = _utc(now)
    received, closed = sets["received"], sets["closed"]

    def by(column: str) -> pd.Series:
        return frame[column].notna() & (frame[column] <= at)

    dispatched = received & by("first_dispatch_at")

    def owed_and_kept(done: str, due: str) -> tuple[int, int]:
        owed = dispatched & (by(due) | by(done))
        return int(owed.sum()), int((owed & by(done) & (frame[done] <= frame[due])).sum())

    sign_due, signed_on_time = owed_and_kept("signed_at", "sign_due_at")
    contact_due, contacted = owed_and_kept("contacted_at", "contact_due_at")
    known = closed & frame["solved"].notna()
    c = {
        "received": int(received.sum()),
        "dispatched": int(dispatched.sum()),
        "returned": int((received & by("returned_at")).sum()),
        "extended": int((received & by("extended_at")).sum()),
        "reopened": int((received & by("reopened_at")).sum()),
        "closed_once": int((received & by("closed_once_at")).sum()),
        "solved_known": int(known.sum()),
        "solved": int((known & (frame["solved"] == 1)).sum()),
    }
    return {
        "dispatched": c["dispatched"],
        "sign_due": sign_due,
        "signed_on_time": signed_on_time,
        "timely_sign_rate": _rate(signed_on_time, sign_due),
        "contact_due": contact_due,
        "contacted_in_time": contacted,
        "contact_rate": _rate(contacted, contact_due),
        "returned": c["returned"],
        "return_rate": _rate(c["returned"], c["dispatched"]),
        "extended": c["extended"],
        "extension_rate": _rate(c["extended"], c["received"]),
        "reopened": c["reopened"],
        "reopen_rate": _rate(c["reopened"], c["closed_once"]),
        "solved_known": c["solved_known"],
        "solved": c["solved"],
        "solved_rate": _rate(c["solved"], c["solved_known"]),
    }


def naive_incident_figures(
    engine: Engine, window: Window, filters: Filters, now: datetime, work_order: bool = True
) -> dict:
    """The `incidents` of GET /api/v1/kpis; without the work order's figures when the
    product leaves them out too (the leader tiles)."""
    columns = f"{INCIDENT_COLUMNS}, {WORK_ORDER_COLUMNS}" if work_order else INCIDENT_COLUMNS
    frame = _in_scope(_window_incidents(engine, columns, window), filters)
    sets = _incident_sets(frame, window, now)
    figures = _incident_shape(sets.sum().to_dict())
    if work_order:
        figures.update(_work_order_figures(frame, sets, now))
    reported = _in_days(frame["reported_day"], window) & (frame["reported_at"] <= _utc(now))
    figures["duplicates"] = int((reported & (frame["status"] == MERGED)).sum())
    closed = frame[sets["closed"]]
    hours = (closed["closed_at"] - closed["reported_at"]).dt.total_seconds() / 3600
    figures["median_hours_to_close"] = None if hours.empty else round(float(hours.median()), 2)
    return figures


def naive_figures_by(
    engine: Engine,
    dimensions: tuple[str, ...],
    window: Window,
    filters: Filters,
    now: datetime,
    labels: tuple[str, ...] = ("key",),
) -> list[dict]:
    """Incident figures (no median) per value of the dimensions, named `labels`, largest
    volume first."""
    extra = "".join(f", {d}" for d in dimensions if d not in FILTERS + READ_ALWAYS)
    frame = _in_scope(_window_incidents(engine, INCIDENT_COLUMNS + extra, window), filters)
    sets = _incident_sets(frame, window, now)
    grouped = _grouped(sets, [frame[d] for d in dimensions])
    rows = [
        {**dict(zip(labels, key, strict=True)), **_incident_shape(c)} for key, c in grouped.items()
    ]
    return sorted(rows, key=lambda r: (-r["received"], *(str(r[k]) for k in labels)))


def _alerts(frame: pd.DataFrame, at: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Each open row's alert colour (or None) and whether it is acknowledged, as of `at`."""
    deadline = frame["deadline"]
    red = (deadline <= at - pd.Timedelta(hours=RED_HOURS)) | (frame["escalation_level"] >= 2)
    overdue = deadline <= at
    soon = ~overdue & (deadline <= at + pd.Timedelta(hours=WARN_HOURS))
    colour = pd.Series(None, index=frame.index, dtype=object)
    colour[soon & ~red], colour[overdue & ~red], colour[red] = "blue", "yellow", "red"
    return colour, frame["acknowledged_at"].notna() & (frame["acknowledged_at"] <= at)


def naive_backlog(engine: Engine, filters: Filters, now: datetime) -> dict:
    """Every incident still open (status not resolved, closed or rejected), whenever
    reported: no window, so the naive read is the whole table."""
    sql = (
        "SELECT status, deadline, escalation_level, acknowledged_at,"
        f" {FILTER_COLUMNS} FROM incidents"
    )
    frame = _in_scope(_read(engine, sql), filters)
    frame = frame[~frame["status"].isin(TERMINAL_STATUSES)]
    at = _utc(now)
    deadline = frame["deadline"]
    soon = (deadline > at) & (deadline <= at + pd.Timedelta(hours=WARN_HOURS))
    colour, acknowledged = _alerts(frame, at)
    return {
        "open": len(frame),
        "overdue": int((deadline <= at).sum()),
        "due_soon": int(soon.sum()),
        "overdue_unacknowledged": int(((deadline <= at) & ~acknowledged).sum()),
        "alerts": {c: int((colour == c).sum()) for c in ("red", "yellow", "blue")},
    }


# --- Disputes


def _dispute_sets(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    at = _utc(now)
    accepted = frame["accepted_at"] <= at
    decided_by = frame["resolved_at"] <= at
    out = {"accepted": accepted}
    for outcome in DISPUTE_SETS[1:]:
        out[outcome] = accepted & (frame["status"] == outcome) & decided_by
    return pd.DataFrame(out)


def _dispute_shape(counts: dict) -> dict:
    c = {name: int(counts[name]) for name in DISPUTE_SETS}
    decided = sum(c[s] for s in DECIDED)
    return {
        **c,
        PENDING: c["accepted"] - decided - c[WITHDRAWN],
        "resolution_rate": _rate(sum(c[s] for s in RESOLVED), c["accepted"]),
        "mediation_success_rate": _rate(c["mediated"], decided),
    }


def _disputes_in(engine: Engine, window: Window, towns: tuple[str, ...], columns: str = ""):
    frame = _window_disputes(engine, columns, window)
    return frame[frame["town"].isin(towns)] if towns else frame


def naive_dispute_figures(engine: Engine, window: Window, towns: tuple[str, ...], now) -> dict:
    return _dispute_shape(_dispute_sets(_disputes_in(engine, window, towns), now).sum().to_dict())


def naive_disputes_by(
    engine: Engine, dimension: str, window: Window, towns: tuple[str, ...], now: datetime
) -> list[dict]:
    extra = "" if dimension in ("town", "accepted_day") else f", {dimension}"
    frame = _disputes_in(engine, window, towns, extra)
    grouped = _grouped(_dispute_sets(frame, now), [frame[dimension]])
    rows = [{"key": key[0], **_dispute_shape(c)} for key, c in grouped.items()]
    return sorted(rows, key=lambda r: (-r["accepted"], str(r["key"])))


# --- The figure families of the pages and the API


def naive_kpis(
    engine: Engine,
    window: Window,
    filters: Filters,
    now: datetime,
    tz=None,
    work_order: bool = True,
) -> dict:
    """GET /api/v1/kpis without the window header: incidents, disputes, backlog."""
    return {
        "incidents": naive_incident_figures(engine, window, filters, now, work_order),
        "disputes": naive_dispute_figures(engine, window, filters.towns, now),
        "backlog": naive_backlog(engine, filters, now),
    }


def _comparisons(window: Window, now: datetime, tz: ZoneInfo) -> list[Comparison]:
    """What the tiles compare with, for the page period whose window this is (the 30-day
    default when several match, a rolling custom period when none does)."""
    today = now.astimezone(tz).date()
    matching = [p for p in PAGE_PERIODS if period_window(p, today) == window]
    return comparisons(window, comparison_unit((matching or ["custom"])[0]), now)


def naive_tiles(engine, window: Window, filters: Filters, now: datetime, tz: ZoneInfo) -> dict:
    """The window's figures as of now, each comparison's as of its own instant."""
    return {
        "current": naive_kpis(engine, window, filters, now),
        "comparisons": [
            {
                "basis": c.basis,
                "as_of": c.as_of,
                "incidents": naive_incident_figures(engine, c.window, filters, c.as_of),
                "disputes": naive_dispute_figures(engine, c.window, filters.towns, c.as_of),
            }
            for c in _comparisons(window, now, tz)
        ],
    }


def naive_daily(engine, window: Window, filters: Filters, now: datetime, tz=None) -> list[dict]:
    """Figures per reported day of the window (due counted by the reported day of what
    falls due in the window, as the product's daily series does)."""
    rows = naive_figures_by(engine, ("reported_day",), window, filters, now)
    return [r for r in rows if window.start <= r["key"] <= window.end]


def naive_rankings(engine, window: Window, filters: Filters, now: datetime, tz=None) -> dict:
    """A plain closure-rate table per town and per department, best first."""
    frame = _in_scope(_reported_incidents(engine, INCIDENT_COLUMNS, window), filters)
    sets = _incident_sets(frame, window, now)
    tables = {}
    for dimension in ("town", "department"):
        counts = sets[["received", "closed"]].astype("int64").groupby(frame[dimension]).sum()
        counts = counts[counts["received"] > 0]
        counts["rate"] = counts["closed"] / counts["received"]
        tables[dimension] = counts.sort_values("rate", ascending=False).reset_index()
    return {d: t.to_dict("records") for d, t in tables.items()}


def naive_mix(engine, window: Window, filters: Filters, now: datetime, tz=None) -> dict:
    return {d: naive_figures_by(engine, (d,), window, filters, now) for d in MIX}


def naive_heatmap(engine, window: Window, filters: Filters, now: datetime, tz: ZoneInfo):
    """7 x 24 received counts by local weekday (Monday first) and local hour."""
    frame = _in_scope(_reported_incidents(engine, INCIDENT_COLUMNS, window), filters)
    local = frame.loc[_incident_sets(frame, window, now)["received"], "reported_at"]
    local = local.dt.tz_localize("UTC").dt.tz_convert(tz)
    counts = pd.crosstab(local.dt.day_of_week, local.dt.hour)
    counts = counts.reindex(index=range(7), columns=range(24), fill_value=0)
    return [[int(n) for n in row] for row in counts.to_numpy()]


def naive_matrix(engine, window: Window, filters: Filters, now: datetime, tz=None) -> list[dict]:
    dimensions, labels = ("category", "town"), ("row", "column")
    return naive_figures_by(engine, dimensions, window, filters, now, labels)


def naive_map(engine, window: Window, filters: Filters, now: datetime, tz=None) -> dict:
    """Received per grid code."""
    frame = _in_scope(_reported_incidents(engine, INCIDENT_COLUMNS + ", grid", window), filters)
    received = frame.loc[_incident_sets(frame, window, now)["received"], "grid"]
    return {k: int(n) for k, n in received.value_counts().items()}


def naive_mediation_tiles(engine, window: Window, filters: Filters, now, tz: ZoneInfo) -> dict:
    return {
        "current": naive_dispute_figures(engine, window, filters.towns, now),
        "comparisons": [
            {
                "basis": c.basis,
                "as_of": c.as_of,
                "disputes": naive_dispute_figures(engine, c.window, filters.towns, c.as_of),
            }
            for c in _comparisons(window, now, tz)
        ],
    }


def naive_flow(engine, window: Window, filters: Filters, now: datetime, tz=None) -> tuple:
    """Where the window's disputes went (via a `mediating` event or directly), and the
    days from acceptance to each outcome."""
    frame = _disputes_in(engine, window, filters.towns, ", id")
    mediating = _read(engine, "SELECT dispute_id FROM dispute_events WHERE status = 'mediating'")
    at = _utc(now)
    frame = frame[frame["accepted_at"] <= at]
    went = frame["id"].isin(mediating["dispute_id"])
    done = frame["status"].isin(DISPUTE_OUTCOMES) & (frame["resolved_at"] <= at)
    outcomes = (*DISPUTE_OUTCOMES, PENDING)
    status = frame["status"].where(done, PENDING)
    flow = {
        "accepted": len(frame),
        "mediating": int(went.sum()),
        "via_mediating": {o: int(((status == o) & went).sum()) for o in outcomes},
        "direct": {o: int(((status == o) & ~went).sum()) for o in outcomes},
    }
    finished = frame[done]
    days = ((finished["resolved_at"] - finished["accepted_at"]).dt.total_seconds() / 86400).clip(
        lower=0
    )

    def summary(values: pd.Series) -> dict:
        edges = list(DURATION_EDGES_DAYS)
        histogram = pd.cut(values, [0, *edges, float("inf")], right=False).value_counts(sort=False)
        return {
            "count": len(values),
            "median_days": None if values.empty else round(float(values.median()), 2),
            "histogram": [int(n) for n in histogram],
        }

    by_status = finished["status"]
    durations = {
        "edges": list(DURATION_EDGES_DAYS),
        "resolved": summary(days[by_status.isin(RESOLVED)]),
        "outcomes": {o: summary(days[by_status == o]) for o in DISPUTE_OUTCOMES},
    }
    return flow, durations


def naive_trend(engine, window: Window, filters: Filters, now: datetime, tz=None) -> list:
    return naive_disputes_by(engine, "accepted_day", window, filters.towns, now)


def naive_breakdowns(engine, window: Window, filters: Filters, now: datetime, tz=None) -> dict:
    return {
        d: naive_disputes_by(engine, d, window, filters.towns, now)
        for d in ("kind", "mediation_type", "mediator", "town")
    }


def api_window(now: datetime, tz: ZoneInfo) -> Window:
    """The API's default window (bench/callbacks.py's URLs give none): 30 days to today."""
    today = now.astimezone(tz).date()
    return Window(today - timedelta(days=29), today)


def naive_api_kpis(engine, window: Window, filters: Filters, now: datetime, tz: ZoneInfo):
    return naive_kpis(engine, api_window(now, tz), Filters(), now)


def naive_api_kpis_towns(engine, window: Window, filters: Filters, now: datetime, tz: ZoneInfo):
    return naive_kpis(engine, api_window(now, tz), Filters(towns=API_TOWNS), now)


OVERDUE_COLUMNS = (
    "id, town, grid, category, channel, department, priority, status, reported_at, deadline,"
    " escalation_level, acknowledged_at"
)


def naive_overdue(engine, window: Window, filters: Filters, now: datetime, tz=None) -> dict:
    """GET /api/v1/overdue: open incidents past their deadline, most overdue first."""
    frame = _read(engine, f"SELECT {OVERDUE_COLUMNS} FROM incidents")
    at = _utc(now)
    late = frame[~frame["status"].isin(TERMINAL_STATUSES) & (frame["deadline"] <= at)]
    items = late.sort_values(["deadline", "id"]).head(OVERDUE_LIMIT).copy()
    items["hours_overdue"] = ((at - items["deadline"]).dt.total_seconds() / 3600).round(2)
    items["colour"], items["acknowledged"] = _alerts(items, at)
    items = items.drop(columns="acknowledged_at")
    return {"total": len(late), "items": items.to_dict("records")}


NAIVE: dict[str, Naive] = {
    "leader.render_tiles": naive_tiles,
    "leader.render_daily": naive_daily,
    "leader.render_rankings": naive_rankings,
    "leader.render_mix": naive_mix,
    "leader.render_heatmap": naive_heatmap,
    "leader.render_matrix": naive_matrix,
    "leader.render_map": naive_map,
    "mediation.render_tiles": naive_mediation_tiles,
    "mediation.render_flow": naive_flow,
    "mediation.render_trend": naive_trend,
    "mediation.render_breakdowns": naive_breakdowns,
    "GET /api/v1/kpis": naive_api_kpis,
    "GET /api/v1/kpis?start&end": naive_api_kpis,
    "GET /api/v1/kpis?town=..": naive_api_kpis_towns,
    "GET /api/v1/kpis town scope": naive_api_kpis_towns,  # the same towns, as a scope
    "GET /api/v1/overdue": naive_overdue,
}


# --- Fairness: the naive answers equal the product's


def _differences(path: str, naive, product) -> list[str]:
    """Where two results differ; a median may differ by rounding alone (0.01 h)."""
    if isinstance(naive, dict) and isinstance(product, dict):
        if naive.keys() != product.keys():
            return [f"{path}: keys {sorted(naive)} != {sorted(product)}"]
        return [d for k in naive for d in _differences(f"{path}.{k}", naive[k], product[k])]
    if isinstance(naive, list) and isinstance(product, list):
        if len(naive) != len(product):
            return [f"{path}: {len(naive)} rows != {len(product)}"]
        pairs = enumerate(zip(naive, product, strict=True))
        return [d for i, (n, p) in pairs for d in _differences(f"{path}[{i}]", n, p)]
    if path.endswith("median_hours_to_close") and None not in (naive, product):
        return [] if abs(naive - product) <= 0.01 + 1e-9 else [f"{path}: {naive} != {product}"]
    return [] if naive == product else [f"{path}: naive {naive!r} != product {product!r}"]


def check_kpis(engine: Engine, window: Window, filters: Filters, now: datetime) -> list[str]:
    """Differences between the naive and the product's GET /api/v1/kpis figures."""
    product = kpis(engine, window, filters, now, WARN_HOURS)
    return _differences("kpis", naive_kpis(engine, window, filters, now), product)


def check_daily(engine: Engine, window: Window, filters: Filters, now: datetime) -> list[str]:
    """Differences between the naive and the product's daily series (leader.render_daily)."""
    rows = incident_figures_by(engine, "reported_day", window, filters, now, WARN_HOURS)
    product = [r for r in rows if window.start <= r["key"] <= window.end]
    return _differences("daily", naive_daily(engine, window, filters, now), product)


# --- The command: naive and product side by side on the demo county


UNCHECKED = ("leader.render_rankings",)  # naive: a plain closure-rate table, not Wilson's


def _comparable(name: str, result):
    """A page family's result as both paths give it: the product's tiles also carry their
    windows, and its map also lists grids with nothing received (as 0)."""
    if name.endswith("render_tiles"):
        strip = lambda found: {k: v for k, v in found.items() if k != "window"}  # noqa: E731
        return {**strip(result), "comparisons": [strip(c) for c in result["comparisons"]]}
    if name == "leader.render_map":
        return {k: v for k, v in result.items() if v}
    return list(result) if isinstance(result, tuple) else result


def _print_checks(engine: Engine, window: Window, now: datetime, pages, tz: ZoneInfo) -> None:
    """Whether each naive result equals the product's, for the period's window."""
    checks = {
        "kpis (GET /api/v1/kpis's figures)": check_kpis(engine, window, Filters(), now),
        "kpis for two towns": check_kpis(engine, window, Filters(towns=API_TOWNS), now),
    }
    for name, product in pages.items():
        if name not in UNCHECKED:
            naive = NAIVE[name](engine, window, Filters(), now, tz)
            checks[name] = _differences(
                name, _comparable(name, naive), _comparable(name, product())
            )
    for label, problems in checks.items():
        verdict = "naive == product" if not problems else f"{len(problems)} differences"
        print(f"  check {label:<34} {verdict}", flush=True)
        for problem in problems[:10]:
            print(f"    {problem}")


def newest_event(engine: Engine) -> datetime:
    """The newest event of any kind. bench/callbacks.py's clock (just after the newest
    report) leaves a few closes after "now", where the product's daily summaries count
    what its definition in `incidents` does not yet; just after the newest event, both
    read the same, and so does the naive path."""
    with engine.connect() as conn:
        return max(
            conn.execute(select(func.max(IncidentEvent.ts))).scalar_one(),
            conn.execute(select(func.max(DisputeEvent.ts))).scalar_one(),
        )


def compare(url: str, period: str, runs: int) -> None:
    """Seed the demo county if missing, check fairness, then time both paths per name."""
    from dashboard import create_app

    cfg = load_settings({"CC_DATA_DIR": str(OUT)}).with_(
        database_url=url,
        api_token="bench",
        rate_limit_api=UNLIMITED_API,
        scoped_tokens=(TOWN_SCOPE_TOKEN,),
    )
    seeded = run(cfg, *SCALES["demo"], show_progress=False)
    if not seeded.skipped:
        print(f"seeded {seeded.incidents:,} incidents in {seeded.seconds:.0f} s")
    engine = make_engine(url, reader=True)  # as the web tier reads
    at = newest_event(engine) + timedelta(minutes=1)
    with engine.connect() as conn:
        incident_id = conn.execute(select(Incident.id).limit(1)).scalar_one()
    clock.set_offset(at - clock.now())
    view = View(period=period)
    window = leader_data.window(cfg, view, at)
    print(
        f"{engine.dialect.name}, now = {at.isoformat(timespec='minutes')}, {period} = "
        f"{window.start}..{window.end}; p50 of {runs} runs after a warm-up, in ms"
    )
    pages = page_functions(engine, cfg, view, at)
    _print_checks(engine, window, at, pages, cfg.tz)
    client = create_app(cfg).server.test_client()
    headers = {"Authorization": "Bearer bench"}
    product = {
        **pages,
        **api_functions(client, headers, incident_id),
        **api_window_function(client, headers, window),
    }
    # the API answers asked without start/end cover the API's default window
    api_default = api_params.window(MultiDict(), local_today(cfg.tz, at))
    print(f"  {'name':<30} {'product':>10} {'naive':>10} {'naive/product':>14}")
    for name, naive in NAIVE.items():
        product_ms, _ = timed(product[name], runs)
        fixed = name.startswith("GET") and name != API_WINDOW_CASE
        w = api_default if fixed else window
        naive_ms, _ = timed(lambda n=naive, w=w: n(engine, w, view.filters, at, cfg.tz), runs)
        ratio = naive_ms / product_ms
        print(f"  {name:<30} {product_ms:10.1f} {naive_ms:10.1f} {ratio:13.1f}x", flush=True)
    clock.set_offset(timedelta(0))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'demo.sqlite'}")
    parser.add_argument("--period", default="year", choices=PAGE_PERIODS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    compare(args.database_url, args.period, args.runs)
    return 0


if __name__ == "__main__":
    with using(COUNTY):  # the benchmarks read the whole county's figures
        sys.exit(main())
