"""Wall screen: one server callback per live version and minute, partial updates after
the first render; the clock, banner and trigger run in the browser (assets/wall.js)."""

from __future__ import annotations

import logging
from datetime import datetime

import redis
from dash import ClientsideFunction, Input, Output, State, no_update
from sqlalchemy.exc import SQLAlchemyError

from callbacks.declared import Declared
from callbacks.wall_figures import (
    LABEL_PX,
    MAP_PX,
    alert_rows,
    backlog_tiles,
    map_legend,
    ranking_rows,
    scope_grids,
    today_tiles,
    trend_figure,
    trend_patch,
)
from common.clock import now
from common.scope import current
from dashboard.components.format import short_town
from dashboard.components.grid_map import grid_map_figure, grid_map_patch
from dashboard.context import catalog, grids, read_engine, settings
from dashboard.i18n import t
from dashboard.ids import wall as ids
from data_access.wall import cached_wall_data

log = logging.getLogger(__name__)

declared = Declared()


declared.clientside(
    ClientsideFunction("wall", "clock"),
    Output(ids.CLOCK, "children"),
    Input(ids.TICK, "n_intervals"),
    State(ids.CONFIG, "data"),
)
declared.clientside(
    ClientsideFunction("wall", "banner"),
    Output(ids.BANNER, "children"),
    Output(ids.BANNER, "hidden"),
    Input(ids.TICK, "n_intervals"),
    State(ids.STATUS, "data"),
    State(ids.ERROR, "data"),
    State(ids.CONFIG, "data"),
)
declared.clientside(
    ClientsideFunction("wall", "ticker"),
    Output(ids.TICKER, "children"),
    Input(ids.STATUS, "data"),
    Input(ids.TICK, "n_intervals"),
    State(ids.CONFIG, "data"),
)
declared.clientside(
    ClientsideFunction("wall", "screen"),
    Output(ids.SCREEN, "data"),
    Input(ids.TICK, "n_intervals"),
    State(ids.SCREEN, "data"),
)
declared.clientside(
    ClientsideFunction("wall", "trigger"),
    Output(ids.TRIGGER, "data"),
    Input(ids.STATUS, "data"),
    Input(ids.TICK, "n_intervals"),
    State(ids.TRIGGER, "data"),
    State(ids.RENDERED, "data"),
    State(ids.CONFIG, "data"),
)

OUTPUTS = (
    (ids.AS_OF, "children"),
    (ids.TILES, "children"),
    (ids.BACKLOG, "children"),
    (ids.MAP, "figure"),
    (ids.MAP_LABEL, "children"),
    (ids.TREND, "figure"),
    (ids.RANKING, "children"),
    (ids.ALERTS, "children"),
)


@declared.callback(
    Output(ids.RENDERED, "data"),
    Output(ids.ERROR, "data"),
    *(Output(i, p) for i, p in OUTPUTS),
    Input(ids.TRIGGER, "data"),
    State(ids.LANG, "data"),
    State(ids.RENDERED, "data"),
    State(ids.SCREEN, "data"),
)
def render_wall(trigger: str | None, lang: str, rendered, screen_height: int | None):
    """Never leaves the wall blank: on any failure the last good panels stay, the banner
    says so, and the next trigger tries again."""
    try:
        return _render(trigger, lang, rendered, screen_height)
    except (SQLAlchemyError, redis.RedisError):
        log.warning("wall data unavailable", exc_info=True)
    except Exception:  # a bug must not blank the screen either; it is logged
        log.exception("wall render failed")
    return rendered, "unavailable", *([no_update] * len(OUTPUTS))


def _render(trigger: str | None, lang: str, rendered, screen_height: int | None):
    cfg, at, scope = settings(), now(), current()
    data = cached_wall_data(read_engine(), cfg, at, scope)
    names = catalog()
    shown = scope_grids(grids(), scope)  # a town scope's map: its own grids, zoomed to them
    grid_names = {g["code"]: names.name("grid", g["code"], lang) for g in shown}
    town_names = {g["town"]: short_town(names.name("town", g["town"], lang), lang) for g in shown}
    counts = data["grids_week"]  # one window, said on the panel: colours keep their meaning
    repeats = data.get("repeats_week", {})  # absent from an answer kept before it existed
    first = not rendered
    scale = max(1.0, (screen_height or 1080) / 1080)  # Plotly sizes are pixels: 4K doubles
    map_out = (
        grid_map_figure(
            shown, counts, grid_names, True, scale, lang, town_names, LABEL_PX, MAP_PX,
            repeats=repeats,
        )
        if first
        else grid_map_patch(
            shown, counts, grid_names, True, town_names, LABEL_PX, MAP_PX, repeats, scale
        )
    )  # fmt: skip
    trend = (
        trend_figure(data["hourly_today"], data["hourly_yesterday"], lang, scale)
        if first
        else trend_patch(data["hourly_today"], data["hourly_yesterday"])
    )
    as_of = datetime.fromisoformat(data["as_of"]).strftime("%H:%M:%S")
    return (
        trigger,
        None,
        t("wall.as_of", lang, at=as_of),
        today_tiles(data["today"], data["compared"], lang),
        backlog_tiles(data["today"]["backlog"], lang),
        map_out,
        map_legend(counts, lang, sum(repeats.values())),
        trend,
        ranking_rows(data["ranked"], data["unranked"], data["ranked_by"], names, lang),
        alert_rows(
            data["alerts"], data["today"]["backlog"]["overdue_unacknowledged"], names, lang, cfg.tz
        ),
    )


register = declared.register  # the app factory calls register(app)
