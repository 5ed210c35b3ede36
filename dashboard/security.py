"""Security headers on every response, whatever produced it (page, API, static file,
error). The Content-Security-Policy lets scripts run only from this site plus Dash's own
inline scripts, allowed by their SHA-256 (Dash.csp_hashes(); recomputed per response, which
costs microseconds, because Dash adds inline scripts of its own when it first serves a
page); styles may be inline, which Plotly and Dash's style props need.
"""

from __future__ import annotations

import dash
from flask import Flask, Response, request

from dashboard.auth.static_paths import is_static

HSTS = "max-age=31536000"


def content_security_policy(script_hashes: list[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def register_security_headers(app: dash.Dash) -> None:
    server: Flask = app.server

    @server.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(app.csp_hashes())
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        if not is_static(request.path) and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"  # may hold personal data
        return response
