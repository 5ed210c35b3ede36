"""Tables with a CSV download: plain rows in, an HTML table and its CSV out.

A table is (columns, rows): columns are (key, label, kind) with kind one of text, count,
rate or score; rows are dicts keyed by column key holding raw values (names already
resolved). The pages' tables hold codes' names and aggregates only, never personal data,
so their CSV needs no masking (common.masking applies wherever a column could hold it).
"""

from __future__ import annotations

import csv
import io

from dash import dcc, html

from dashboard.components.format import count, percent
from dashboard.csv_safe import safe_row
from dashboard.i18n import t
from dashboard.ids import export as export_ids

Column = tuple[str, str, str]


def cell(value, kind: str) -> str:
    if kind == "count":
        return count(value)
    if kind == "rate":
        return percent(value)
    if kind == "score":
        return "—" if value is None else f"{value:.3f}"
    return "" if value is None else str(value)


def csv_text(columns: list[Column], rows: list[dict]) -> str:
    """CSV with a UTF-8 byte order mark, so spreadsheet programs read Chinese names;
    formula-like text quoted (dashboard.csv_safe)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(label for _key, label, _kind in columns))
    for row in rows:
        values = []
        for key, _label, kind in columns:
            value = row.get(key)
            values.append(round(value, 4) if kind in ("rate", "score") and value else value)
        writer.writerow(safe_row("" if v is None else v for v in values))
    return "\ufeff" + out.getvalue()


def html_table(columns: list[Column], rows: list[dict], class_name: str = "") -> html.Table:
    head = html.Thead(
        html.Tr([html.Th(label, className=f"cc-col--{kind}") for _k, label, kind in columns])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(cell(row.get(k), kind), className=f"cc-col--{kind}")
                    for k, _l, kind in columns
                ]
            )
            for row in rows
        ]
    )
    return html.Table([head, body], className=f"cc-table {class_name}".strip())


def download_button(name: str, filename: str, columns: list[Column], rows: list[dict], lang: str):
    """The CSV button of table `name`, with the rows it downloads (callbacks.export)."""
    return html.Span(
        className="cc-download",
        children=[
            html.Button(
                t("leader.download", lang),
                id=export_ids.button(name),
                className="cc-download__button",
                n_clicks=0,
            ),
            dcc.Download(id=export_ids.download(name)),
            dcc.Store(
                id=export_ids.data(name),
                data={"filename": filename, "columns": columns, "rows": rows},
            ),
        ],
    )
