"""The possible duplicates list (疑似重复件): every candidate pair ingest found lately,
best first, each merged or dismissed with one click, so a clerk clears a morning's intake
from one page. Drawn by callbacks/duplicates.py."""

from __future__ import annotations

import dash
from dash import dcc, html

from common.duplicates import WINDOW
from dashboard.context import settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import duplicates as ids
from dashboard.tab_title import tab_title

dash.register_page(__name__, path="/duplicates", title=tab_title("nav.duplicates"))

REFRESH_MS = 30_000  # the list is read again this often, and after every act


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = lang_or_default(lang, settings().lang)
    return html.Div(
        className="cc-page cc-duplicates-page",
        children=[
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.DONE, data=0),
            dcc.Interval(id=ids.TICK, interval=REFRESH_MS),
            html.H1(t("nav.duplicates", lang)),
            html.P(t("duplicates.intro", lang, days=WINDOW.days), className="cc-muted"),
            html.Div(id=ids.MESSAGE, className="cc-escalate__message", role="status"),
            html.Section(className="cc-panel", children=[html.Div(id=ids.LIST)]),
        ],
    )
