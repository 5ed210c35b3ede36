"""A KPI tile: label, big value, and the numerator/denominator behind it."""

from __future__ import annotations

from dash import html


def kpi_tile(label: str, value: str, detail: str = "", tone: str = "neutral") -> html.Div:
    """tone: neutral | good | warn | bad (shown by colour and by a text marker)."""
    marker = {"warn": "▲ ", "bad": "■ "}.get(tone, "")
    return html.Div(
        className=f"cc-tile cc-tile--{tone}",
        children=[
            html.Div(label, className="cc-tile__label"),
            html.Div(marker + value, className="cc-tile__value"),
            html.Div(detail, className="cc-tile__detail"),
        ],
    )
