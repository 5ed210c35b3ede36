"""The frame around every page: header with county name, navigation and language switch."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.ids import shell as ids


def shell_layout() -> html.Div:
    return html.Div(
        className="cc-app",
        children=[
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            html.Header(id=ids.HEADER, className="cc-header"),
            html.Main(dash.page_container, className="cc-main"),
        ],
    )
