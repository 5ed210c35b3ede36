"""The web tier: `create_app()` builds the Dash app; nothing happens at import time.

Backend: Dash's Flask backend (see docs/architecture.md for why): pages are served by
gunicorn's threaded workers, live pages are pushed a version number over Server-Sent
Events and then fetch their data through ordinary callbacks.
"""

from __future__ import annotations

import logging

import dash
from flask import Flask, jsonify, request

from common.config import PROJECT_ROOT, Settings, load_settings
from common.scope import OutOfScope

log = logging.getLogger(__name__)


def _register_errors(server: Flask) -> None:
    """No traceback ever reaches a user: JSON for the API, a plain message elsewhere."""

    @server.errorhandler(404)
    def not_found(_err):
        if request.path.startswith("/api/"):
            return jsonify(error="not found"), 404
        return "Not found / 页面不存在", 404

    @server.errorhandler(OutOfScope)
    def out_of_scope(err: OutOfScope):
        """A filter outside the caller's scope (CONTRACT 3: 403), from any route or a
        callback (a forged payload: the pages never offer such a filter)."""
        if request.path.startswith(("/api/", "/_dash", "/export")):
            return jsonify(error=str(err)), 403
        return f"{err} / 超出您的数据范围", 403

    @server.errorhandler(Exception)
    def internal(err):
        code = getattr(err, "code", 500)
        if not isinstance(code, int) or code < 400:
            code = 500
        if code == 500:
            log.exception("unhandled error on %s", request.path)
        message = "internal error" if code == 500 else getattr(err, "description", "error")
        if request.path.startswith("/api/") or request.path.startswith("/_dash"):
            return jsonify(error=message), code
        return f"{message} / 服务器错误", code


def _on_callback_error(err: Exception) -> None:
    if isinstance(err, OutOfScope):
        raise err  # the caller's to see: a 403 with its reason (_register_errors)
    log.exception("callback failed", exc_info=err)


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or load_settings()
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PROJECT_ROOT / "dashboard" / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        title="Command Centre",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        on_error=_on_callback_error,
        compress=False,
    )
    server: Flask = app.server
    server.config.update(CC_SETTINGS=settings, SECRET_KEY=settings.secret_key)

    import callbacks
    from dashboard import (
        auth,
        callback_requests,
        compression,
        request_limits,
        security,
        unknown_paths,
        wall_prebuild,
        wall_share,
    )
    from dashboard.api import api
    from dashboard.api_reports import reports_bp
    from dashboard.export import export_bp
    from dashboard.health_route import health_bp
    from dashboard.live_push import live_bp
    from dashboard.openapi import openapi_bp
    from dashboard.shell import shell_layout

    app.layout = shell_layout
    callbacks.register(app)
    server.register_blueprint(api)
    server.register_blueprint(reports_bp)
    server.register_blueprint(health_bp)
    server.register_blueprint(openapi_bp)
    server.register_blueprint(live_bp)
    server.register_blueprint(export_bp)
    _register_errors(server)
    request_limits.register(server)  # before the gate, so its limits hold for strangers
    unknown_paths.register(server)
    auth.register(app, settings)  # the gate in front of every route but /health and static
    callback_requests.register(app)  # after the gate, before the wall's hooks read bodies
    wall_prebuild.register(server)  # after the gate, before wall_share (see there)
    wall_share.register(server)  # after the gate: answers only signed-in callers
    security.register_security_headers(app)
    compression.register(server)  # compressed, long-cached assets; never the SSE stream
    return app
