"""What each callback of the mediation page reads: one function per callback, plain data
from data_access.kpis only, shared by callbacks/mediation.py and bench/callbacks.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from callbacks.leader_data import comparison_windows, per_version, window
from common.config import Settings
from dashboard.links import View
from data_access.dispute_times import dispute_resolution_times
from data_access.kpis import dispute_figures, dispute_flow

BREAKDOWNS = ("kind", "mediation_type", "mediator", "town")


@per_version("mediation.tiles_data")
def tiles_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict:
    """The window's dispute figures and, as of now, the previous period's and last year's."""
    current = window(cfg, view, at)
    previous, last_year = comparison_windows(view, current)
    towns = view.filters.towns
    return {
        "window": current,
        "previous_window": previous,
        "last_year_window": last_year,
        "current": dispute_figures(engine, current, towns, at),
        "previous": None if previous is None else dispute_figures(engine, previous, towns, at),
        "last_year": dispute_figures(engine, last_year, towns, at),
    }


@per_version("mediation.flow_data")
def flow_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict:
    return dispute_flow(engine, window(cfg, view, at), view.filters.towns, at)


@per_version("mediation.durations_data")
def durations_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict:
    return dispute_resolution_times(engine, window(cfg, view, at), view.filters.towns, at)


@per_version("mediation.trend_data")
def trend_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> list[dict]:
    current = window(cfg, view, at)
    return dispute_figures(engine, current, view.filters.towns, at, dimension="accepted_day")


@per_version("mediation.breakdowns_data")
def breakdowns_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict:
    current, towns = window(cfg, view, at), view.filters.towns
    return {d: dispute_figures(engine, current, towns, at, dimension=d) for d in BREAKDOWNS}
