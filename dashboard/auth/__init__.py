"""Sign-in, roles, kiosks and API tokens (docs/security.md).

`register(app)` puts the gate in front of every route, the admin-only pages behind the
admin role, and the rate limits on the API and the exports (whose blueprints must be
registered already); pages, callbacks and the API ask `current_principal()` who is calling
and `unmask_allowed(target)` before showing personal data unmasked (which it audits);
every export calls `audit_export`; `audit_caller` records any other act of the caller,
with their scope.
"""

from __future__ import annotations

from datetime import timedelta

import dash
from werkzeug.middleware.proxy_fix import ProxyFix

from common.config import Settings
from dashboard.auth import admin_pages, api_limits
from dashboard.auth.cookies import configure_sessions
from dashboard.auth.gate import gate, leave_scope
from dashboard.auth.principal import current_principal
from dashboard.auth.views import auth_bp
from dashboard.context import engine
from data_access.audit import EXPORT_ACTION, PERSONAL_DATA_ACTION, audit

SESSION_SCRIPT = "/auth/static/session.js"


def audit_caller(action: str, target: str, detail: str = "") -> None:
    """Record an act of the request's caller: who, when, what, and with which scope."""
    principal = current_principal()
    if principal is None:
        audit(engine(), "?", action, target, detail)
        return
    audit(engine(), principal.name, action, target, detail, principal.scope)


def unmask_allowed(target: str, action: str = PERSONAL_DATA_ACTION) -> bool:
    """True when the caller's role may see `target`'s personal data; the view is audited
    (as `action`: an export of unmasked rows says so)."""
    principal = current_principal()
    if principal is None or not principal.sees_personal_data:
        return False
    audit_caller(action, target, f"role={principal.role}")
    return True


def audit_export(target: str, personal_data: bool = True) -> bool:
    """Record an export (every one is audited, masked or not); True when its personal
    data, if it holds any, may be written unmasked."""
    principal = current_principal()
    role = principal.role if principal is not None else "?"
    unmasked = personal_data and principal is not None and principal.sees_personal_data
    shown = ("unmasked" if unmasked else "masked") if personal_data else "no personal data"
    audit_caller(EXPORT_ACTION, target, f"role={role}, {shown}")
    return unmasked


def register(app: dash.Dash, cfg: Settings) -> None:
    server = app.server
    if cfg.trusted_proxies:
        hops = cfg.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    configure_sessions(server, timedelta(hours=cfg.session_idle_hours))
    server.register_blueprint(auth_bp)
    server.before_request(gate)  # and sets the caller's scope for the request
    server.before_request(admin_pages.admins_only)  # after the gate: a caller is known
    server.teardown_request(leave_scope)
    api_limits.register(server, cfg)  # after the gate: counts only the callers it let in
    app.config.external_scripts = [*app.config.external_scripts, SESSION_SCRIPT]


__all__ = ["audit_caller", "audit_export", "current_principal", "register", "unmask_allowed"]
