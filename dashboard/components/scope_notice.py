"""What a page shows instead of itself when the caller's scope (common.scope) forbids it:
a link whose town or department filter lies outside the scope (an edited URL), or the
dispute pages for a department scope, which has no disputes (CONTRACT 2). The data layer
refuses such a filter anyway (data_access.scoping); this says so plainly, in the page."""

from __future__ import annotations

from dash import dcc, html

from common.scope import OutOfScope, current, narrow
from dashboard.i18n import t


def _values(query: dict, name: str) -> tuple[str, ...]:
    value = query.get(name) or ()
    return (value,) if isinstance(value, str) else tuple(value)


def _notice(heading: str, detail: str | None, lang: str, reset_href: str) -> html.Div:
    return html.Div(
        className="cc-page cc-scope-notice",
        children=html.Div(
            className="cc-alert",
            role="alert",
            children=[
                html.Strong(heading),
                *([html.P(detail, className="cc-alert__detail")] if detail else []),
                html.P(dcc.Link(t("scope.start_over", lang), href=reset_href)),
            ],
        ),
    )


def refused(query: dict, lang: str, path: str) -> html.Div | None:
    """The refusal a page shows for a town or department filter outside the scope."""
    try:
        narrow(current(), _values(query, "town"), _values(query, "department"))
    except OutOfScope as err:
        codes = str(err).partition(": ")[2]
        return _notice(t("scope.refused", lang, codes=codes), None, lang, f"{path}?lang={lang}")
    return None


def no_disputes(lang: str) -> html.Div | None:
    """For a department scope, what the dispute pages show instead of zeros."""
    if current().sees_disputes:
        return None
    return _notice(t("scope.no_disputes", lang), None, lang, f"/?lang={lang}")
