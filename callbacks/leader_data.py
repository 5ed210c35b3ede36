"""What each callback of the leader KPI page reads: one function per callback, plain data
from data_access.kpis only, shared by callbacks/leader.py and bench/callbacks.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TypeVar

from sqlalchemy import Engine

from common.clock import local_today
from common.config import Settings
from dashboard.links import View
from dashboard.period import comparison_unit
from data_access.comparisons import compared_figures, comparisons
from data_access.figure_cache import shared
from data_access.kpis import (
    Window,
    daily_series,
    incident_figures_by,
    incident_figures_matrix,
    kpis,
    ranked_units,
    received_by_weekday_hour,
)
from data_access.repeats import repeats_by_grid
from data_access.scoping import ranked_dimensions

T = TypeVar("T")


def window(cfg: Settings, view: View, at: datetime) -> Window:
    return view.window(local_today(cfg.tz, at))


def per_version(name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A page data function `(engine, cfg, view, at, *extra)`, computed once per live
    version and minute for its window, filters and extra arguments, and shared by every
    worker and viewer (data_access.figure_cache). `fn.__wrapped__` is the uncached one."""

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @wraps(fn)
        def cached(engine: Engine, cfg: Settings, view: View, at: datetime, *extra) -> T:
            parts = [window(cfg, view, at), view.filters, list(extra)]
            return shared(
                cfg, name, parts, at, lambda: fn(engine, cfg, view, at, *extra), (Window,)
            )

        return cached

    return decorate


@per_version("leader.tiles_data")
def tiles_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict:
    """The window's kpis and its comparisons' figures, each at equal age
    (data_access.comparisons): [{"basis", "window", "as_of", "incidents", "disputes"}]."""
    current = window(cfg, view, at)
    return {
        "window": current,
        "current": kpis(engine, current, view.filters, at, cfg.warn_hours, red_hours=cfg.red_hours),
        "comparisons": [
            {
                "basis": c.basis,
                "window": c.window,
                "as_of": c.as_of,
                **compared_figures(engine, cfg, c, view.filters, at, work_order=True),
            }
            for c in comparisons(current, comparison_unit(view.period), at)
        ],
    }


@per_version("leader.daily_data")
def daily_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> list[dict]:
    """Received, closed and closure rate per reported day of the window."""
    return daily_series(engine, window(cfg, view, at), view.filters, at)


@per_version("leader.ranking_data")
def ranking_data(
    engine: Engine,
    cfg: Settings,
    view: View,
    at: datetime,
    measure: str,
    units: dict[str, tuple[str, ...]],
    communities: dict[str, str] | None = None,
) -> dict[str, dict]:
    """The scope's units ranked on `measure` (data_access.scoping.ranked_dimensions: the
    county's towns and departments, a town scope's communities and grids); `units` are
    each dimension's known codes, so a unit with no incidents at all is still listed
    apart; `communities` maps each grid to its community (a community counts its grids)."""
    current = window(cfg, view, at)
    found = {}
    for d in ranked_dimensions():
        by, parents = ("grid", communities or {}) if d == "community" else (d, None)
        found[d] = ranked_units(
            engine, by, measure, current, view.filters, at, cfg.warn_hours,
            units.get(d, ()), parents,
        )  # fmt: skip
    return found


@per_version("leader.mix_data")
def mix_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict[str, list]:
    current = window(cfg, view, at)
    return {
        d: incident_figures_by(engine, d, current, view.filters, at, cfg.warn_hours)
        for d in ("channel", "category")
    }


@per_version("leader.heatmap_data")
def heatmap_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> list[list[int]]:
    return received_by_weekday_hour(engine, window(cfg, view, at), view.filters, at, cfg.tz)


@per_version("leader.matrix_data")
def matrix_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> list[dict]:
    current = window(cfg, view, at)
    return incident_figures_matrix(
        engine, "category", "town", current, view.filters, at, cfg.warn_hours
    )


@per_version("leader.map_data")
def map_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict[str, int]:
    """Received per grid code in the window."""
    current = window(cfg, view, at)
    rows = incident_figures_by(engine, "grid", current, view.filters, at, cfg.warn_hours)
    return {r["key"]: r["received"] for r in rows if r["key"] is not None}


@per_version("leader.repeat_map_data")
def repeat_map_data(engine: Engine, cfg: Settings, view: View, at: datetime) -> dict[str, int]:
    """Repeat reports per grid code in the window (data_access.repeats)."""
    found = repeats_by_grid(engine, window(cfg, view, at), view.filters, at)
    return {grid: n for grid, n in found.items() if grid is not None}
