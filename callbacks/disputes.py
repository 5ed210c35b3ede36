"""Dispute list: serve the grid's blocks and apply the filters (a new URL)."""

from __future__ import annotations

from urllib.parse import quote

from dash import ClientsideFunction, Input, Output, State, no_update
from werkzeug.datastructures import MultiDict

from callbacks.declared import Declared
from common.clock import local_today, now
from dashboard import list_params
from dashboard.api_params import BadParameter
from dashboard.components.format import count
from dashboard.components.incident_grid import BLOCK, sort_from_model, sort_params
from dashboard.context import catalog, read_engine, settings
from dashboard.i18n import t
from dashboard.ids import disputes as ids
from dashboard.list_rows import dispute_row
from data_access import dispute_list
from data_access.dispute_list import dispute_page, dispute_total

MAX_ROWS_PER_REQUEST = 1000

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
    cfg, at = settings(), now()
    args = MultiDict([(str(k), str(v)) for k, v in params or []])
    try:
        q = list_params.dispute_query(args, local_today(cfg.tz))
        default = list_params.dispute_sort(args)
    except BadParameter:
        return {"rowData": [], "rowCount": 0}, ""
    sort = sort_from_model(request.get("sortModel"), dispute_list.SORTABLE, default)
    start = max(int(request.get("startRow") or 0), 0)
    stop = min(int(request.get("endRow") or start + BLOCK), start + MAX_ROWS_PER_REQUEST)
    rows = dispute_page(read_engine(), q, at, sort, lang, start, stop)
    names, yes_no = catalog(), (t("disputes.yes", lang), t("disputes.no", lang))
    data = [dispute_row(r, names, lang, cfg.tz, yes_no) for r in rows]
    if start > 0 and len(rows) == stop - start:
        return {"rowData": data}, no_update
    total = start + len(rows) if start > 0 else dispute_total(read_engine(), q, at)
    return {"rowData": data, "rowCount": total}, t("disputes.total", lang, n=count(total))


@declared.callback(
    Output(ids.NAV, "href", allow_duplicate=True),
    Input(ids.GRID, "cellClicked"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def open_row(cell: dict | None, lang: str):
    """A click on a dispute opens its page."""
    if not cell or not cell.get("rowId"):
        return no_update
    return f"/disputes/{quote(str(cell['rowId']), safe='')}?lang={lang}"


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
    *values, params, request = values_and_params
    search = list_params.filter_search(
        ids.CARRIED, ids.CONTROLS, values, params, sort_params(request)
    )
    return "/disputes" + search


declared.clientside(
    ClientsideFunction("ccLists", "keepSort"),
    Output(ids.EXPORT, "href"),
    Input(ids.GRID, "getRowsRequest"),
    State(ids.EXPORT, "href"),
    prevent_initial_call=True,
)


register = declared.register  # the app factory calls register(app)
