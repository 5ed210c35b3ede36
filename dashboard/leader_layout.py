"""Layout pieces the leader and mediation pages share: the period and filter controls,
set from the URL's view (dashboard.links) so that a link reproduces what its sender saw,
and titled panels holding charts."""

from __future__ import annotations

from datetime import date

from dash import dcc, html

from dashboard.i18n import t
from dashboard.links import View
from dashboard.period import PERIODS
from data_access.masterdata import Catalog
from data_access.scoping import offered


def period_control(control_id: str, view: View, lang: str) -> html.Div:
    return html.Div(
        className="cc-control cc-control--period",
        children=[
            html.Label(t("leader.period", lang), htmlFor=control_id),
            dcc.RadioItems(
                id=control_id,
                options=[{"label": t(f"leader.period_{p}", lang), "value": p} for p in PERIODS],
                value=view.period,
                inline=True,
                className="cc-segments",
            ),
        ],
    )


def dates_control(control_id: str, box_id: str, view: View, today: date) -> html.Div:
    """The custom period's dates, shown only while the period is custom."""
    shown = view.window(today)
    return html.Div(
        id=box_id,
        className="cc-control cc-control--dates",
        hidden=view.period != "custom",
        children=dcc.DatePickerRange(
            id=control_id,
            start_date=shown.start.isoformat(),
            end_date=shown.end.isoformat(),
            max_date_allowed=today.isoformat(),
            display_format="YYYY-MM-DD",
            minimum_nights=0,
            first_day_of_week=1,
        ),
    )


def code_filter(
    control_id: str, kind: str, label_key: str, chosen: tuple[str, ...], names: Catalog, lang: str
) -> html.Div:
    """A multi-select of a code set's names; codes in the URL but unknown to the master
    data stay selectable, shown as themselves (CONTRACT 1: open code sets)."""
    codes = list(dict.fromkeys([*offered(kind, names.codes(kind)), *chosen]))
    return html.Div(
        className="cc-control",
        children=[
            html.Label(t(label_key, lang), htmlFor=control_id),
            dcc.Dropdown(
                id=control_id,
                options=[{"label": names.name(kind, c, lang), "value": c} for c in codes],
                value=list(chosen),
                multi=True,
                placeholder=t("leader.all", lang),
            ),
        ],
    )


PLOTLY_LOCALES = {"zh": "zh-CN", "en": "en-US"}  # zh-CN: assets/plotly-locale-zh-cn.js
OFFLINE_ONLY = {  # nothing in the modebar offers to send a chart to Plotly's cloud
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "sendData": False,
}


def graph_config(filename: str, lang: str = "en") -> dict:
    """dcc.Graph config: the modebar's PNG export named after the chart and the window,
    in the page's language (modebar tips, month and weekday names)."""
    return {
        **OFFLINE_ONLY,
        "displaylogo": False,
        "locale": PLOTLY_LOCALES.get(lang, "en-US"),
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "sendChartToCloud"],
    }


def panel(title_key: str, body, lang: str, class_name: str = "") -> html.Section:
    return html.Section(
        className=f"cc-panel {class_name}".strip(),
        children=[html.H2(t(title_key, lang), className="cc-panel__title"), body],
    )


def graph(graph_id: str, name: str) -> dcc.Graph:
    """A chart whose modebar exports a PNG named `name` (renamed per window by callbacks)."""
    return dcc.Graph(id=graph_id, config=graph_config(name), className="cc-chart")


def lang_switch(switch_id: str, lang: str) -> dcc.Link:
    """The page's own language switch: it keeps the view, which the header's switch
    cannot see once the controls have changed the URL (callbacks set its href)."""
    return dcc.Link(
        t("app.lang_switch", lang), id=switch_id, href="", className="cc-lang-switch cc-page-lang"
    )
