"""The OpenAPI 3.1 document of the JSON API (CONTRACT section 3), at
GET /api/v1/openapi.json.

It sits behind the same gate as the API it describes (dashboard.auth: a bearer token or
a signed-in session): it holds no data, but the API is not public either, so it tells
strangers nothing. Schemas list what every answer always carries as `required`;
tests/test_openapi.py checks real answers against them.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from common.vocabulary import (
    BOOLEANS,
    DISPUTE_RATES,
    INCIDENT_STATUSES,
    OUTCOMES_SHOWN,
    PENDING,
    PRIORITIES,
    RATES,
    SATISFACTION_SCORES,
)
from dashboard.auth.cookies import SESSION_COOKIE
from data_access import work_order
from data_access.alerts import COLOURS, RED, YELLOW

openapi_bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
REPORT_NAME = r"^\d{4}-(0[1-9]|1[0-2])(\.(pdf|xlsx))?$"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _object(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


COUNT = {"type": "integer", "minimum": 0}
RATE = _nullable("number", minimum=0, maximum=1, description="null when the denominator is 0")
INSTANT = {"type": "string", "format": "date-time", "description": "ISO 8601 with CC_TZ's offset"}
CODE = {"type": "string", "description": "a code of an open set (CONTRACT 1)"}
# No parameter may hold a control character (dashboard.request_limits answers 400).
PLAIN_TEXT = "^[^\\x00-\\x1f\\x7f]*$"
# an incident id in a path: any text but control characters (a 400 names them)
ID_PARAMETER = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": PLAIN_TEXT},
}


def _rate(name: str) -> dict:
    numerator, denominator = RATES[name]
    return {**RATE, "description": f"{numerator} / {denominator}; {RATE['description']}"}


# the work order's counts and rates (second edition), in the API's order
WORK_ORDER_FIGURES = {
    name: _rate(name) if name in RATES else {**COUNT, "description": "second edition"}
    for name in work_order.SHOWN
}
INCIDENT_FIGURES = _object(
    {
        "received": COUNT,
        "closed": COUNT,
        "closure_rate": _rate("closure_rate"),
        "due": COUNT,
        "on_time": COUNT,
        "on_time_rate": _rate("on_time_rate"),
        "overdue_open": COUNT,
        "due_soon": COUNT,
        "rated": COUNT,
        "satisfied": COUNT,
        "satisfaction_rate": _rate("satisfaction_rate"),
        "median_hours_to_close": _nullable("number", minimum=0),
        **WORK_ORDER_FIGURES,
        "duplicates": {
            **COUNT,
            "description": "reported in the window and now merged (重复件); second edition",
        },
    }
)
DISPUTE_FIGURES = _object(
    {
        "accepted": COUNT,
        **dict.fromkeys(OUTCOMES_SHOWN, COUNT),
        PENDING: COUNT,
        **{name: _rate(name) for name in DISPUTE_RATES},
    }
)
LIST_ITEM = {
    "id": {"type": "string"},
    "town": CODE,
    "grid": _nullable("string"),
    "category": CODE,
    "channel": CODE,
    "department": _nullable("string"),
    "priority": {"type": "string", "enum": list(PRIORITIES)},
    "status": {"type": "string", "enum": list(INCIDENT_STATUSES)},
    "reported_at": INSTANT,
    "deadline": INSTANT,
    "hours_overdue": {"type": "number"},
    "escalation_level": COUNT,
}
ACKNOWLEDGED = {
    "type": "boolean",
    "description": "an acknowledged event at or after the deadline in force",
}
OVERDUE_ITEM = _object(
    {
        **LIST_ITEM,
        "colour": {"type": "string", "enum": [RED, YELLOW]},
        "acknowledged": ACKNOWLEDGED,
    }
)
ALERT_ITEM = _object(
    {
        **LIST_ITEM,
        "hours_overdue": {"type": "number", "minimum": 0, "description": "0 when not overdue"},
        "colour": {"type": "string", "enum": list(COLOURS)},
        "acknowledged": ACKNOWLEDGED,
        "acknowledged_at": _nullable(
            "string",
            format="date-time",
            description="ts of the first acknowledged event at or after the deadline in force",
        ),
        "acknowledged_by": _nullable(
            "string", description="its actor; phone-like text masked unless allowed"
        ),
    }
)
COLOUR_COUNTS = _object(dict.fromkeys(COLOURS, COUNT))
INCIDENT = _object(
    {
        **LIST_ITEM,
        "closed_at": _nullable("string", format="date-time"),
        "satisfaction": _nullable(
            "integer", minimum=int(SATISFACTION_SCORES[0]), maximum=int(SATISFACTION_SCORES[-1])
        ),
        "lat": _nullable("number"),
        "lon": _nullable("number"),
        "title": _nullable("string", description="phone-like text masked unless allowed"),
        "description": _nullable("string", description="phone-like text masked unless allowed"),
        "reporter_phone": _nullable("string", description="masked, e.g. 138****1234"),
        "solved": _nullable("boolean", description="the latest given on closed or visited"),
        "merged_into": _nullable("string", description="while the status is merged"),
        "signed_at": _nullable(
            "string", format="date-time", description="the first signed after the first dispatch"
        ),
        "contacted_at": _nullable(
            "string", format="date-time", description="the first contacted after the first dispatch"
        ),
        "returns": {**COUNT, "description": "how many returned events"},
        "extensions": {**COUNT, "description": "how many extended events moved the deadline"},
        "colour": _nullable("string", enum=[*COLOURS, None], description="null: no alert"),
        "acknowledged": ACKNOWLEDGED,
    }
)
TIMELINE_EVENT = _object(
    {
        "event_id": {"type": "string"},
        "entity": {"type": "string", "enum": ["incident"]},
        "id": {"type": "string"},
        "status": {"type": "string"},
        "ts": INSTANT,
    },
    additionalProperties={"type": "string"},
    description="Every field of the applied event as sent (personal data masked).",
)

DUPLICATE_CANDIDATE = _object(
    {
        "id": {"type": "string", "description": "the other incident"},
        "title": _nullable("string", description="its title; phone-like text masked"),
        "status": {"type": "string", "enum": list(INCIDENT_STATUSES)},
        "earlier": {"type": "boolean", "description": "the other incident was reported first"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "distance_m": _nullable("number", minimum=0, description="null: a point missing"),
        "hours": {"type": "number", "minimum": 0, "description": "hours between the reports"},
        "text": {"type": "number", "minimum": 0, "maximum": 1, "description": "text alike"},
        "same_caller": {"type": "boolean"},
        "found_at": INSTANT,
    },
    description="A pair ingest found at or above the threshold staff see, not dismissed, "
    "neither side merged nor rejected.",
)
MERGED_REPORT = _object(
    {
        "id": {"type": "string"},
        "title": _nullable("string", description="phone-like text masked unless allowed"),
        "reported_at": INSTANT,
        "via": _nullable("string", description="merged into this one through that incident"),
    }
)
DUPLICATES = _object(
    {
        "incident": _object(
            {
                "id": {"type": "string"},
                "status": {"type": "string", "enum": list(INCIDENT_STATUSES)},
                "merged_into": _nullable("string"),
            }
        ),
        "reports": {"type": "integer", "minimum": 1, "description": "1 + merged reports"},
        "candidates": {"type": "array", "items": _ref("DuplicateCandidate")},
        "merged": {"type": "array", "items": _ref("MergedReport")},
    },
    description="An extension of CONTRACT section 3 (docs/api-extensions.md).",
)

POINTS = {"type": "number", "minimum": 0}
BULLETIN_UNIT = _object(
    {
        "code": CODE,
        "name_zh": {"type": "string"},
        "name_en": {"type": "string"},
        "received": COUNT,
        "score": POINTS,
        "rank": _nullable("integer", minimum=1, description="null when not ranked"),
        "ranked": {"type": "boolean"},
        "metrics": {
            "type": "object",
            "description": "each scored rate: its value, points and weight",
            "additionalProperties": _object({"value": RATE, "points": POINTS, "weight": POINTS}),
        },
        "reasons": {
            "type": "array",
            "items": _object({"metric": {"type": "string"}, "value": RATE, "points_lost": POINTS}),
        },
    }
)
BULLETIN_KINDS = ("town", "department")
SCHEMAS = {
    "Error": _object({"error": {"type": "string"}}),
    "ReportList": {
        "type": "array",
        "items": _object(
            {
                "month": {"type": "string"},
                "generated_at": INSTANT,
                "generated_by": {"type": "string"},
            }
        ),
    },
    "Report": _object(
        {
            "month": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"},
            "generated_at": INSTANT,
            "window": _ref("Window"),
            **{kind: {"type": "array", "items": BULLETIN_UNIT} for kind in BULLETIN_KINDS},
            "bottom": _object({kind: {"type": "array", "items": CODE} for kind in BULLETIN_KINDS}),
        }
    ),
    "Window": _object(
        {
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "tz": {"type": "string", "examples": ["Asia/Shanghai"]},
        }
    ),
    "IncidentFigures": INCIDENT_FIGURES,
    "DisputeFigures": DISPUTE_FIGURES,
    "Backlog": _object(
        {
            "open": COUNT,
            "overdue": COUNT,
            "due_soon": COUNT,
            "overdue_unacknowledged": COUNT,
            "alerts": _ref("AlertCounts"),
        }
    ),
    "AlertCounts": COLOUR_COUNTS,
    "Kpis": _object(
        {
            "window": _ref("Window"),
            "incidents": _ref("IncidentFigures"),
            "disputes": _ref("DisputeFigures"),
            "backlog": _ref("Backlog"),
        }
    ),
    "OverdueItem": OVERDUE_ITEM,
    "Overdue": _object(
        {
            "as_of": INSTANT,
            "total": COUNT,
            "items": {"type": "array", "items": _ref("OverdueItem")},
        }
    ),
    "AlertItem": ALERT_ITEM,
    "Alerts": _object(
        {
            "as_of": INSTANT,
            "total": COUNT,
            "counts": _ref("AlertCounts"),
            "items": {"type": "array", "items": _ref("AlertItem")},
        }
    ),
    "Incident": INCIDENT,
    "TimelineEvent": TIMELINE_EVENT,
    "IncidentDetail": _object(
        {
            "incident": _ref("Incident"),
            "timeline": {"type": "array", "items": _ref("TimelineEvent")},
        }
    ),
    "DuplicateCandidate": DUPLICATE_CANDIDATE,
    "MergedReport": MERGED_REPORT,
    "Duplicates": DUPLICATES,
    "Health": _object(
        {
            "status": {"type": "string", "enum": ["ok", "degraded"]},
            "redis": {"type": "boolean"},
            "sql": {"type": "boolean"},
            "stream_lag": _nullable("integer"),
            "calendar": {
                "type": ["object", "null"],
                "description": "The working-day calendar; null when CC_CALENDAR is unreadable",
                "properties": {
                    "known_until": {"type": "string", "format": "date"},
                    "missing_next_year": {
                        "type": "boolean",
                        "description": "From 1 December: next year's calendar is unknown",
                    },
                },
                "required": ["known_until", "missing_next_year"],
            },
        }
    ),
}


def _filter(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{what}; repeat the parameter for any of several",
        "schema": {
            "type": "array",
            "items": {"type": "string", "maxLength": 64, "pattern": PLAIN_TEXT},
            "maxItems": 50,
        },
        "style": "form",
        "explode": True,
    }


def _choice(name: str, values: list[str], what: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{what}; at most once",
        "schema": {"type": "string", "enum": values},
    }


LIMIT = {
    "name": "limit",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
}


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


ERRORS = {
    "400": _json(
        "Error",
        "A bad parameter: an unknown name, a bad date or one outside 1900-01-01..2999-12-31, "
        "start after end, a control character, a value too long",
    ),
    "401": _json("Error", "No valid credentials"),
}
# the endpoints that take a town or department filter (CONTRACT 3, Scopes in the API)
FILTER_ERRORS = {
    **ERRORS,
    "403": _json("Error", "A town or department filter outside the caller's scope"),
}


def document() -> dict:
    """The whole OpenAPI document (plain data, so tests can read it without a server)."""
    date = {"type": "string", "format": "date", "description": "from 1900-01-01 to 2999-12-31"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Command Centre JSON API",
            "version": "1",
            "description": "Read-only figures and incidents (CONTRACT section 3). Figures "
            "follow CONTRACT section 2; a rate whose denominator is 0 is null.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/kpis": {
                "get": {
                    "summary": "Incident, dispute and backlog figures of a window of local days",
                    "parameters": [
                        {
                            "name": "start",
                            "in": "query",
                            "schema": date,
                            "description": "first local day; give both or neither "
                            "(neither: the last 30 days up to today)",
                        },
                        {"name": "end", "in": "query", "schema": date, "description": "last day"},
                        _filter("town", "towns (the only filter that narrows disputes)"),
                        _filter("category", "incident categories"),
                        _filter("channel", "intake channels"),
                        _filter("department", "departments"),
                    ],
                    "responses": {"200": _json("Kpis", "The figures"), **FILTER_ERRORS},
                }
            },
            "/api/v1/overdue": {
                "get": {
                    "summary": "Open incidents past their deadline, most overdue first",
                    "parameters": [
                        _filter("town", "towns"),
                        _filter("department", "departments"),
                        _filter("category", "incident categories"),
                        LIMIT,
                    ],
                    "responses": {
                        "200": _json("Overdue", "total counts every match; items at most limit"),
                        **FILTER_ERRORS,
                    },
                }
            },
            "/api/v1/alerts": {
                "get": {
                    "summary": "Open incidents with an alert colour: red, then yellow, then "
                    "blue; within a colour the earliest deadline first",
                    "parameters": [
                        _choice("colour", list(COLOURS), "only this colour"),
                        _choice(
                            "acknowledged",
                            list(BOOLEANS),
                            "only those acknowledged (true) or not (false)",
                        ),
                        _filter("town", "towns"),
                        _filter("department", "departments"),
                        _filter("category", "incident categories"),
                        LIMIT,
                    ],
                    "responses": {
                        "200": _json(
                            "Alerts",
                            "total counts every match; counts, every match of the filters "
                            "but colour; items at most limit",
                        ),
                        **FILTER_ERRORS,
                    },
                }
            },
            "/api/v1/incidents/{id}": {
                "get": {
                    "summary": "One incident's current state and its timeline, oldest first",
                    "parameters": [ID_PARAMETER],
                    "responses": {
                        "200": _json("IncidentDetail", "The incident"),
                        "400": _json("Error", "A control character in the id"),
                        "401": ERRORS["401"],
                        "404": _json("Error", "Unknown id (or its creating event not arrived)"),
                    },
                }
            },
            "/api/v1/incidents/{id}/duplicates": {
                "get": {
                    "summary": "An incident's possible duplicates (best first) and the "
                    "reports merged into it; an extension of CONTRACT section 3",
                    "parameters": [ID_PARAMETER],
                    "responses": {
                        "200": _json("Duplicates", "Its candidates and merged reports"),
                        "400": _json("Error", "A control character in the id"),
                        "401": ERRORS["401"],
                        "404": _json("Error", "Unknown id (or its creating event not arrived)"),
                    },
                }
            },
            "/api/v1/reports": {
                "get": {
                    "summary": "The monthly bulletins kept: newest month first, within a "
                    "month the newest generation first",
                    "responses": {"200": _json("ReportList", "Every generation"), **ERRORS},
                }
            },
            "/api/v1/reports/{name}": {
                "get": {
                    "summary": "A month's bulletin (its latest generation): YYYY-MM as JSON, "
                    "YYYY-MM.pdf printable (A4, with charts), YYYY-MM.xlsx a workbook",
                    "parameters": [
                        {
                            "name": "name",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": REPORT_NAME},
                            "description": "YYYY-MM, YYYY-MM.pdf or YYYY-MM.xlsx",
                        },
                        {
                            "name": "lang",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["zh", "en"]},
                            "description": "the PDF's and workbook's language (default zh)",
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The bulletin",
                            "content": {
                                "application/json": {"schema": _ref("Report")},
                                "application/pdf": {},
                                XLSX_TYPE: {},
                            },
                        },
                        **ERRORS,
                        "404": _json("Error", "No bulletin kept for the month"),
                        "503": _json("Error", "The PDF cannot be printed on this host"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "401": ERRORS["401"],
                    },
                }
            },
            "/health": {
                "get": {
                    "summary": "Liveness of the web tier and its stores",
                    "security": [],
                    "responses": {"200": _json("Health", "Always 200 while the web tier works")},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "CC_API_TOKEN or a person's API token",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
            },
        },
    }


@openapi_bp.get("/openapi.json")
def get_openapi():
    return jsonify(document())
