"""The leader KPI page: a period and filters kept in the URL, KPI tiles compared with the
previous period and last year, rankings, mixes, a weekday x hour heatmap, a category x
town matrix and the period's grid map. Callbacks: callbacks/leader.py."""

from __future__ import annotations

import dash
from dash import dcc, html

from common.clock import local_today, now
from dashboard.components import scope_notice
from dashboard.context import catalog, settings
from dashboard.i18n import t
from dashboard.ids import leader as ids
from dashboard.leader_layout import (
    code_filter,
    dates_control,
    graph,
    lang_switch,
    panel,
    period_control,
)
from dashboard.links import view_from_query
from dashboard.tab_title import tab_title
from data_access.kpis import RANK_MEASURES

dash.register_page(__name__, path="/", title=tab_title("nav.leader"))
MAP_LAYERS = ("received", "repeats")  # what the grid map colours (callbacks/leader.py)


def head_with_choice(title: str, choice_id: str, labels: dict[str, str], value: str) -> html.Div:
    """A panel's title with its segmented choice (value: label) beside it."""
    options = [{"label": label, "value": key} for key, label in labels.items()]
    return html.Div(
        className="cc-panel__head",
        children=[
            html.H2(title, className="cc-panel__title"),
            dcc.RadioItems(
                id=choice_id, options=options, value=value, inline=True, className="cc-segments"
            ),
        ],
    )


def map_panel(lang: str) -> html.Section:
    """The grid map, with a choice of what it counts: received, or repeat reports."""
    return html.Section(
        className="cc-panel cc-panel--map",
        children=[
            head_with_choice(
                t("leader.map", lang),
                ids.MAP_LAYER,
                {layer: t(f"leader.map_{layer}", lang) for layer in MAP_LAYERS},
                MAP_LAYERS[0],
            ),
            graph(ids.MAP, "grid-map"),
            html.P(id=ids.MAP_NOTE, className="cc-muted"),
        ],
    )


def layout(**query) -> html.Div:
    cfg = settings()
    view = view_from_query(query, cfg.lang)
    lang, names = view.lang, catalog()
    notice = scope_notice.refused(query, lang, "/")
    if notice is not None:
        return notice
    today = local_today(cfg.tz, now())
    f = view.filters
    return html.Div(
        className="cc-page cc-leader",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.VIEW),
            html.Div(
                className="cc-page__head",
                children=[
                    html.H1(t("leader.heading", lang)),
                    html.Div(id=ids.WINDOW, className="cc-muted"),
                    html.Div(id=ids.AS_OF, className="cc-muted"),
                    lang_switch(ids.LANG_SWITCH, lang),
                ],
            ),
            html.Div(
                className="cc-controls",
                children=[
                    period_control(ids.PERIOD, view, lang),
                    dates_control(ids.DATES, ids.DATES_BOX, view, today),
                    code_filter(ids.TOWNS, "town", "leader.towns", f.towns, names, lang),
                    code_filter(
                        ids.CATEGORIES, "category", "leader.categories", f.categories, names, lang
                    ),
                    code_filter(
                        ids.CHANNELS, "channel", "leader.channels", f.channels, names, lang
                    ),
                    code_filter(
                        ids.DEPARTMENTS,
                        "department",
                        "leader.departments",
                        f.departments,
                        names,
                        lang,
                    ),
                ],
            ),
            html.Section(id=ids.TILES, className="cc-tiles cc-tiles--kpi"),
            html.H2(t("leader.backlog", lang)),
            html.Section(id=ids.BACKLOG, className="cc-tiles cc-tiles--small"),
            panel("leader.daily", graph(ids.DAILY, "daily"), lang),
            html.Section(
                className="cc-panel",
                children=[
                    head_with_choice(
                        t("leader.ranking", lang),
                        ids.MEASURE,
                        {m: t(f"leader.measure_{m}", lang) for m in RANK_MEASURES},
                        "closure",
                    ),
                    html.P(t("leader.ranking_note", lang), className="cc-muted"),
                    html.Div(
                        className="cc-columns",
                        children=[
                            html.Div(id=ids.RANK_TOWN, className="cc-ranking"),
                            html.Div(id=ids.RANK_DEPARTMENT, className="cc-ranking"),
                        ],
                    ),
                ],
            ),
            html.Div(
                className="cc-columns",
                children=[
                    panel("leader.channel_mix", graph(ids.CHANNEL_MIX, "channels"), lang),
                    panel("leader.category_chart", graph(ids.CATEGORY_CHART, "categories"), lang),
                ],
            ),
            html.Div(
                className="cc-columns",
                children=[
                    panel("leader.heatmap", graph(ids.HEATMAP, "weekday-hour"), lang),
                    map_panel(lang),
                ],
            ),
            panel("leader.matrix", graph(ids.MATRIX, "category-town"), lang),
        ],
    )
