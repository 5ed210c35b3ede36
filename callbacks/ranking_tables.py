"""A ranking as a table with its CSV: ranked units best first, units with no cases apart."""

from __future__ import annotations

from dash import html

from dashboard.components.tables import download_button, html_table
from dashboard.i18n import t
from data_access.masterdata import Catalog


def ranking_rows(found: dict, dimension: str, names: Catalog, lang: str) -> list[dict]:
    return [
        {**row, "rank": i, "unit": names.name(dimension, row["key"], lang)}
        for i, row in enumerate(found["ranked"], start=1)
    ]


def ranking_columns(measure: str, lang: str) -> list[tuple[str, str, str]]:
    return [
        ("rank", t("leader.col_rank", lang), "count"),
        ("unit", t("leader.col_unit", lang), "text"),
        ("rate", t(f"leader.measure_{measure}", lang), "rate"),
        ("numerator", t("leader.col_numerator", lang), "count"),
        ("denominator", t("leader.col_denominator", lang), "count"),
        ("score", t("leader.col_score", lang), "score"),
    ]


def ranking_panel(
    dimension: str, measure: str, found: dict, names: Catalog, lang: str, filename: str
) -> list:
    rows = ranking_rows(found, dimension, names, lang)
    columns = ranking_columns(measure, lang)
    empty = [names.name(dimension, key, lang) for key in found["no_cases"]]
    return [
        html.Div(
            className="cc-table-head",
            children=[
                html.H3(t(f"leader.rank_{dimension}", lang)),
                download_button(f"ranking-{dimension}", f"{filename}.csv", columns, rows, lang),
            ],
        ),
        html.Div(html_table(columns, rows, "cc-table--ranking"), className="cc-table-scroll"),
        html.P(
            [
                html.Strong(t("leader.no_cases", lang)),
                " ",
                "、".join(empty) if lang == "zh" else ", ".join(empty),
            ],
            className="cc-muted cc-no-cases",
            hidden=not empty,
        ),
    ]
