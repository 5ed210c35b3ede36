"""Leader KPI page: the controls write the view into the URL; each panel is its own
callback on that view, reading one callbacks.leader_data function."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dash import Input, Output, State

from callbacks import leader_data as data
from callbacks.declared import Declared
from callbacks.figures import (
    category_figure,
    channel_figure,
    daily_figure,
    matrix_figure,
    weekday_hour_figure,
)
from callbacks.ranking_tables import ranking_panel
from common.clock import iso_local, now
from common.scope import current as current_scope  # `current` names the shown figures
from dashboard.components.grid_map import grid_map_figure
from dashboard.components.kpi_tiles import (
    BACKLOG_TILES,
    DISPUTE_TILES,
    DUPLICATES_TILE,
    INCIDENT_TILES,
    WORK_ORDER_TILES,
    Links,
    backlog_values,
    dispute_values,
    tile,
)
from dashboard.context import catalog, grids, read_engine, settings
from dashboard.i18n import t
from dashboard.ids import leader as ids
from dashboard.leader_layout import graph_config
from dashboard.links import View, view_from_search, view_search
from data_access.kpis import Filters, Window
from data_access.masterdata import Catalog
from data_access.scoping import ranked_dimensions

LEADER_DISPUTE_TILES = ("disputes_accepted", "resolution_rate", "mediation_success_rate")


def to_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


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
    Input(ids.CATEGORIES, "value"),
    Input(ids.CHANNELS, "value"),
    Input(ids.DEPARTMENTS, "value"),
    State(ids.LANG, "data"),
)
def sync_view(period, start, end, towns, categories, channels, departments, lang):
    """Controls -> the URL's query string, which is also the view every panel reads."""
    filters = Filters(
        tuple(towns or ()), tuple(categories or ()), tuple(channels or ()), tuple(departments or ())
    )
    custom = period == "custom"
    view = View(
        period, to_day(start) if custom else None, to_day(end) if custom else None, filters, lang
    )
    other = replace(view, lang="en" if lang == "zh" else "zh")
    search = view_search(view)
    return search, search, not custom, "/" + view_search(other)


def _view(search: str | None) -> View:
    return view_from_search(search, settings().lang)


def span(window: Window) -> str:
    return f"{window.start.isoformat()} – {window.end.isoformat()}"


def minute(at: datetime, tz: ZoneInfo) -> str:
    return iso_local(at, tz)[:16].replace("T", " ")


def as_of_text(at: datetime, lang: str, tz: ZoneInfo) -> str:
    return t("leader.as_of", lang, at=minute(at, tz))


def window_heading(found: dict, lang: str, tz: ZoneInfo) -> str:
    """The window, then each comparison's window and the instant it is computed as of."""
    window = found["window"]
    parts = [t("leader.window", lang, start=window.start, end=window.end)]
    parts += [
        t(
            "leader.compare",
            lang,
            basis=t(f"kpi.basis_{c['basis']}", lang),
            span=span(c["window"]),
            at=minute(c["as_of"], tz),
        )
        for c in found["comparisons"]
    ]
    return " · ".join(parts)


def file_name(name: str, window: Window) -> str:
    return f"{name}_{window.start.isoformat()}_{window.end.isoformat()}"


@declared.callback(
    Output(ids.TILES, "children"),
    Output(ids.BACKLOG, "children"),
    Output(ids.WINDOW, "children"),
    Output(ids.AS_OF, "children"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_tiles(search: str):
    cfg, at, view = settings(), now(), _view(search)
    found = data.tiles_data(read_engine(), cfg, view, at)
    lang, current, compared = view.lang, found["current"], found["comparisons"]
    incident_links = Links(found["window"], view.filters, lang)
    dispute_links = Links(found["window"], view.filters, lang, disputes=True)
    tiles = [
        tile(
            spec,
            current["incidents"],
            lang,
            incident_links,
            tuple((c["basis"], c["incidents"]) for c in compared),
        )
        for spec in (*INCIDENT_TILES, *WORK_ORDER_TILES, DUPLICATES_TILE)
    ]
    tiles += [
        tile(
            spec,
            dispute_values(current["disputes"]),
            lang,
            dispute_links,
            tuple((c["basis"], dispute_values(c["disputes"])) for c in compared),
        )
        for spec in DISPUTE_TILES
        if spec.name in LEADER_DISPUTE_TILES and current_scope().sees_disputes
    ]  # a department scope has no disputes: no tiles rather than zeros
    backlog = [
        tile(spec, backlog_values(current["backlog"]), lang, incident_links)
        for spec in BACKLOG_TILES
    ]
    return tiles, backlog, window_heading(found, lang, cfg.tz), as_of_text(at, lang, cfg.tz)


@declared.callback(
    Output(ids.DAILY, "figure"),
    Output(ids.DAILY, "config"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_daily(search: str):
    cfg, at, view = settings(), now(), _view(search)
    rows = data.daily_data(read_engine(), cfg, view, at)
    window = data.window(cfg, view, at)
    return daily_figure(rows, view.lang, window), graph_config(
        file_name("daily", window), view.lang
    )


@declared.callback(
    Output(ids.RANK_TOWN, "children"),
    Output(ids.RANK_DEPARTMENT, "children"),
    Input(ids.VIEW, "data"),
    Input(ids.MEASURE, "value"),
    prevent_initial_call=True,
)
def render_rankings(search: str, measure: str):
    cfg, at, view = settings(), now(), _view(search)
    names = catalog()
    units, communities = rank_units(names)
    found = data.ranking_data(read_engine(), cfg, view, at, measure, units, communities)
    window = data.window(cfg, view, at)
    panels = [
        ranking_panel(
            d, measure, found[d], names, view.lang, file_name(f"ranking_{d}_{measure}", window)
        )
        for d in ranked_dimensions()
    ]
    return tuple([*panels, [], []][:2])  # the page's two places; a department scope fills one


def scope_grids() -> list[dict]:
    """The grids a map draws for the caller's scope: a town scope's own, else all."""
    scope = current_scope()
    shapes = grids()
    return [g for g in shapes if g["town"] in scope.codes] if scope.kind == "town" else shapes


def rank_units(names: Catalog) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The known units of each ranked dimension of the caller's scope, and each of its
    grids' community: a town scope ranks its own communities and grids."""
    scope = current_scope()
    if scope.kind == "department":
        return {"department": scope.codes}, {}
    if scope.is_county:
        return {d: tuple(names.codes(d)) for d in ranked_dimensions()}, {}
    mine = scope_grids()
    communities = {g["code"]: g["community"] for g in mine if g["community"]}
    units = {
        "grid": tuple(g["code"] for g in mine),
        "community": tuple(sorted(set(communities.values()))),
    }
    return units, communities


@declared.callback(
    Output(ids.CHANNEL_MIX, "figure"),
    Output(ids.CHANNEL_MIX, "config"),
    Output(ids.CATEGORY_CHART, "figure"),
    Output(ids.CATEGORY_CHART, "config"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_mix(search: str):
    cfg, at, view = settings(), now(), _view(search)
    found = data.mix_data(read_engine(), cfg, view, at)
    window, names, lang = data.window(cfg, view, at), catalog(), view.lang

    def named(kind: str) -> dict[str, str]:
        return {r["key"]: names.name(kind, r["key"], lang) for r in found[kind]}

    return (
        channel_figure(found["channel"], named("channel"), lang),
        graph_config(file_name("channels", window), view.lang),
        category_figure(found["category"], named("category"), lang),
        graph_config(file_name("categories", window), view.lang),
    )


@declared.callback(
    Output(ids.HEATMAP, "figure"),
    Output(ids.HEATMAP, "config"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_heatmap(search: str):
    cfg, at, view = settings(), now(), _view(search)
    grid = data.heatmap_data(read_engine(), cfg, view, at)
    window = data.window(cfg, view, at)
    return weekday_hour_figure(grid, view.lang), graph_config(
        file_name("weekday_hour", window), view.lang
    )


@declared.callback(
    Output(ids.MATRIX, "figure"),
    Output(ids.MATRIX, "config"),
    Input(ids.VIEW, "data"),
    prevent_initial_call=True,
)
def render_matrix(search: str):
    cfg, at, view = settings(), now(), _view(search)
    cells = data.matrix_data(read_engine(), cfg, view, at)
    names, lang = catalog(), view.lang
    categories = {c["row"]: names.name("category", c["row"], lang) for c in cells}
    towns = {c["column"]: names.name("town", c["column"], lang) for c in cells}
    window = data.window(cfg, view, at)
    return (
        matrix_figure(cells, categories, towns, lang),
        graph_config(file_name("category_town", window), view.lang),
    )


@declared.callback(
    Output(ids.MAP, "figure"),
    Output(ids.MAP, "config"),
    Output(ids.MAP_NOTE, "children"),
    Input(ids.VIEW, "data"),
    Input(ids.MAP_LAYER, "value"),
    prevent_initial_call=True,
)
def render_map(search: str, layer: str):
    """The grid map of received, or of repeat reports (data_access.repeats) with a note
    saying what they are."""
    cfg, at, view = settings(), now(), _view(search)
    repeats = layer == "repeats"
    counts = (data.repeat_map_data if repeats else data.map_data)(read_engine(), cfg, view, at)
    shapes, names = scope_grids(), catalog()
    labels = {g["code"]: names.name("grid", g["code"], view.lang) for g in shapes}
    window = data.window(cfg, view, at)
    name = "grid_map_repeats" if repeats else "grid_map"
    config = {**graph_config(file_name(name, window), view.lang), "scrollZoom": False}
    figure = grid_map_figure(
        shapes, counts, labels, lang=view.lang, palette="repeats" if repeats else "volume"
    )
    return figure, config, t("leader.map_repeats_note", view.lang) if repeats else ""


register = declared.register  # the app factory calls register(app)
