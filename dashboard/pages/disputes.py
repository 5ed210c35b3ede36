"""The dispute list: filters, the grid and the CSV export; the mediation page's tiles
link here with `set` (dashboard.links). Its state is the URL, like /incidents."""

from __future__ import annotations

import dash
from dash import dcc, html

from common.clock import local_today
from common.vocabulary import DISPUTE_STATUSES, MEDIATION_TYPES
from dashboard import list_params
from dashboard.api_params import BadParameter
from dashboard.components import list_controls as ui
from dashboard.components import scope_notice
from dashboard.components.incident_grid import DISPUTE_COLUMNS, case_grid, clock_params
from dashboard.context import catalog, settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import disputes as ids
from dashboard.list_rows import longest_names
from dashboard.tab_title import tab_title
from data_access import dispute_list
from data_access.dispute_list import DisputeQuery
from data_access.scoping import offered

dash.register_page(__name__, path="/disputes", title=tab_title("nav.disputes"))


def filters_panel(q: DisputeQuery, lang: str) -> html.Section:
    names = catalog()

    def named(kind: str, codes) -> list[tuple[str, str]]:
        return [(c, names.name(kind, c, lang)) for c in codes]

    def pick(name: str, label_key: str, options, value):
        return ui.field(t(label_key, lang), ui.choice(ids.control(name), options, value, lang))

    return html.Section(
        className="cc-filters",
        **{"aria-label": t("incidents.filters", lang)},
        children=[
            pick(
                "town",
                "incidents.filter.town",
                named("town", offered("town", names.codes("town"))),
                q.towns,
            ),
            pick(
                "kind",
                "disputes.filter.kind",
                named("dispute_kind", names.codes("dispute_kind")),
                q.kinds,
            ),
            pick(
                "mediation_type",
                "disputes.filter.mediation_type",
                named("mediation_type", MEDIATION_TYPES),
                q.mediation_types,
            ),
            pick(
                "status",
                "incidents.filter.status",
                named("dispute_status", DISPUTE_STATUSES),
                q.statuses,
            ),
            ui.period(
                ids.control("accepted"),
                t("disputes.filter.accepted", lang),
                q.accepted_from,
                q.accepted_to,
                lang,
            ),
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
            ui.buttons(ids.APPLY, f"/disputes?lang={lang}", lang),
        ],
    )


def set_chip(args, q: DisputeQuery, lang: str) -> html.Div | None:
    if not q.sets or q.window is None:
        return None
    names = f" {t('incidents.or', lang)} ".join(t(f"disputes.set.{s}", lang) for s in q.sets)
    text = t(
        "incidents.set_window",
        lang,
        sets=names,
        start=q.window.start.isoformat(),
        end=q.window.end.isoformat(),
    )
    clear = "/disputes" + list_params.to_search(args, set=None, start=None, end=None)
    return html.Div(
        className="cc-chip",
        children=[html.Span(text), dcc.Link(t("incidents.clear_set", lang), href=clear)],
    )


def layout(lang: str | None = None, **query) -> html.Div:
    cfg = settings()
    lang = lang_or_default(lang, cfg.lang)
    notice = scope_notice.no_disputes(lang) or scope_notice.refused(query, lang, "/disputes")
    if notice is not None:
        return notice
    args = list_params.args_from_query({**query, "lang": lang})
    try:
        q = list_params.dispute_query(args, local_today(cfg.tz))
        sort = list_params.dispute_sort(args)
    except BadParameter as err:
        return ui.bad_link(str(err), lang, f"/disputes?lang={lang}")
    if q.window is not None and not args.get("start"):
        args.setlist("start", [q.window.start.isoformat()])
        args.setlist("end", [q.window.end.isoformat()])
    export_href = "/export/disputes.csv" + list_params.to_search(args)
    return html.Div(
        className="cc-page cc-list",
        children=[
            dcc.Store(id=ids.PARAMS, data=list(args.items(multi=True))),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
            ui.head(t("disputes.heading", lang), ids.TOTAL, ids.EXPORT, export_href, lang),
            set_chip(args, q, lang),
            filters_panel(q, lang),
            case_grid(
                ids.GRID,
                DISPUTE_COLUMNS,
                dispute_list.SORTABLE,
                sort,
                lang,
                clock_params(lang, cfg.warn_hours),
                longest_names(catalog(), dispute_list.NAMED, lang),
            ),
        ],
    )
