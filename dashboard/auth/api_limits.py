"""Rate limits on the JSON API and the CSV exports, per caller (a person, an API token or
a kiosk, never an address: a whole office shares one), counted in Redis so they hold
across workers and hosts (Flask-Limiter, sliding window).

Only the blueprints under /api/v1 and /export are limited: pages, Dash callbacks, the
live stream and the session ping, which a wall asks for all day, never are. A caller
over a limit gets 429 with JSON and Retry-After. If Redis is down each worker counts on
its own (in memory) rather than refusing or letting everything through.
"""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask_limiter import Limiter

from common.config import Settings
from dashboard.auth.principal import current_principal
from dashboard.auth.recheck import StoreUnavailable
from data_access.redis_client import get_redis

API_BLUEPRINTS = ("api", "openapi", "reports")  # all under /api/v1
EXPORT_BLUEPRINTS = ("export",)


def caller_key() -> str:
    """Who is counted: the principal's kind and name (the gate has let only callers in)."""
    try:
        principal = current_principal()
    except StoreUnavailable:
        principal = None
    if principal is None:
        return f"address:{request.remote_addr}"
    return f"{principal.kind}:{principal.name}"


def _too_many(err):
    response = jsonify(error=f"too many requests: at most {err.description}; try again later")
    response.status_code = 429
    return response


def register(server: Flask, cfg: Settings) -> Limiter:
    """Limit the API and export blueprints already registered on `server`; call after the
    gate, so only callers it let in are counted."""
    limiter = Limiter(
        caller_key,
        app=server,
        storage_uri="redis://",
        storage_options={
            "connection_pool": get_redis(cfg).connection_pool,
            "key_prefix": cfg.key("ratelimit"),  # under CC_STREAM_PREFIX like every key
        },
        strategy="sliding-window-counter",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    api_limit = limiter.shared_limit(cfg.rate_limit_api, scope="api")
    export_limit = limiter.shared_limit(cfg.rate_limit_export, scope="export")
    for name in API_BLUEPRINTS:
        api_limit(server.blueprints[name])
    for name in EXPORT_BLUEPRINTS:
        export_limit(server.blueprints[name])
    server.register_error_handler(429, _too_many)
    return limiter
