"""The read-only JSON API of CONTRACT section 3, computed by data_access like the pages."""

from __future__ import annotations

import logging
from functools import wraps

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from common.clock import iso_local, local_today, now
from common.masking import mask_fields, mask_phone, mask_text
from common.vocabulary import OPEN_STATUSES
from dashboard import api_params
from dashboard.auth import current_principal, unmask_allowed
from dashboard.context import read_engine, settings
from data_access.alert_list import alert_state, alerts
from data_access.alerts import COLOURS
from data_access.duplicates import candidates_for, merge_state, merged_children
from data_access.figure_cache import shared
from data_access.incidents import incident_detail, overdue
from data_access.kpis import kpis

log = logging.getLogger(__name__)
api = Blueprint("api", __name__, url_prefix="/api/v1")

FILTER_PARAMS = {"town", "category", "channel", "department"}


def require_auth(view):
    """A caller is needed: a bearer token (CC_API_TOKEN or a person's), a signed-in
    session or a kiosk (dashboard.auth; its gate refuses first, this guards the view)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_principal() is None:
            return jsonify(error="authentication required"), 401
        return view(*args, **kwargs)

    return wrapper


@api.errorhandler(api_params.BadParameter)
def bad_parameter(err: api_params.BadParameter):
    return jsonify(error=str(err)), 400


def sql_unreachable(_err: Exception):
    """An SQL outage is the server's trouble for a while, not a bug: 503, try again."""
    log.warning("SQL unreachable on %s", request.path, exc_info=True)
    response = jsonify(error="the database cannot be reached; try again shortly")
    response.status_code = 503
    response.headers["Retry-After"] = "30"
    return response


for _unreachable in (OperationalError, InterfaceError, PoolTimeout):
    api.register_error_handler(_unreachable, sql_unreachable)


def _instants(row: dict, names: tuple[str, ...]) -> dict:
    tz = settings().tz
    return {k: iso_local(v, tz) if k in names else v for k, v in row.items()}


@api.get("/kpis")
@require_auth
def get_kpis():
    cfg, at = settings(), now()
    api_params.reject_unknown(request.args, {"start", "end", *FILTER_PARAMS})
    window = api_params.window(request.args, local_today(cfg.tz, at))
    filters = api_params.filters(request.args)
    body = shared(
        cfg, "api.kpis", [window, filters], at,
        lambda: kpis(read_engine(), window, filters, at, cfg.warn_hours, red_hours=cfg.red_hours),
    )  # fmt: skip
    window_json = {"start": window.start.isoformat(), "end": window.end.isoformat()}
    return jsonify(window={**window_json, "tz": cfg.tz_name}, **body)


@api.get("/overdue")
@require_auth
def get_overdue():
    cfg, at = settings(), now()
    api_params.reject_unknown(request.args, {"town", "department", "category", "limit"})
    total, items = overdue(
        read_engine(),
        api_params.filters(request.args),
        at,
        api_params.limit(request.args),
        red_hours=cfg.red_hours,
    )
    items = [_instants(i, ("reported_at", "deadline")) for i in items]
    return jsonify(as_of=iso_local(at, cfg.tz), total=total, items=items)


@api.get("/alerts")
@require_auth
def get_alerts():
    cfg, at = settings(), now()
    allowed = {"colour", "acknowledged", "town", "department", "category", "limit"}
    api_params.reject_unknown(request.args, allowed)
    colour = api_params.choice(request.args, "colour", COLOURS)
    total, counts, items = alerts(
        read_engine(),
        api_params.filters(request.args),
        at,
        cfg.warn_hours,
        cfg.red_hours,
        colours=(colour,) if colour else (),
        is_acknowledged=api_params.boolean(request.args, "acknowledged"),
        limit=api_params.limit(request.args),
    )
    # only a view that shows personal data asks (and, when allowed, is audited)
    personal = any(mask_text(i["acknowledged_by"]) != i["acknowledged_by"] for i in items)
    if personal and not unmask_allowed("alerts"):
        items = [{**i, "acknowledged_by": mask_text(i["acknowledged_by"])} for i in items]
    items = [_instants(i, ("reported_at", "deadline", "acknowledged_at")) for i in items]
    return jsonify(as_of=iso_local(at, cfg.tz), total=total, counts=counts, items=items)


# columns kept for the figures and the alerts, not (or not yet) part of the answer
_NOT_SHOWN = (
    "updated_at", "status_at", "reported_day", "deadline_day",
    "first_dispatch_at", "reopened", "acknowledged_at", "acknowledged_by",
)  # fmt: skip


@api.get("/incidents/<incident_id>")
@require_auth
def get_incident(incident_id: str):
    found = incident_detail(read_engine(), incident_id)
    if found is None:
        return jsonify(error=f"no incident {incident_id[:96]!r}"), 404
    state, timeline = found
    at, tz = now(), settings().tz
    if not unmask_allowed(f"incident {incident_id}"):  # audited when it is allowed
        state = {
            **state,
            "title": mask_text(state["title"]),
            "description": mask_text(state["description"]),
            "reporter_phone": mask_phone(state["reporter_phone"]),
        }
        timeline = [
            {**mask_fields({k: v for k, v in e.items() if k != "ts"}), "ts": e["ts"]}
            for e in timeline
        ]
    state["hours_overdue"] = (
        round((at - state["deadline"]).total_seconds() / 3600, 2)
        if state["status"] in OPEN_STATUSES and state["deadline"] <= at
        else 0.0
    )
    alert = alert_state(read_engine(), incident_id, at, settings().warn_hours, settings().red_hours)
    state["colour"], state["acknowledged"] = alert["colour"], alert["acknowledged"]
    for name in _NOT_SHOWN:
        state.pop(name, None)
    state = _instants(state, ("reported_at", "deadline", "closed_at", "signed_at", "contacted_at"))
    timeline = [{**e, "ts": iso_local(e["ts"], tz)} for e in timeline]
    return jsonify(incident=state, timeline=timeline)


@api.get("/incidents/<incident_id>/duplicates")
@require_auth
def get_incident_duplicates(incident_id: str):
    """An extension of CONTRACT section 3 (docs/api-extensions.md): the incident's shown
    duplicate candidates, best first, and the incidents merged into it (through chains
    too), as its page shows them; 404 as GET /incidents/<id>."""
    state = merge_state(read_engine(), incident_id)
    if state is None:
        return jsonify(error=f"no incident {incident_id[:96]!r}"), 404
    status, merged_into = state
    tz = settings().tz
    candidates = [
        {
            "id": c["other"],
            "title": c["candidate_title"] if c["later"] else c["incident_title"],
            "status": c["candidate_status"] if c["later"] else c["incident_status"],
            "earlier": c["later"],  # the other incident was reported first
            **{k: c[k] for k in ("score", "distance_m", "hours", "text", "same_caller")},
            "found_at": iso_local(c["found_at"], tz),
        }
        for c in candidates_for(read_engine(), incident_id)
    ]
    merged = [
        {"id": m["id"], "title": m["title"], "reported_at": iso_local(m["reported_at"], tz),
         "via": m["via"]}
        for m in merged_children(read_engine(), incident_id)
    ]  # fmt: skip
    titles = [r["title"] for r in candidates + merged]
    if any(mask_text(x) != x for x in titles) and not unmask_allowed(f"incident {incident_id}"):
        candidates = [{**c, "title": mask_text(c["title"])} for c in candidates]
        merged = [{**m, "title": mask_text(m["title"])} for m in merged]
    return jsonify(
        incident={"id": incident_id, "status": status, "merged_into": merged_into},
        reports=1 + len(merged),
        candidates=candidates,
        merged=merged,
    )
