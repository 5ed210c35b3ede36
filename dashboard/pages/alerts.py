"""The alert list for the duty officer (预警列表): open incidents with an alert colour, red
first, then yellow, then blue (CONTRACT 3, GET /api/v1/alerts, read by the same function),
filtered by colour and acknowledgement on the server, each overdue one with its
acknowledge (认领) button. Its state is the URL; the leader page's alert tiles link here.

    /alerts?colour=red&colour=yellow&acknowledged=false&lang=zh
"""

from __future__ import annotations

import dash
from dash import dcc, html

from common.vocabulary import BOOLEANS
from dashboard.api_params import BadParameter, check_text
from dashboard.components import list_controls as ui
from dashboard.components import scope_notice
from dashboard.context import settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import alerts as ids
from dashboard.links import FILTER_PARAMS, MAX_VALUES
from dashboard.list_params import args_from_query
from dashboard.tab_title import tab_title
from data_access.alerts import COLOURS

dash.register_page(__name__, path="/alerts", title=tab_title("nav.alerts"))

FILTERS = tuple(name for name, _ in FILTER_PARAMS)  # town, category, channel, department
KNOWN = frozenset({"colour", "acknowledged", "lang", *FILTERS})


def page_filters(query: dict) -> dict:
    """{"colours": [...], "acknowledged": "true" | "false" | "", and the leader page's
    filters a tile carried: "town": [...], ...} from the URL's query; raises BadParameter
    for anything else (a link that cannot be shown as asked)."""
    args = args_from_query(query)
    check_text(args)
    unknown = sorted(set(args) - KNOWN)
    if unknown:
        raise BadParameter(f"unknown parameter {unknown[0][:40]!r}")
    colours = args.getlist("colour")
    for colour in colours:
        if colour not in COLOURS:
            raise BadParameter(f"colour must be one of {', '.join(COLOURS)}, got {colour[:40]!r}")
    acknowledged = args.getlist("acknowledged")
    if len(acknowledged) > 1 or (acknowledged and acknowledged[0] not in BOOLEANS):
        raise BadParameter(f"acknowledged must be one of {', '.join(BOOLEANS)}")
    ordered = [c for c in COLOURS if c in colours]
    carried = {name: args.getlist(name)[:MAX_VALUES] for name in FILTERS if name in args}
    return {
        "colours": ordered,
        "acknowledged": acknowledged[0] if acknowledged else "",
        **carried,
    }


def filters_panel(chosen: dict, lang: str) -> html.Section:
    colour = dcc.Checklist(
        id=ids.COLOUR,
        options=[{"label": t(f"alert.{c}", lang), "value": c} for c in COLOURS],
        value=chosen["colours"],
        inline=True,
        className="cc-alerts__choice",
    )
    acknowledged = dcc.RadioItems(
        id=ids.ACKNOWLEDGED,
        options=[
            {"label": t("alerts.all", lang), "value": ""},
            {"label": t("alerts.ack_no", lang), "value": "false"},
            {"label": t("alerts.ack_yes", lang), "value": "true"},
        ],
        value=chosen["acknowledged"],
        inline=True,
        className="cc-alerts__choice",
    )
    note = dcc.Input(
        id=ids.NOTE, type="text", maxLength=500, debounce=False, className="cc-alerts__note"
    )
    return html.Section(
        className="cc-filters",
        children=[
            ui.field(t("alerts.colour", lang), colour),
            ui.field(t("alerts.ack_filter", lang), acknowledged),
            ui.field(t("alert.acknowledge_note", lang), note, wide=True),
        ],
    )


def layout(lang: str | None = None, **query) -> html.Div:
    lang = lang_or_default(lang, settings().lang)
    notice = scope_notice.refused(query, lang, "/alerts")
    if notice is not None:
        return notice
    try:
        chosen = page_filters({**query, "lang": lang})
    except BadParameter as err:
        return ui.bad_link(str(err), lang, f"/alerts?lang={lang}")
    return html.Div(
        className="cc-page cc-list cc-alerts",
        children=[
            dcc.Store(id=ids.PARAMS, data=chosen),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Location(id=ids.NAV, refresh=False),
            dcc.Store(id=ids.LIVE),
            dcc.Store(id=ids.VERSION),
            html.Div(id=ids.LIVE_ANCHOR, hidden=True),
            html.Div(
                className="cc-page__head",
                children=[
                    html.H1(t("alerts.heading", lang)),
                    html.Span(id=ids.TOTAL, className="cc-muted", **{"aria-live": "polite"}),
                ],
            ),
            filters_panel(chosen, lang),
            html.Div(id=ids.COUNTS, className="cc-alerts__counts"),
            html.Div(id=ids.TABLE),
        ],
    )
