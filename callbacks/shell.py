"""The header: county name, navigation and the language switch follow the URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from dash import Input, Output, dcc, html

from callbacks.declared import Declared
from common.scope import current
from dashboard.auth import current_principal
from dashboard.calendar_notice import notice
from dashboard.components.scope_label import scope_label
from dashboard.context import catalog, settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import shell as ids

NAV = (
    ("nav.leader", "/"),
    ("nav.mediation", "/mediation"),
    ("nav.incidents", "/incidents"),
    ("nav.alerts", "/alerts"),
    ("nav.disputes", "/disputes"),
    ("nav.duplicates", "/duplicates"),
    ("nav.bulletins", "/bulletins"),
)
ADMIN_NAV = (("nav.audit", "/audit"),)  # admins only; the page refuses others itself


def lang_from_search(search: str | None, default: str) -> str:
    values = parse_qs((search or "").lstrip("?")).get("lang", [])
    return lang_or_default(values[0] if values else None, default)


def _with_lang(path: str, search: str | None, lang: str) -> str:
    query = {k: v for k, v in parse_qs((search or "").lstrip("?")).items() if k != "lang"}
    query["lang"] = [lang]
    return f"{path}?{urlencode(query, doseq=True)}"


declared = Declared()


@declared.callback(
    Output(ids.HEADER, "children"),
    Input(ids.URL, "pathname"),
    Input(ids.URL, "search"),
)
def render_header(pathname: str | None, search: str | None):
    cfg = settings()
    lang = lang_from_search(search, cfg.lang)
    other = "en" if lang == "zh" else "zh"
    return [
        html.Div(
            className="cc-header__brand",
            children=[
                html.Span(
                    scope_label(current(), catalog(), lang, cfg.county_name),
                    className="cc-header__county",
                ),
                html.Span(t("app.title", lang), className="cc-header__title"),
            ],
        ),
        html.Nav(
            className="cc-header__nav",
            children=[
                dcc.Link(t(key, lang), href=f"{href}?lang={lang}", className="cc-nav-link")
                for key, href in (*NAV, *_admin_nav())
            ],
        ),
        dcc.Link(
            t("app.lang_switch", lang),
            href=_with_lang(pathname or "/", search, other),
            className="cc-lang-switch",
            id="shell-lang-switch",
        ),
        *_admin_notices(cfg, lang),
    ]


def _admin_nav() -> tuple[tuple[str, str], ...]:
    principal = current_principal()
    return ADMIN_NAV if principal is not None and principal.role == "admin" else ()


def _admin_notices(cfg, lang: str) -> list:
    """What an admin must act on: next year's calendar missing (from 1 December)."""
    principal = current_principal()
    text = notice(cfg, lang) if principal is not None and principal.role == "admin" else None
    return [html.Div(text, className="cc-admin-notice", role="alert")] if text else []


register = declared.register  # the app factory calls register(app)
