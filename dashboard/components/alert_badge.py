"""An alert colour (CONTRACT 2, Alerts) as people see it: a shape and a word besides the
colour, so staff who do not tell red from yellow, and grey-scale projectors, read it too.
One component for the wall, the lists, the alert list and the incident page."""

from __future__ import annotations

from dash import html

from dashboard.i18n import t
from data_access.alerts import BLUE, RED, YELLOW

SHAPES = {RED: "■", YELLOW: "▲", BLUE: "●"}


def alert_badge(colour: str | None, lang: str, short: bool = False) -> html.Span:
    """`short`: the colour's word alone ("红色", "Red"), where room is scarce (the wall)."""
    if colour not in SHAPES:
        return html.Span(t("alert.none", lang), className="cc-alert-badge cc-alert-badge--none")
    word = t(f"alert.{colour}_short" if short else f"alert.{colour}", lang)
    return html.Span(
        [
            html.Span(SHAPES[colour], className="cc-alert-badge__shape", **{"aria-hidden": "true"}),
            html.Span(word, className="cc-alert-badge__word"),
        ],
        className=f"cc-alert-badge cc-alert-badge--{colour}",
        title=word,
    )
