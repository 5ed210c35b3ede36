"""The mediation page: disputes accepted and resolved, the flow from acceptance to each
outcome, breakdowns by kind, mediation type, mediator and town, time to outcome and the
daily trend, for a period and towns kept in the URL. Callbacks: callbacks/mediation.py."""

from __future__ import annotations

import dash
from dash import dcc, html

from common.clock import local_today, now
from dashboard.components import scope_notice
from dashboard.context import catalog, settings
from dashboard.i18n import t
from dashboard.ids import mediation as ids
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

dash.register_page(__name__, path="/mediation", title=tab_title("nav.mediation"))


def layout(**query) -> html.Div:
    cfg = settings()
    view = view_from_query(query, cfg.lang)
    lang = view.lang
    notice = scope_notice.no_disputes(lang) or scope_notice.refused(query, lang, "/mediation")
    if notice is not None:
        return notice
    today = local_today(cfg.tz, now())
    return html.Div(
        className="cc-page cc-mediation",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.VIEW),
            html.Div(
                className="cc-page__head",
                children=[
                    html.H1(t("mediation.heading", lang)),
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
                    code_filter(
                        ids.TOWNS, "town", "leader.towns", view.filters.towns, catalog(), lang
                    ),
                ],
            ),
            html.Section(id=ids.TILES, className="cc-tiles cc-tiles--kpi"),
            html.Div(
                className="cc-columns",
                children=[
                    panel("mediation.flow", graph(ids.FLOW, "dispute_flow"), lang),
                    panel("mediation.durations", graph(ids.DURATIONS, "time_to_outcome"), lang),
                ],
            ),
            panel("mediation.trend", graph(ids.TREND, "disputes_daily"), lang),
            html.Div(id=ids.BREAKDOWNS, className="cc-columns cc-breakdowns"),
        ],
    )
