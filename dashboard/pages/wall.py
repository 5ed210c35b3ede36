"""The command centre's wall screen: dark, no scrolling, large type, nothing to click."""

from __future__ import annotations

import dash
from dash import dcc, html

from common.scope import current
from dashboard.components.scope_label import scope_label
from dashboard.context import catalog, settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import wall as ids
from dashboard.tab_title import tab_title
from dashboard.wall_prebuild import READY_SECONDS
from data_access.wall import ranked_by

dash.register_page(__name__, path="/wall", title=tab_title("nav.wall"))

BANNER_KEYS = ("stale", "disconnected", "redis_down", "error_sql")
TICKER_KEYS = ("just_now", "ago_min", "ago_hour", "no_events")
TICKER_ROWS_SHOWN = 5  # at the wall's type size, as many as its panel holds
RANKING_TITLES = {"town": "wall.ranking", "grid": "wall.ranking_grids"}
GRAPH_CONFIG = {"displayModeBar": False, "staticPlot": False, "responsive": True}


def _panel(title: str, body, class_name: str = "") -> html.Section:
    return html.Section(
        className=f"wall-panel {class_name}",
        children=[html.H2(title, className="wall-panel__title"), body],
    )


def layout(lang: str | None = None, **_query) -> html.Div:
    cfg = settings()
    lang = lang_or_default(lang, cfg.lang)
    scope = current()
    return html.Div(
        className="wall",
        children=[
            dcc.Store(id=ids.STATUS),
            # the scope drawn for: assets/live.js reloads the page when the caller's changes
            html.Div(
                id=ids.STATUS_ANCHOR, hidden=True, **{"data-lang": lang, "data-scope": str(scope)}
            ),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(
                id=ids.CONFIG,
                data={
                    "stale": cfg.stale_seconds,
                    "render_every": cfg.wall_render_seconds,
                    "ready": READY_SECONDS,
                    "tz": cfg.tz_name,
                    "lang": lang,
                    "ticker_rows": TICKER_ROWS_SHOWN,
                    "text": {k: t(f"wall.{k}", lang) for k in (*BANNER_KEYS, *TICKER_KEYS)},
                },
            ),
            dcc.Store(id=ids.ERROR, data=None),
            dcc.Store(id=ids.TRIGGER),
            dcc.Store(id=ids.SCREEN, data=1080),
            dcc.Store(id=ids.RENDERED, data=False),
            dcc.Interval(id=ids.TICK, interval=1000),
            html.Div(id=ids.BANNER, className="wall-banner", hidden=True),
            html.Header(
                className="wall-top",
                children=[
                    html.Div(
                        scope_label(scope, catalog(), lang, cfg.county_name),
                        className="wall-county",
                    ),
                    html.Div(t("wall.title", lang), className="wall-title"),
                    html.Div(id=ids.AS_OF, className="wall-as-of"),
                    html.Div(id=ids.CLOCK, className="wall-clock"),
                ],
            ),
            html.Div(
                className="wall-grid",
                children=[
                    html.Div(
                        className="wall-col wall-col--left",
                        children=[
                            _panel(
                                t("wall.today", lang),
                                html.Div(id=ids.TILES, className="wall-tiles"),
                            ),
                            _panel(
                                t("wall.backlog", lang),
                                html.Div(id=ids.BACKLOG, className="wall-tiles wall-tiles--3"),
                            ),
                        ],
                    ),
                    html.Div(
                        className="wall-col wall-col--centre",
                        children=[
                            _panel(
                                t("wall.map", lang),
                                html.Div(
                                    [
                                        html.Div(
                                            dcc.Graph(
                                                id=ids.MAP,
                                                config=GRAPH_CONFIG,
                                                className="wall-map",
                                            ),
                                            className="wall-map-box",
                                        ),
                                        html.Div(id=ids.MAP_LABEL, className="wall-map-label"),
                                    ]
                                ),
                                "wall-panel--map",
                            ),
                            html.Div(
                                className="wall-row",
                                children=[
                                    _panel(
                                        t("wall.trend", lang),
                                        dcc.Graph(
                                            id=ids.TREND,
                                            config=GRAPH_CONFIG,
                                            className="wall-trend",
                                        ),
                                    ),
                                    _panel(
                                        t(RANKING_TITLES[ranked_by(scope)], lang),
                                        html.Div(id=ids.RANKING),
                                    ),
                                ],
                            ),
                        ],
                    ),
                    html.Div(
                        className="wall-col wall-col--right",
                        children=[
                            _panel(
                                t("wall.alerts", lang),
                                html.Div(id=ids.ALERTS),
                                "wall-panel--alerts",
                            ),
                            _panel(
                                t("wall.ticker", lang),
                                html.Ul(id=ids.TICKER, className="wall-ticker"),
                                "wall-panel--ticker",
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )
