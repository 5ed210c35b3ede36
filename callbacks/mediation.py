"""Mediation page: the controls write the view into the URL; each panel is its own
callback on that view, reading one callbacks.mediation_data function."""

from __future__ import annotations

from dataclasses import replace

from dash import Input, Output, State, html

from callbacks import leader_data
from callbacks import mediation_data as data
from callbacks.declared import Declared
from callbacks.figures import (
    dispute_daily_figure,
    dispute_flow_figure,
    durations_figure,
)
from callbacks.leader import as_of_text, file_name, to_day, window_heading
from common.clock import now
from common.vocabulary import ACCEPTED, MEDIATING, OUTCOMES_SHOWN, PENDING
from dashboard.components.kpi_tiles import DISPUTE_TILES, Links, dispute_values, tile
from dashboard.components.tables import download_button, html_table
from dashboard.context import catalog, read_engine, settings
from dashboard.i18n import t
from dashboard.ids import mediation as ids
from dashboard.leader_layout import graph_config
from dashboard.links import View, view_from_search, view_search
from data_access.kpis import FLOW_OUTCOMES, Filters
from data_access.masterdata import Catalog

CATALOG_KINDS = {
    "kind": "dispute_kind",
    "mediation_type": "mediation_type",
    "mediator": "mediator",
    "town": "town",
}

declared = Declared()


@declared.callback(
    Output(ids.URL, "search"),
    Output(ids.VIEW, "data"),
    Output(ids.DATES_BOX, "hidden"),
    Output(ids.LANG_SWITCH, "href"),
    Input(ids.PERIOD, "value"),
    Input(ids.DATES, "start_date"),
    Input(ids.DATES, "end_date"),
    Input(ids.TOWNS, "value"),
    State(ids.LANG, "data"),
)
def sync_view(period, start, end, towns, lang):
    """Controls -> the URL's query string, which is also the view every panel reads."""
    custom = period == "custom"
    view = View(
        period,
        to_day(start) if custom else None,
        to_day(end) if custom else None,
        Filters(towns=tuple(towns or ())),
        lang,
    )
    other = replace(view, lang="en" if lang == "zh" else "zh")
    search = view_search(view)
    return search, search, not custom, "/mediation" + view_search(other)


def _view(search: str | None) -> View:
    return view_from_search(search, settings().lang)


def status_names(names: Catalog, lang: str) -> dict[str, str]:
    """Names of the flow's stages: the master data's dispute statuses, and pending."""
    stages = (ACCEPTED, MEDIATING, *FLOW_OUTCOMES)
    return {
        **{s: names.name("dispute_status", s, lang) for s in stages},
        PENDING: t("kpi.pending", lang),
    }


@declared.callback(
    Output(ids.TILES, "children"),
    Output(ids.WINDOW, "children"),
    Output(ids.AS_OF, "children"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_tiles(search: str):
    cfg, at, view = settings(), now(), _view(search)
    found = data.tiles_data(read_engine(), cfg, view, at)
    lang = view.lang
    links = Links(found["window"], view.filters, lang, disputes=True)
    compared = tuple((c["basis"], dispute_values(c["disputes"])) for c in found["comparisons"])
    tiles = [
        tile(spec, dispute_values(found["current"]), lang, links, compared)
        for spec in DISPUTE_TILES
    ]
    return tiles, window_heading(found, lang, cfg.tz), as_of_text(at, lang, cfg.tz)


@declared.callback(
    Output(ids.FLOW, "figure"),
    Output(ids.FLOW, "config"),
    Output(ids.DURATIONS, "figure"),
    Output(ids.DURATIONS, "config"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_flow(search: str):
    cfg, at, view = settings(), now(), _view(search)
    flow = data.flow_data(read_engine(), cfg, view, at)
    times = data.durations_data(read_engine(), cfg, view, at)
    names = status_names(catalog(), view.lang)
    window = leader_data.window(cfg, view, at)
    return (
        dispute_flow_figure(flow, names, view.lang),
        graph_config(file_name("dispute_flow", window), view.lang),
        durations_figure(times, names, view.lang),
        graph_config(file_name("time_to_outcome", window), view.lang),
    )


@declared.callback(
    Output(ids.TREND, "figure"),
    Output(ids.TREND, "config"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_trend(search: str):
    cfg, at, view = settings(), now(), _view(search)
    rows = data.trend_data(read_engine(), cfg, view, at)
    window = leader_data.window(cfg, view, at)
    return dispute_daily_figure(rows, view.lang, window), graph_config(
        file_name("disputes_daily", window), view.lang
    )


def breakdown_columns(dimension: str, lang: str) -> list[tuple[str, str, str]]:
    names = catalog()
    return [
        ("name", t(f"mediation.by_{dimension}", lang), "text"),
        ("accepted", t("mediation.accepted", lang), "count"),
        *((o, names.name("dispute_status", o, lang), "count") for o in OUTCOMES_SHOWN),
        ("pending", t("kpi.pending", lang), "count"),
        ("resolution_rate", t("kpi.resolution_rate", lang), "rate"),
        ("mediation_success_rate", t("kpi.mediation_success_rate", lang), "rate"),
    ]


def breakdown_panel(dimension: str, rows: list[dict], lang: str, filename: str) -> html.Section:
    names = catalog()
    kind = CATALOG_KINDS[dimension]
    unknown = t("mediation.unknown", lang)
    named = [
        {**r, "name": unknown if r["key"] is None else names.name(kind, r["key"], lang)}
        for r in rows
    ]
    columns = breakdown_columns(dimension, lang)
    return html.Section(
        className="cc-panel",
        children=[
            html.Div(
                className="cc-table-head",
                children=[
                    html.H2(t(f"mediation.by_{dimension}", lang), className="cc-panel__title"),
                    download_button(
                        f"disputes-{dimension}", f"{filename}.csv", columns, named, lang
                    ),
                ],
            ),
            html.Div(html_table(columns, named), className="cc-table-scroll"),
        ],
    )


@declared.callback(
    Output(ids.BREAKDOWNS, "children"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_breakdowns(search: str):
    cfg, at, view = settings(), now(), _view(search)
    found = data.breakdowns_data(read_engine(), cfg, view, at)
    window = leader_data.window(cfg, view, at)
    return [
        breakdown_panel(d, found[d], view.lang, file_name(f"disputes_by_{d}", window))
        for d in data.BREAKDOWNS
    ]


register = declared.register  # the app factory calls register(app)
