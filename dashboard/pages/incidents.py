"""The incident list for staff: filters, preset views (overdue, due soon), the grid, the
overdue counts by department and town, and the CSV export. Its state is the URL
(dashboard.list_params), so a link reproduces the view; the KPI tiles link here."""

from __future__ import annotations

import dash
from dash import dcc, html

from common.clock import local_today
from common.vocabulary import INCIDENT_STATUSES, NON_STATUS
from dashboard import list_params
from dashboard.api_params import BadParameter
from dashboard.components import list_controls as ui
from dashboard.components import scope_notice
from dashboard.components.incident_grid import INCIDENT_COLUMNS, case_grid, clock_params
from dashboard.context import catalog, settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import incidents as ids
from dashboard.list_rows import longest_names
from dashboard.tab_title import tab_title
from data_access import incident_list
from data_access.incident_list import IncidentQuery
from data_access.scoping import offered

dash.register_page(__name__, path="/incidents", title=tab_title("nav.incidents"))

VIEWS = ("all", "open", "overdue", "due_soon")
WITH_COUNTS = ("overdue", "due_soon")


def _named(kind: str, codes, lang: str) -> list[tuple[str, str]]:
    names = catalog()
    return [(code, names.name(kind, code, lang)) for code in codes]


def _texts(prefix: str, codes, lang: str) -> list[tuple[str, str]]:
    return [(code, t(f"{prefix}.{code}", lang)) for code in codes]


def filters_panel(args, q: IncidentQuery, lang: str) -> html.Section:
    names = catalog()
    statuses = [s for s in INCIDENT_STATUSES if s not in NON_STATUS]
    f = q.filters

    def pick(name, kind_or_options, value, multi=True):
        options = (
            _named(kind_or_options, offered(kind_or_options, names.codes(kind_or_options)), lang)
            if isinstance(kind_or_options, str)
            else kind_or_options
        )
        control = ui.choice(ids.control(name), options, value, lang, multi)
        return ui.field(t(f"incidents.filter.{name}", lang), control)

    escalated = {True: "yes", False: "no"}.get(q.escalated)
    return html.Section(
        className="cc-filters",
        **{"aria-label": t("incidents.filters", lang)},
        children=[
            pick("town", "town", f.towns),
            pick("department", "department", f.departments),
            pick("category", "category", f.categories),
            pick("channel", "channel", f.channels),
            pick("priority", _named("priority", incident_list.PRIORITY_ORDER, lang), q.priorities),
            pick("status", _named("incident_status", statuses, lang), q.statuses),
            ui.period(
                ids.control("reported"),
                t("incidents.filter.reported", lang),
                q.reported_from,
                q.reported_to,
                lang,
            ),
            ui.period(
                ids.control("deadline"),
                t("incidents.filter.deadline", lang),
                q.deadline_from,
                q.deadline_to,
                lang,
            ),
            pick(
                "timeliness",
                _texts("incidents.timeliness", incident_list.TIMELINESS, lang),
                q.timeliness,
                multi=False,
            ),
            pick(
                "satisfaction",
                [
                    *((s, "★" * int(s)) for s in "54321"),
                    ("none", t("incidents.satisfaction.none", lang)),
                ],
                q.satisfaction,
            ),
            pick(
                "overdue",
                _texts("incidents.overdue", incident_list.OVERDUE_BUCKETS, lang),
                q.overdue,
            ),
            pick("escalated", _texts("incidents.escalated", ("yes", "no"), lang), escalated, False),
            ui.field(
                t("incidents.filter.q", lang),
                dcc.Input(
                    id=ids.control("q"),
                    type="search",
                    value=q.id_prefix,
                    placeholder=t("incidents.filter.q_hint", lang),
                    className="cc-filter__text",
                    debounce=True,
                ),
            ),
            ui.buttons(ids.APPLY, f"/incidents?lang={lang}", lang),
        ],
    )


def view_tabs(args, lang: str) -> html.Nav:
    current = args.get("view") or "all"
    return html.Nav(
        className="cc-tabs",
        children=[
            dcc.Link(
                t(f"incidents.view.{view}", lang),
                href="/incidents"
                + list_params.to_search(
                    args, view=None if view == "all" else view, sort=None, dir=None
                ),
                className="cc-tab" + (" cc-tab--current" if view == current else ""),
            )
            for view in VIEWS
        ],
    )


def set_chip(args, q: IncidentQuery, lang: str) -> html.Div | None:
    """Which KPI figure this list shows the cases of (the tiles link here with `set`)."""
    if not q.sets:
        return None
    names = f" {t('incidents.or', lang)} ".join(t(f"incidents.set.{s}", lang) for s in q.sets)
    if q.window is None:
        text = t("incidents.set_now", lang, sets=names)
    else:
        start, end = q.window.start.isoformat(), q.window.end.isoformat()
        text = t("incidents.set_window", lang, sets=names, start=start, end=end)
    clear = "/incidents" + list_params.to_search(args, set=None, start=None, end=None)
    return html.Div(
        className="cc-chip",
        children=[html.Span(text), dcc.Link(t("incidents.clear_set", lang), href=clear)],
    )


def counts_panel(view: str, lang: str) -> html.Section:
    """Where the cases are: plain HTML bars (callbacks.incidents.bars), no Plotly."""
    title = t("incidents.where" if view == "overdue" else "incidents.where_soon", lang)
    return html.Section(
        className="cc-where",
        children=[
            html.H2(title),
            html.Div(
                className="cc-where__charts",
                children=[
                    html.Div(id=ids.BY_DEPARTMENT, className="cc-chart cc-where__bars"),
                    html.Div(id=ids.BY_TOWN, className="cc-chart cc-where__bars"),
                ],
            ),
        ],
    )


def layout(lang: str | None = None, **query) -> html.Div:
    cfg = settings()
    lang = lang_or_default(lang, cfg.lang)
    notice = scope_notice.refused(query, lang, "/incidents")
    if notice is not None:
        return notice
    args = list_params.args_from_query({**query, "lang": lang})
    try:
        q = list_params.incident_query(args, local_today(cfg.tz))
        sort = list_params.incident_sort(args)
    except BadParameter as err:
        return ui.bad_link(str(err), lang, f"/incidents?lang={lang}")
    if q.window is not None and not args.get("start"):  # pin the default window
        args.setlist("start", [q.window.start.isoformat()])
        args.setlist("end", [q.window.end.isoformat()])
    view = args.get("view") or "all"
    export_href = "/export/incidents.csv" + list_params.to_search(args)
    return html.Div(
        className="cc-page cc-list",
        children=[
            dcc.Store(id=ids.PARAMS, data=list(args.items(multi=True))),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
            dcc.Store(id=ids.LIVE),
            dcc.Store(id=ids.REFRESHED),
            dcc.Store(id=ids.VERSION),
            dcc.Store(id=ids.ANSWERED),
            html.Div(id=ids.LIVE_ANCHOR, hidden=True),
            ui.head(t("incidents.heading", lang), ids.TOTAL, ids.EXPORT, export_href, lang),
            view_tabs(args, lang),
            set_chip(args, q, lang),
            filters_panel(args, q, lang),
            counts_panel(view, lang) if view in WITH_COUNTS else None,
            html.Div(
                t("incidents.grid.loading", lang),
                id=ids.LOADING,
                className="cc-list-loading",
                role="status",
            ),
            case_grid(
                ids.GRID,
                INCIDENT_COLUMNS,
                incident_list.SORTABLE,
                sort,
                lang,
                clock_params(lang, cfg.warn_hours),
                longest_names(catalog(), incident_list.NAMED, lang),
            ),
        ],
    )
