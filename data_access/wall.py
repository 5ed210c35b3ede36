"""Everything the wall screen shows, as plain data, from the data_access functions.

`wall_data` is computed at most once per (live version, minute) and shared by every web
worker and every screen through Redis (`cached_wall_data`, by data_access.figure_cache),
so 200 screens cost one computation per change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from common.clock import iso_local, local_today
from common.config import Settings
from data_access import figure_cache
from data_access.alert_list import alerts
from data_access.comparisons import compared_figures, comparisons
from data_access.incidents import hours_between
from data_access.kpis import Filters, Window, incident_figures_by, kpis
from data_access.ranking import rank
from data_access.trends import hourly_received

ALERT_ROWS = 8  # as many as the wall shows (callbacks.wall_figures)


def wall_data(engine: Engine, cfg: Settings, now: datetime) -> dict:
    today = local_today(cfg.tz, now)
    yesterday = today - timedelta(days=1)
    everything = Filters()
    today_w = Window(today, today)
    # today's previous period, as the leader page's "today" compares: yesterday at this time
    previous = comparisons(today_w, "day", now)[0]
    week_w = Window(today - timedelta(days=6), today)
    towns = incident_figures_by(engine, "town", today_w, everything, now, cfg.warn_hours)
    ranked, unranked = rank(towns, "closed", "received")
    return {
        "as_of": iso_local(now, cfg.tz),
        "today": kpis(engine, today_w, everything, now, cfg.warn_hours, red_hours=cfg.red_hours),
        "compared": {
            "basis": previous.basis,
            **compared_figures(engine, previous, everything, now, cfg.warn_hours),
        },
        "grids_week": {
            r["key"]: r["received"]
            for r in incident_figures_by(engine, "grid", week_w, everything, now)
        },
        "towns_ranked": ranked,
        "towns_unranked": [r["key"] for r in unranked],
        "hourly_today": hourly_received(engine, today, cfg.tz, everything, until=now),
        "hourly_yesterday": hourly_received(engine, yesterday, cfg.tz, everything),
        # the alert panel: the duty officer's queue, unacknowledged overdue cases first
        "alerts": wall_alerts(engine, cfg, now),
    }


def wall_alerts(engine: Engine, cfg: Settings, now: datetime) -> dict:
    """The alert panel, the duty officer's queue: the overdue cases nobody acknowledged
    first (data_access.alert_list), each colour's count, and the hours left of blue ones."""
    total, counts, items = alerts(
        engine, Filters(), now, cfg.warn_hours, cfg.red_hours, limit=ALERT_ROWS,
        unacknowledged_first=True,
    )  # fmt: skip
    items = [{**i, "hours_left": hours_between(i["deadline"], now)} for i in items]
    return {"total": total, "counts": counts, "items": items}


def cached_wall_data(engine: Engine, cfg: Settings, now: datetime) -> dict:
    """Wall data for the current live version and minute: computed once, shared by all
    (data_access.figure_cache, as the leader pages' figures)."""
    return figure_cache.shared(cfg, "wall.data", None, now, lambda: wall_data(engine, cfg, now))
