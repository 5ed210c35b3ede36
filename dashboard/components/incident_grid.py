"""The lists' grid: dash-ag-grid with the infinite row model, so the server filters, sorts
and pages (getRowsRequest -> getRowsResponse, one block of BLOCK rows at a time) and a
list of 100,000 incidents opens as fast as one of 100. Used by /incidents and /disputes.

Sorting is the server's: only whitelisted columns are sortable, one at a time, and the
grid's sort model is turned into a data_access.listing.Sort by `sort_from_model`.
"""

from __future__ import annotations

import math

import dash_ag_grid as dag

from dashboard.components.label_place import text_width
from dashboard.i18n import t
from data_access.listing import Sort

BLOCK = 100
SHARED = "incidents.col."
CELL_PX = 14  # the grid's type size (ag-grid's theme)
PAD_PX = 40  # a cell's padding, the sort arrow and the resize handle
# (field, width the column's values need at least, header key)
INCIDENT_COLUMNS = tuple(
    (name, width, SHARED + name)
    for name, width in (
        ("id", 190),
        ("alert", 120),
        ("title", 260),
        ("town", 120),
        ("grid", 130),
        ("category", 110),
        ("channel", 120),
        ("department", 170),
        ("priority", 90),
        ("reported_at", 150),
        ("deadline", 150),
        ("hours_overdue", 250),  # "▲ 33 working days overdue" in full
        ("escalation_level", 95),
        ("status", 100),
        ("satisfaction", 110),
    )
)
DISPUTE_COLUMNS = (
    ("id", 190, SHARED + "id"),
    ("town", 140, SHARED + "town"),
    ("grid", 140, SHARED + "grid"),
    ("kind", 140, "disputes.col.kind"),
    ("mediation_type", 140, "disputes.col.mediation_type"),
    ("mediator", 170, "disputes.col.mediator"),
    ("status", 110, SHARED + "status"),
    ("accepted_at", 140, "disputes.col.accepted_at"),
    ("resolved_at", 140, "disputes.col.resolved_at"),
    ("judicial_confirmation", 120, "disputes.col.judicial_confirmation"),
)
# column-specific display: the live SLA countdown, the escalation level, the score
RENDERERS = {
    "hours_overdue": {"cellRenderer": "SlaClock"},
    "escalation_level": {"cellRenderer": "EscalationLevel"},
    "satisfaction": {"cellRenderer": "Stars"},
}
# the alert colour's text (shape and word) also coloured (assets/incidents.css)
CELL_CLASSES = {
    "alert": {
        "cellClassRules": {
            f"cc-alert-badge cc-alert-badge--{c}": f"params.data && params.data.colour === '{c}'"
            for c in ("red", "yellow", "blue")
        }
    }
}


def fitted_width(width: int, header: str, longest: str = "") -> int:
    """A column as wide as its header or its longest value (estimated: CJK characters a
    type size wide, others 0.6 of it, which errs wide), and at least `width`."""
    return math.ceil(max(width, *(text_width(x, CELL_PX) + PAD_PX for x in (header, longest))))


def column_defs(
    columns, sortable: frozenset[str], sort: Sort, lang: str, params: dict, longest: dict
):
    """`longest`: a column's longest value in `lang` (the names of its codes), by field."""
    defs = []
    for name, width, key in columns:
        header = t(key, lang)
        fitted = fitted_width(width, header, longest.get(name, ""))
        spec = {
            "field": name,
            "colId": name,
            "headerName": header,
            "width": fitted,
            "minWidth": fitted,  # never narrower than its text: the grid scrolls instead
            "sortable": name in sortable,
            **RENDERERS.get(name, {}),
            **CELL_CLASSES.get(name, {}),
        }
        if name in RENDERERS:
            spec["cellRendererParams"] = params
        else:
            spec["tooltipField"] = name
        if name == sort.column:
            spec["sort"] = "desc" if sort.descending else "asc"
        defs.append(spec)
    return defs


def sort_from_model(model: list | None, sortable: frozenset[str], default: Sort) -> Sort:
    """The grid's sort model as a Sort; anything but one whitelisted column is the default."""
    if not model:
        return default
    first = model[0]
    column, direction = first.get("colId"), first.get("sort")
    if column not in sortable or direction not in ("asc", "desc"):
        return default
    return Sort(column, descending=direction == "desc")


def sort_params(request: dict | None) -> dict[str, str | None]:
    """The grid's current sort as the URL's sort/dir (None: leave them as they are)."""
    model = (request or {}).get("sortModel") or []
    if not model:
        return {}
    return {"sort": model[0].get("colId"), "dir": model[0].get("sort")}


def clock_params(lang: str, warn_hours: float) -> dict:
    """Texts and the due-soon horizon for the browser's countdown (assets/incidents.js)."""
    return {
        "overdue": t("incidents.clock.overdue", lang, t="{t}"),
        "left": t("incidents.clock.left", lang, t="{t}"),
        "day": t("incidents.clock.day", lang),
        "level": t("incidents.level", lang, n="{n}"),
        "warnMs": int(warn_hours * 3600 * 1000),
    }


INSTANT_COLUMNS = ("reported_at", "deadline", "closed_at", "accepted_at", "resolved_at")


def computed_longest(params: dict) -> dict[str, str]:
    """The longest text of the columns whose values are not names: instants
    (list_rows.local: 2026-12-31 23:59) and the countdown (assets/incidents.js: "▲ " and
    999d 23:59:59)."""
    clock = params["overdue"].replace("{t}", f"999{params['day']} 23:59:59")
    return {**dict.fromkeys(INSTANT_COLUMNS, "2026-12-31 23:59"), "hours_overdue": "▲ " + clock}


def case_grid(
    grid_id: str,
    columns,
    sortable: frozenset[str],
    sort: Sort,
    lang: str,
    params: dict,
    longest: dict | None = None,
) -> dag.AgGrid:
    """`longest`: each coded column's longest name in `lang` (list_rows.longest_names), so
    the columns are as wide as their text."""
    return dag.AgGrid(
        id=grid_id,
        rowModelType="infinite",
        columnDefs=column_defs(
            columns, sortable, sort, lang, params, {**computed_longest(params), **(longest or {})}
        ),
        defaultColDef={
            "resizable": True,
            "sortingOrder": ["asc", "desc"],
            "wrapHeaderText": True,  # a long header (English) wraps rather than being cut
            "autoHeaderHeight": True,
        },
        getRowId="params.data.id",
        dashGridOptions={
            "cacheBlockSize": BLOCK,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            # dash-ag-grid keeps one pending request: never ask for two blocks at once
            "maxConcurrentDatasourceRequests": 1,
            "suppressMultiSort": True,
            "animateRows": False,
            "rowBuffer": 10,
            # every column drawn, not only those in view: a column appears with its text
            "suppressColumnVirtualisation": True,
            "localeText": {
                "loadingOoo": t("incidents.grid.loading", lang),
                "noRowsToShow": t("incidents.grid.no_rows", lang),
            },
        },
        columnSize="responsiveSizeToFit",
        className="cc-grid",
        style={"height": "68vh", "width": "100%"},
    )
