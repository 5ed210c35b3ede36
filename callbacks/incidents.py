"""Incident list: serve the grid's blocks, apply the filters (a new URL), open a row, and
show the overdue counts by department and town as plain HTML bars: no Plotly on a list
page (its 4.8 MB bundle and first draw held the grid's mount back by seconds under load)."""

from __future__ import annotations

import time
from urllib.parse import quote

from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update
from werkzeug.datastructures import MultiDict

from callbacks.declared import Declared
from common.clock import local_today, now
from dashboard import context, list_params
from dashboard.api_params import BadParameter
from dashboard.components.deadline_text import row_marks
from dashboard.components.format import count
from dashboard.components.incident_grid import BLOCK, sort_from_model, sort_params
from dashboard.context import catalog, read_engine, settings
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
    Output(ids.ANSWERED, "data"),
    Input(ids.GRID, "getRowsRequest"),
    State(ids.PARAMS, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def get_rows(request: dict | None, params: list, lang: str):
    """A block of rows; the count comes with the first; ANSWERED tells the browser
    (ccLists.loaded) that a load has ended."""
    if not request:
        return no_update, no_update, no_update
    answered = int(time.time() * 1000)
    try:
        q, args = parsed(params)
    except BadParameter:
        return {"rowData": [], "rowCount": 0}, "", answered
    cfg, at = settings(), now()
    default = list_params.incident_sort(args)
    sort = sort_from_model(request.get("sortModel"), incident_list.SORTABLE, default)
    start = max(int(request.get("startRow") or 0), 0)
    stop = min(int(request.get("endRow") or start + BLOCK), start + MAX_ROWS_PER_REQUEST)
    rows = incident_page(
        read_engine(), q, at, cfg.warn_hours, sort, lang, start, stop, cfg.red_hours
    )
    names = catalog()
    data = [incident_grid_row(r, names, lang, cfg.tz, at) for r in rows]
    rules = context.sla()  # a rule in working days: the countdown's texts (deadline_text)
    for shown, row in zip(data, rows, strict=True):
        shown["wd_marks"] = row_marks(row, rules, at, cfg.tz, lang)
    if start > 0 and len(rows) == stop - start:
        return {"rowData": data}, no_update, answered  # the count came with the first block
    total = start + len(rows) if start > 0 else incident_total(read_engine(), q, at, cfg.warn_hours)
    shown = t("incidents.total", lang, n=count(total))
    return {"rowData": data, "rowCount": total}, shown, answered


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


def bars(
    rows: list[tuple[str | None, int]], kind: str, title: str, lang: str, args: MultiDict
) -> html.Div:
    """Horizontal bars, largest on top, each a link that narrows the list to its
    department or town (text, never markup: Dash renders strings as text)."""
    names = catalog()
    shown = rows[:BARS]
    top = max((n for _, n in shown), default=0) or 1
    items = []
    for code, n in shown:
        label = names.name(kind, code, lang) if code else t("incidents.not_dispatched", lang)
        narrowed = MultiDict(args)
        if code:
            narrowed.setlist(kind, [code])
        body = [
            html.Span(label, className="cc-bar__label"),
            html.Span(
                html.Span(className="cc-bar__fill", style={"width": f"{100 * n / top:.1f}%"}),
                className="cc-bar__track",
            ),
            html.Span(count(n), className="cc-bar__n"),
        ]
        items.append(
            html.Li(
                dcc.Link(body, href="/incidents" + list_params.to_search(narrowed))
                if code
                else html.Span(body),
                className="cc-bar",
            )
        )
    return html.Div(
        [html.H3(title, className="cc-bars__title"), html.Ol(items, className="cc-bars__list")],
        className="cc-bars",
    )


@declared.callback(
    Output(ids.BY_DEPARTMENT, "children"),
    Output(ids.BY_TOWN, "children"),
    Input(ids.PARAMS, "data"),
    Input(ids.VERSION, "data"),
    State(ids.LANG, "data"),
)
def counts(params: list, _live, lang: str):
    try:
        q, args = parsed(params)
    except BadParameter:
        return no_update, no_update
    cfg, at = settings(), now()
    by = {
        d: incident_counts_by(read_engine(), q, at, cfg.warn_hours, d)
        for d in ("department", "town")
    }
    return (
        bars(by["department"], "department", t("incidents.by_department", lang), lang, args),
        bars(by["town"], "town", t("incidents.by_town", lang), lang, args),
    )


# The grid's sort goes into the URL (replaceState: no reload) and the export link.
declared.clientside(
    ClientsideFunction("ccLists", "keepSort"),
    Output(ids.EXPORT, "href"),
    Input(ids.GRID, "getRowsRequest"),
    State(ids.EXPORT, "href"),
    State(ids.GRID, "id"),
    prevent_initial_call=True,
)

# The first rows end the loading note; a push during a load reloads after it.
declared.clientside(
    ClientsideFunction("ccLists", "loaded"),
    Output(ids.LOADING, "hidden"),
    Input(ids.ANSWERED, "data"),
    State(ids.GRID, "id"),
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
