"""The shape of a Dash callback request, checked before Dash reads it: Dash indexes the
body as its own renderer builds it, so a hand-made body (`{}`, a list, an unknown output,
too few inputs) raised KeyError or IndexError there, a 500. Errors inside a callback
are the app's on_error's; this only refuses bodies no renderer sends, with a JSON 400."""

from __future__ import annotations

import dash
from flask import jsonify, request

CALLBACK_PATH = "/_dash-update-component"


def _is_prop(item) -> bool:
    return isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)


def _props(items) -> bool:
    """A list of {id, property, value?}, or of such lists (pattern-matching ids)."""
    return isinstance(items, list) and all(
        _is_prop(item) or (isinstance(item, list) and all(map(_is_prop, item))) for item in items
    )


def problem(body, callback_map: dict) -> str | None:
    """Why `body` cannot be a callback request of this app, or None."""
    if not isinstance(body, dict):
        return "a callback request is a JSON object"
    callback = callback_map.get(body.get("output")) if isinstance(body.get("output"), str) else None
    if callback is None:
        return "no such callback output"
    inputs, state = body.get("inputs", []), body.get("state", [])
    if not (_props(inputs) and _props(state)):
        return "inputs and state are lists of {id, property, value}"
    if len(inputs) != len(callback["inputs"]) or len(state) != len(callback["state"]):
        return "inputs or state do not match the callback"
    outputs = body.get("outputs", [])
    if not (_is_prop(outputs) or _props(outputs)):
        return "outputs are {id, property} or a list of them"
    changed = body.get("changedPropIds", [])
    if not (isinstance(changed, list) and all(isinstance(c, str) for c in changed)):
        return "changedPropIds is a list of strings"
    return None


def register(app: dash.Dash) -> None:
    @app.server.before_request
    def check_callback_request():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        reason = problem(request.get_json(silent=True), app.callback_map)
        return None if reason is None else (jsonify(error=f"bad callback request: {reason}"), 400)
