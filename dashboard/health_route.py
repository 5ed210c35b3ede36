"""GET /health (no authentication): CONTRACT section 3."""

from __future__ import annotations

from flask import Blueprint, jsonify

from dashboard.context import settings
from data_access.health import health

health_bp = Blueprint("health", __name__)


@health_bp.get("/health")
def get_health():
    return jsonify(health(settings())), 200
