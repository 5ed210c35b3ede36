"""The monthly bulletins (月度通报) for leaders: the months kept, the chosen month's latest
bulletin drawn on the page by the very renderer that prints its PDF (same tables, same
charts, same numbers), its PDF and workbook to download, and who generated which version
when. Drawn on the server when the page opens: a bulletin changes once a month."""

from __future__ import annotations

import dash
from dash import dcc, html

from common.clock import local_today, now
from dashboard.auth import current_principal
from dashboard.bulletin_html import bulletin_html
from dashboard.bulletin_labels import month_title
from dashboard.context import read_engine, settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import bulletins as ids
from dashboard.list_rows import local
from dashboard.tab_title import tab_title
from data_access.bulletin import generations, last_ended_month, shown

dash.register_page(__name__, path="/bulletins", title=tab_title("nav.bulletins"))


def _generations(kept: list[dict], lang: str, tz) -> html.Table:
    head = html.Tr(
        [
            html.Th(t(k, lang))
            for k in (
                "bulletin.field.month",
                "bulletin.field.generated_at",
                "bulletin.field.generated_by",
            )
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(month_title(g["month"], lang)),
                html.Td(local(g["generated_at"], tz)),
                html.Td(g["generated_by"]),
            ]
        )
        for g in kept
    ]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="cc-table")


def _admin_act(month: str, lang: str) -> list:
    """For an admin: generate the month again (callbacks.bulletins checks the role too)."""
    principal = current_principal()
    if principal is None or principal.role != "admin":
        return []
    label = t("bulletin.generate", lang, month=month_title(month, lang))
    return [
        dcc.Store(id=ids.MONTH, data=month),
        dcc.Store(id=ids.LANG, data=lang),
        html.Button(label, id=ids.GENERATE, className="cc-button"),
        dcc.Loading(html.Div(id=ids.MESSAGE, className="cc-note")),
    ]


def layout(month: str | None = None, lang: str | None = None, **_query) -> html.Div:
    cfg = settings()
    lang = lang_or_default(lang, cfg.lang)
    head = html.Div(className="cc-page__head", children=[html.H1(t("bulletin.page_title", lang))])
    kept = generations(read_engine())
    months = sorted({g["month"] for g in kept}, reverse=True)
    if not months:
        empty = html.P(t("bulletin.page_none", lang), className="cc-empty")
        last = last_ended_month(local_today(cfg.tz, now()))
        return html.Div(
            className="cc-page cc-bulletins", children=[head, empty, *_admin_act(last, lang)]
        )
    month = month if month in months else months[0]
    model = shown(read_engine(), month, cfg.warn_hours, now())
    picker = html.Nav(
        className="cc-bulletins__months",
        children=[
            dcc.Link(
                month_title(m, lang),
                href=f"/bulletins?month={m}&lang={lang}",
                className="cc-chip cc-chip--on" if m == month else "cc-chip",
                style={"textDecoration": "none", "fontWeight": 600 if m == month else 400},
            )
            for m in months
        ],
    )
    downloads = html.Div(
        className="cc-bulletins__downloads",
        style={"display": "flex", "gap": "1.5em", "margin": "0.8em 0"},
        children=[
            html.A(
                t("bulletin.download_pdf", lang),
                href=f"/api/v1/reports/{month}.pdf?lang={lang}",
                id="bulletin-pdf",
            ),
            html.A(
                t("bulletin.download_xlsx", lang),
                href=f"/api/v1/reports/{month}.xlsx?lang={lang}",
                id="bulletin-xlsx",
            ),
        ],
    )
    document = html.Iframe(
        srcDoc=bulletin_html(model, lang),
        id="bulletin-document",
        sandbox="",  # a document, nothing to run: no script, form or navigation in it
        title=t("bulletin.page_title", lang),
        style={
            "width": "100%",
            "height": "1400px",
            "border": "1px solid #ccc",
            "background": "#fff",
        },
    )
    history = html.Section(
        className="cc-panel",
        children=[html.H2(t("bulletin.page_generations", lang)), _generations(kept, lang, cfg.tz)],
    )
    children = [head, picker, downloads, *_admin_act(month, lang), document, history]
    return html.Div(className="cc-page cc-bulletins", children=children)
