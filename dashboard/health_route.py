"""GET /health (no authentication): CONTRACT section 3."""

from __future__ import annotations

from data_access.health import health
from flask import Blueprint, jsonify

from dashboard.context import settings

health_bp = Blueprint("health", __name__)


@health_bp.get("/health")
def get_health():
    return jsonify(health(settings())), 200
