"""404s where Dash would answer otherwise: its pages' catch-all route serves the page
shell for any path, so an unknown /api/ path would get HTML with a 200, and an unknown
file under /_dash-component-suites/ raises Dash's DependencyException (a 500)."""

from __future__ import annotations

from dash.exceptions import DependencyException
from flask import Blueprint, Flask, jsonify

from dashboard.i18n import t

unknown_api_bp = Blueprint("unknown_api", __name__)


@unknown_api_bp.route("/api/")
@unknown_api_bp.route("/api/<path:_rest>")
def unknown_api_path(_rest: str = ""):
    """Below the real routes in Werkzeug's order (they are more specific), above Dash's."""
    return jsonify(error="no such API path; see /api/v1/openapi.json"), 404


def _missing_asset(_err: DependencyException):
    text = f"{t('error.not_found', 'zh')} / {t('error.not_found', 'en')}"
    return text, 404, {"Content-Type": "text/plain; charset=utf-8"}


def register(server: Flask) -> None:
    server.register_blueprint(unknown_api_bp)
    server.register_error_handler(DependencyException, _missing_asset)
