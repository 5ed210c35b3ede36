"""Limits on what a request may carry, checked before the gate and any view: a body of at
most MAX_BODY_BYTES (Flask's MAX_CONTENT_LENGTH; 413), and a query string of bounded size
and plain text (400). Hostile input then gets a message, never a 5xx from deeper down
(PostgreSQL refuses NUL bytes; a megabyte of parameters costs every parser).

Machine callers (the API, Dash's callbacks, the CSV export, the live stream) get JSON
`{"error": ...}`; a person opening a page gets the message in both languages.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

from dashboard.api_params import CONTROL_CHARS
from dashboard.i18n import t

MAX_BODY_BYTES = 1024 * 1024  # Dash's callback bodies are a few kB; sign-in forms less
MAX_QUERY_BYTES = 16 * 1024
MAX_PARAM_CHARS = 1024
MAX_PARAMS = 400  # a list page may carry a few hundred filter values
JSON_PREFIXES = ("/api/", "/_dash-", "/export/", "/live/", "/auth/ping", "/health")


def refusal(status: int, key: str, **values) -> tuple:
    if request.path.startswith(JSON_PREFIXES):
        return jsonify(error=t(key, "en", **values)), status
    text = f"{t(key, 'zh', **values)} / {t(key, 'en', **values)}"
    return text, status, {"Content-Type": "text/plain; charset=utf-8"}


def _query_problem() -> tuple[str, dict] | None:
    sizes = {"chars": MAX_PARAM_CHARS, "count": MAX_PARAMS}
    if len(request.query_string) > MAX_QUERY_BYTES:
        return "error.query_too_large", sizes
    pairs = list(request.args.items(multi=True))
    if len(pairs) > MAX_PARAMS or any(
        len(name) > MAX_PARAM_CHARS or len(value) > MAX_PARAM_CHARS for name, value in pairs
    ):
        return "error.query_too_large", sizes
    texts = [request.path, *(part for pair in pairs for part in pair)]
    if any(CONTROL_CHARS.intersection(text) for text in texts):
        return "error.control_chars", {}
    return None


def check_request():
    """Flask before_request hook: None lets the request through, else the refusal."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return refusal(413, "error.body_too_large", limit=MAX_BODY_BYTES)
    problem = _query_problem()
    return None if problem is None else refusal(400, problem[0], **problem[1])


def register(server: Flask) -> None:
    """Register before dashboard.auth's gate, so the limits hold for strangers too."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # also bodies sent without a length
    server.before_request(check_request)
    server.register_error_handler(
        413, lambda _err: refusal(413, "error.body_too_large", limit=MAX_BODY_BYTES)
    )
