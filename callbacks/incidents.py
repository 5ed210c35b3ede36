"""Incident list: serve the grid's blocks, apply the filters (a new URL), open a row, and
draw the overdue counts by department and town."""

from __future__ import annotations

from urllib.parse import quote

import plotly.graph_objects as go
from dash import ClientsideFunction, Input, Output, State, ctx, no_update
from werkzeug.datastructures import MultiDict

from callbacks.declared import Declared
from common.clock import local_today, now
from dashboard import context, list_params
from dashboard.api_params import BadParameter
from dashboard.components.deadline_text import row_marks
from dashboard.components.format import count
from dashboard.components.incident_grid import BLOCK, sort_from_model, sort_params
from dashboard.components.plot_text import plot_text
from dashboard.context import catalog, engine, settings
from dashboard.i18n import t
from dashboard.ids import incidents as ids
from dashboard.list_rows import incident_grid_row
from data_access import incident_list
from data_access.incident_list import incident_counts_by, incident_page, incident_total

MAX_ROWS_PER_REQUEST = 1000
BARS = 12  # the longest bars; the rest are summed in the list itself


def parsed(params: list) -> tuple[incident_list.IncidentQuery, MultiDict]:
    """The page's stored URL parameters, checked again (a Store can be edited)."""
    args = MultiDict([(str(k), str(v)) for k, v in params or []])
    return list_params.incident_query(args, local_today(settings().tz)), args


declared = Declared()


@declared.callback(
    Output(ids.GRID, "getRowsResponse"),
    Output(ids.TOTAL, "children"),
    Input(ids.GRID, "getRowsRequest"),
    State(ids.PARAMS, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def get_rows(request: dict | None, params: list, lang: str):
    if not request:
        return no_update, no_update
    try:
        q, args = parsed(params)
    except BadParameter:
        return {"rowData": [], "rowCount": 0}, ""
    cfg, at = settings(), now()
    default = list_params.incident_sort(args)
    sort = sort_from_model(request.get("sortModel"), incident_list.SORTABLE, default)
    start = max(int(request.get("startRow") or 0), 0)
    stop = min(int(request.get("endRow") or start + BLOCK), start + MAX_ROWS_PER_REQUEST)
    rows = incident_page(engine(), q, at, cfg.warn_hours, sort, lang, start, stop, cfg.red_hours)
    names = catalog()
    data = [incident_grid_row(r, names, lang, cfg.tz, at) for r in rows]
    rules = context.sla()  # a rule in working days: the countdown's texts (deadline_text)
    for shown, row in zip(data, rows, strict=True):
        shown["wd_marks"] = row_marks(row, rules, at, cfg.tz, lang)
    if start > 0 and len(rows) == stop - start:
        return {"rowData": data}, no_update  # the count came with the first block
    total = start + len(rows) if start > 0 else incident_total(engine(), q, at, cfg.warn_hours)
    return {"rowData": data, "rowCount": total}, t("incidents.total", lang, n=count(total))


@declared.callback(
    Output(ids.NAV, "href"),
    Input(ids.APPLY, "n_clicks"),
    Input(ids.control("q"), "n_submit"),
    [State(control, prop) for _, control, prop in ids.CONTROLS],
    State(ids.PARAMS, "data"),
    State(ids.GRID, "getRowsRequest"),
    prevent_initial_call=True,
)
def apply_filters(_clicks, _submit, *values_and_params):
    """The filters become the URL; the page re-renders from it (state lives in the URL)."""
    *values, params, request = values_and_params
    search = list_params.filter_search(
        ids.CARRIED, ids.CONTROLS, values, params, sort_params(request)
    )
    return "/incidents" + search


@declared.callback(
    Output(ids.NAV, "href", allow_duplicate=True),
    Input(ids.GRID, "cellClicked"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def open_row(cell: dict | None, lang: str):
    if not cell or not cell.get("rowId"):
        return no_update
    return f"/incidents/{quote(str(cell['rowId']), safe='')}?lang={lang}"


def bars(rows: list[tuple[str | None, int]], kind: str, title: str, lang: str) -> go.Figure:
    """Horizontal bars, largest on top; each bar carries its code to filter by on click."""
    names = catalog()
    shown = rows[:BARS][::-1]
    labels = [
        plot_text(names.name(kind, code, lang)) if code else t("incidents.not_dispatched", lang)
        for code, _ in shown
    ]
    fig = go.Figure(
        go.Bar(
            x=[n for _, n in shown],
            y=labels,
            customdata=[code or "" for code, _ in shown],
            orientation="h",
            marker={"color": "#c62828"},
            text=[count(n) for _, n in shown],
            textposition="auto",
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}, "x": 0},
        margin={"l": 8, "r": 8, "t": 32, "b": 8},
        height=max(140, 40 + 22 * len(shown)),
        xaxis={"visible": False},
        yaxis={"automargin": True},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
    )
    return fig


@declared.callback(
    Output(ids.BY_DEPARTMENT, "figure"),
    Output(ids.BY_TOWN, "figure"),
    Input(ids.PARAMS, "data"),
    Input(ids.VERSION, "data"),
    State(ids.LANG, "data"),
)
def counts(params: list, _live, lang: str):
    try:
        q, _args = parsed(params)
    except BadParameter:
        return no_update, no_update
    cfg, at = settings(), now()
    by = {d: incident_counts_by(engine(), q, at, cfg.warn_hours, d) for d in ("department", "town")}
    return (
        bars(by["department"], "department", t("incidents.by_department", lang), lang),
        bars(by["town"], "town", t("incidents.by_town", lang), lang),
    )


@declared.callback(
    Output(ids.NAV, "href", allow_duplicate=True),
    Input(ids.BY_DEPARTMENT, "clickData"),
    Input(ids.BY_TOWN, "clickData"),
    State(ids.PARAMS, "data"),
    State(ids.GRID, "getRowsRequest"),
    prevent_initial_call=True,
)
def filter_by_bar(by_department, by_town, params: list, request: dict | None):
    """A click on a bar narrows the list to that department or town."""
    name = "department" if ctx.triggered_id == ids.BY_DEPARTMENT else "town"
    click = by_department if name == "department" else by_town
    code = ((click or {}).get("points") or [{}])[0].get("customdata")
    if not code:
        return no_update
    args = MultiDict([(k, v) for k, v in params or []])
    args.setlist(name, [code])
    for key, value in sort_params(request).items():
        args.setlist(key, [value])
    return "/incidents" + list_params.to_search(args)


# The grid's sort goes into the URL (replaceState: no reload) and the export link.
declared.clientside(
    ClientsideFunction("ccLists", "keepSort"),
    Output(ids.EXPORT, "href"),
    Input(ids.GRID, "getRowsRequest"),
    State(ids.EXPORT, "href"),
    prevent_initial_call=True,
)

# A live push (a new version of the data) refreshes the rows in view, at most every few s.
declared.clientside(
    ClientsideFunction("ccLists", "refresh"),
    Output(ids.REFRESHED, "data"),  # when (ms) the rows were last reloaded
    Input(ids.LIVE, "data"),
    State(ids.GRID, "id"),
    prevent_initial_call=True,
)

declared.clientside(
    ClientsideFunction("ccLists", "version"),
    Output(ids.VERSION, "data"),
    Input(ids.LIVE, "data"),
    State(ids.VERSION, "data"),
    prevent_initial_call=True,
)


register = declared.register  # the app factory calls register(app)
