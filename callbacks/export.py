"""CSV downloads of every page table: one pattern-matching callback for all of them."""

from __future__ import annotations

from dash import MATCH, Input, Output, State, no_update

from callbacks.declared import Declared
from dashboard.components.tables import csv_text
from dashboard.ids import export as ids

declared = Declared()


@declared.callback(
    Output(ids.download(MATCH), "data"),
    Input(ids.button(MATCH), "n_clicks"),
    State(ids.data(MATCH), "data"),
    prevent_initial_call=True,
)
def download_csv(n_clicks: int, table: dict | None):
    if not n_clicks or not table:
        return no_update
    return {
        "content": csv_text(table["columns"], table["rows"]),
        "filename": table["filename"],
        "type": "text/csv;charset=utf-8",
    }


register = declared.register  # the app factory calls register(app)
