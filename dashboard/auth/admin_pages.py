"""Pages for administrators only (the audit log): anyone else gets a 403 from the server
for the page itself, and the page's layout refuses them too (its content is built on the
server only for an admin), so hiding a link is never what protects it."""

from __future__ import annotations

from flask import request

from dashboard.auth.principal import current_principal
from dashboard.context import settings
from dashboard.i18n import lang_or_default, t

ADMIN_PATHS = frozenset({"/audit"})
ADMIN_ROLE = "admin"


def is_admin() -> bool:
    principal = current_principal()
    return principal is not None and principal.role == ADMIN_ROLE


def admins_only():
    """Flask before_request hook, after the gate (which has answered strangers already)."""
    if request.path.rstrip("/") not in ADMIN_PATHS or is_admin():
        return None
    lang = lang_or_default(request.args.get("lang"), settings().lang)
    body = f"<!doctype html><title>403</title><p>{t('audit.admins_only', lang)}</p>"
    return body, 403, {"Content-Type": "text/html; charset=utf-8"}
