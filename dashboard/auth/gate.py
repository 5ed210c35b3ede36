"""The one door: every request but /health, the sign-in and pairing pages and static
files needs a caller (dashboard.auth.principal), and every state-changing request must
come from this site's own pages (CSRF).

CSRF: cookies are SameSite=Lax, so other sites' POSTs carry no credential; on top, a
POST/PUT/PATCH/DELETE is refused unless its Origin (or, without one, its Referer) names
this host. Browsers send Origin with every POST, including Dash's callback fetches.

Scope: once the gate admits a caller, the rest of the request runs under the caller's
scope (common.scope), which the data layer reads wherever it touches incidents or
disputes (data_access.scoping); `leave_scope` resets it at teardown. Public paths run
under none, so a public route that reads cases fails loudly instead of seeing the county.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import g, jsonify, redirect, request

from common import scope
from dashboard.auth.principal import current_principal
from dashboard.auth.recheck import StoreUnavailable
from dashboard.auth.static_paths import is_static

PUBLIC_PATHS = frozenset({"/health", "/auth/login", "/kiosk/pair", "/favicon.ico"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Requests made by scripts, not by a person opening a page: they get 401, not a redirect.
MACHINE_PREFIXES = ("/api/", "/_dash-", "/live/", "/auth/ping")


def same_origin() -> bool:
    """Origin/Referer names the host this request was sent to (scheme aside: a proxy may
    end TLS in front of us)."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(source) and urlsplit(source).netloc == request.host


def _deny():
    if request.method == "GET" and not request.path.startswith(MACHINE_PREFIXES):
        return redirect("/auth/login?" + urlencode({"next": request.full_path.rstrip("?")}))
    response = jsonify(error="authentication required")
    response.status_code = 401
    if request.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def gate():
    """Flask before_request hook: None lets the request through, else the refusal."""
    if request.method not in SAFE_METHODS and not same_origin():
        return jsonify(error="cross-site request refused"), 403
    if request.path in PUBLIC_PATHS or is_static(request.path):
        return None
    try:
        principal = current_principal()
    except StoreUnavailable:
        return jsonify(error="credentials cannot be checked right now"), 503
    if principal is None:
        return _deny()
    g.scope_token = scope.enter(principal.scope)
    return None


def leave_scope(_exc: BaseException | None) -> None:
    """Flask teardown_request hook: the request's scope ends with it."""
    token = g.pop("scope_token", None)
    if token is not None:
        scope.leave(token)
