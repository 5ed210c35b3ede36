"""Browser tab titles in the page's language (they were English on zh pages).

Dash's pages router asks a page's title function on the first load (the page's own GET,
whose query holds ?lang=) and on every navigation (inside its router callback, whose
inputs hold the URL's search); without either, the CC_LANG default.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import dash
from dash.exceptions import MissingCallbackContextException
from flask import has_request_context, request

from dashboard.context import settings
from dashboard.i18n import lang_or_default, t


def _search() -> str:
    try:
        inputs = dash.callback_context.inputs or {}
    except MissingCallbackContextException:
        return ""
    return next((v or "" for k, v in inputs.items() if k.endswith(".search")), "")


def page_lang() -> str:
    default = settings().lang
    if not has_request_context():
        return default
    if request.method == "GET":
        return lang_or_default(request.args.get("lang"), default)
    values = parse_qs(_search().lstrip("?")).get("lang", [None])
    return lang_or_default(values[0], default)


def tab_title(key: str) -> Callable[..., str]:
    """A register_page title: the page's name, then the product's, in the page's language."""

    def title(**_path_variables) -> str:
        lang = page_lang()
        return f"{t(key, lang)} · {t('app.title', lang)}"

    return title
