"""What each callback of the mediation page reads: one function per callback, plain data
from data_access.kpis only, shared by callbacks/mediation.py and bench/callbacks.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from callbacks.leader_data import per_version, window
from common.config import Settings
from dashboard.links import View
from dashboard.period import comparison_unit
from data_access.comparisons import compared_figures, comparisons
from data_access.dispute_times import dispute_resolution_times
from data_access.kpis import dispute_figures, dispute_flow

BREAKDOWNS = ("kind", "mediation_type", "mediator", "town")


@per_version("mediation.tiles_data")
def tiles_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict:
    """The window's dispute figures and its comparisons', each at equal age
    (data_access.comparisons): [{"basis", "window", "as_of", "disputes"}]."""
    current = window(cfg, view, at)
    return {
        "window": current,
        "current": dispute_figures(engine, current, view.filters.towns, at),
        "comparisons": [
            {
                "basis": c.basis,
                "window": c.window,
                "as_of": c.as_of,
                **compared_figures(engine, cfg, c, view.filters, at, families=("disputes",)),
            }
            for c in comparisons(current, comparison_unit(view.period), at)
        ],
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
