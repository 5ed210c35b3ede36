"""Sign-in, roles, kiosks and API tokens (docs/security.md).

`register(app)` puts the gate in front of every route and the rate limits on the API
and the exports (whose blueprints must be registered already); pages, callbacks and the API ask
`current_principal()` who is calling and `unmask_allowed(target)` before showing
personal data unmasked (which it audits).
"""

from __future__ import annotations

from datetime import timedelta

import dash
from werkzeug.middleware.proxy_fix import ProxyFix

from common.config import Settings
from dashboard.auth import api_limits
from dashboard.auth.cookies import configure_sessions
from dashboard.auth.gate import gate, leave_scope
from dashboard.auth.principal import current_principal
from dashboard.auth.views import auth_bp
from dashboard.context import engine
from data_access.audit import audit

SESSION_SCRIPT = "/auth/static/session.js"


def unmask_allowed(target: str) -> bool:
    """True when the caller's role may see `target`'s personal data; the view is audited."""
    principal = current_principal()
    if principal is None or not principal.sees_personal_data:
        return False
    audit(engine(), principal.name, "view_personal_data", target, f"role={principal.role}")
    return True


def register(app: dash.Dash, cfg: Settings) -> None:
    server = app.server
    if cfg.trusted_proxies:
        hops = cfg.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    configure_sessions(server, timedelta(hours=cfg.session_idle_hours))
    server.register_blueprint(auth_bp)
    server.before_request(gate)  # and sets the caller's scope for the request
    server.teardown_request(leave_scope)
    api_limits.register(server, cfg)  # after the gate: counts only the callers it let in
    app.config.external_scripts = [*app.config.external_scripts, SESSION_SCRIPT]


__all__ = ["current_principal", "register", "unmask_allowed"]
