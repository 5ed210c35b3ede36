"""The lists' filter controls, the header with total and export link, and the message a
bad link gets: layout pieces shared by /incidents and /disputes."""

from __future__ import annotations

from dash import dcc, html

from dashboard.i18n import t


def field(label: str, control, wide: bool = False) -> html.Div:
    return html.Div(
        className="cc-filter" + (" cc-filter--wide" if wide else ""),
        children=[html.Label(label, htmlFor=control.id, className="cc-filter__label"), control],
    )


def choice(control_id: str, options: list[tuple[str, str]], value, lang: str, multi=True):
    """A dropdown of (code, label) options; codes in `value` but not known keep their code."""
    known = {code for code, _ in options}
    chosen = value if isinstance(value, list | tuple) else [value] if value else []
    options = [*options, *((c, c) for c in chosen if c not in known)]
    return dcc.Dropdown(
        id=control_id,
        options=[{"label": label, "value": code} for code, label in options],
        value=list(chosen) if multi else (chosen[0] if chosen else None),
        multi=multi,
        placeholder=t("incidents.any", lang),
        className="cc-filter__control",
    )


def period(control_id: str, label: str, low, high, lang: str) -> html.Div:
    """A from/to pair of local days (the control's start_date and end_date)."""
    picker = dcc.DatePickerRange(
        id=control_id,
        start_date=low.isoformat() if low else None,
        end_date=high.isoformat() if high else None,
        display_format="YYYY-MM-DD",
        start_date_placeholder_text=t("incidents.from", lang),
        end_date_placeholder_text=t("incidents.to", lang),
        clearable=True,
        minimum_nights=0,
        className="cc-filter__period",
    )
    return field(label, picker)


def head(title: str, total_id: str, export_id: str, export_href: str, lang: str) -> html.Div:
    return html.Div(
        className="cc-page__head",
        children=[
            html.H1(title),
            html.Span(id=total_id, className="cc-muted cc-list-total", **{"aria-live": "polite"}),
            html.A(
                t("incidents.export", lang),
                id=export_id,
                href=export_href,
                className="cc-button cc-button--ghost",
            ),
        ],
    )


def bad_link(message: str, lang: str, reset_href: str) -> html.Div:
    """What a link with unusable parameters shows, instead of a list or a traceback."""
    return html.Div(
        className="cc-page cc-list",
        children=html.Div(
            className="cc-alert",
            role="alert",
            children=[
                html.Strong(t("incidents.bad_link", lang)),
                html.P(message, className="cc-alert__detail"),
                html.P(
                    [
                        t("incidents.bad_link_hint", lang) + " ",
                        dcc.Link(t("incidents.start_over", lang), href=reset_href),
                    ]
                ),
            ],
        ),
    )


def buttons(apply_id: str, reset_href: str, lang: str) -> html.Div:
    return html.Div(
        className="cc-filter cc-filter--buttons",
        children=[
            html.Button(t("incidents.apply", lang), id=apply_id, className="cc-button"),
            dcc.Link(t("incidents.reset", lang), href=reset_href, className="cc-button--link"),
        ],
    )
