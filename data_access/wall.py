"""Everything the wall screen shows, as plain data, from the data_access functions.

A wall shows its caller's scope (common.scope, CONTRACT 2) as if nothing else existed:
every figure is asked for with the scope's own filters (`scope_filters`), a department
scope gets no dispute figures at all (disputes belong to towns), and a town scope ranks
its grids, not the one town it has. `wall_data` is computed at most once per (live
version, minute, scope) and shared by every web worker and every screen of that scope
through Redis (`cached_wall_data`, by data_access.figure_cache), so 200 screens cost one
computation per change and scope.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from common.clock import iso_local, local_today
from common.config import Settings
from common.scope import Scope, narrow
from data_access import figure_cache
from data_access.alert_list import alerts
from data_access.comparisons import compared_figures, comparisons
from data_access.incidents import hours_between
from data_access.kpis import Filters, Window, backlog, incident_figures, incident_figures_by, kpis
from data_access.ranking import rank
from data_access.repeats import repeats_by_grid
from data_access.trends import hourly_received

ALERT_ROWS = 8  # as many as the wall shows (callbacks.wall_figures)


def scope_filters(scope: Scope) -> Filters:
    """The filters that are the whole of `scope` (the county: none). The wall passes them
    itself, so it shows its scope whichever query builder reads the request's scope."""
    towns, departments = narrow(scope, (), ())
    return Filters(towns=towns, departments=departments)


def ranked_by(scope: Scope) -> str:
    """What the wall ranks: a town scope's grids, else the towns (a department scope's
    towns by that department's cases)."""
    return "grid" if scope.kind == "town" else "town"


def wall_data(engine: Engine, cfg: Settings, now: datetime, scope: Scope) -> dict:
    today = local_today(cfg.tz, now)
    yesterday = today - timedelta(days=1)
    within = scope_filters(scope)
    today_w = Window(today, today)
    # today's previous period, as the leader page's "today" compares: yesterday at this time
    previous = comparisons(today_w, "day", now)[0]
    week_w = Window(today - timedelta(days=6), today)
    units = incident_figures_by(engine, ranked_by(scope), today_w, within, now, cfg.warn_hours)
    ranked, unranked = rank(units, "closed", "received")
    families = ("incidents", "disputes") if scope.sees_disputes else ("incidents",)
    return {
        "as_of": iso_local(now, cfg.tz),
        "today": _today(engine, cfg, today_w, within, now, scope),
        "compared": {
            "basis": previous.basis,
            "disputes": None,  # a department scope's: it has none
            **compared_figures(engine, cfg, previous, within, now, families),
        },
        "grids_week": {
            r["key"]: r["received"]
            for r in incident_figures_by(engine, "grid", week_w, within, now)
        },
        # repeat reports ("closed but not solved") in the same week, rings on the map
        "repeats_week": {
            grid: n for grid, n in repeats_by_grid(engine, week_w, within, now).items() if grid
        },
        "ranked_by": ranked_by(scope),
        "ranked": ranked,
        "unranked": [r["key"] for r in unranked],
        "hourly_today": hourly_received(engine, today, cfg.tz, within, until=now),
        "hourly_yesterday": hourly_received(engine, yesterday, cfg.tz, within),
        # the alert panel: the duty officer's queue, unacknowledged overdue cases first
        "alerts": wall_alerts(engine, cfg, now, within),
    }


def _today(
    engine: Engine, cfg: Settings, window: Window, within: Filters, now: datetime, scope: Scope
) -> dict:
    """Today's figures as GET /api/v1/kpis has them; `disputes` None for a scope that
    sees none (a department's), never the county's disputes."""
    if scope.sees_disputes:
        return kpis(engine, window, within, now, cfg.warn_hours, red_hours=cfg.red_hours)
    return {
        "incidents": incident_figures(engine, window, within, now, cfg.warn_hours, work_order=True),
        "disputes": None,
        "backlog": backlog(engine, within, now, cfg.warn_hours, cfg.red_hours),
    }


def wall_alerts(engine: Engine, cfg: Settings, now: datetime, within: Filters) -> dict:
    """The alert panel, the duty officer's queue: the overdue cases nobody acknowledged
    first (data_access.alert_list), each colour's count, and the hours left of blue ones."""
    total, counts, items = alerts(
        engine, within, now, cfg.warn_hours, cfg.red_hours, limit=ALERT_ROWS,
        unacknowledged_first=True,
    )  # fmt: skip
    items = [{**i, "hours_left": hours_between(i["deadline"], now)} for i in items]
    return {"total": total, "counts": counts, "items": items}


def cached_wall_data(engine: Engine, cfg: Settings, now: datetime, scope: Scope) -> dict:
    """Wall data for the current live version, minute and `scope`: computed once per
    scope, shared by all its screens (data_access.figure_cache, as the leader pages')."""
    return figure_cache.shared(
        cfg, "wall.data", str(scope), now, lambda: wall_data(engine, cfg, now, scope)
    )
