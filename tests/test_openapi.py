"""The OpenAPI document: well formed, complete, and true to the API's real answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common import clock
from dashboard.openapi import document
from data_access.db import make_engine
from tests.factories import accepted, apply_entries, entry, reported

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def conforms(value, schema: dict, doc: dict, path: str = "$") -> list[str]:
    """Problems of `value` against a schema: types, required fields, enums, items."""
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if kinds and not any(
        isinstance(value, TYPES[k]) and not (k in ("integer", "number") and value is True)
        for k in kinds
    ):
        return [f"{path}: {value!r} is not {kinds}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        missing = set(schema.get("required", ())) - set(value)
        problems += [f"{path}: missing {name}" for name in sorted(missing)]
        for name, item in value.items():
            sub = schema.get("properties", {}).get(name) or schema.get("additionalProperties")
            if isinstance(sub, dict):
                problems += conforms(item, sub, doc, f"{path}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += conforms(item, schema["items"], doc, f"{path}[{i}]")
    return problems


def response_schema(doc: dict, path: str, status: int) -> dict:
    answer = doc["paths"][path]["get"]["responses"][str(status)]
    return answer["content"]["application/json"]["schema"]


def test_document_covers_every_api_route_and_its_errors(app):
    doc = document()
    assert doc["openapi"].startswith("3.")
    api_rules = {
        r.rule.replace("<incident_id>", "{id}").replace("<name>", "{name}")
        for r in app.server.url_map.iter_rules()
        if r.rule.startswith("/api/") and not r.endpoint.startswith("unknown_api.")
    }
    assert api_rules == {p for p in doc["paths"] if p.startswith("/api/")}
    for path, item in doc["paths"].items():
        responses = item["get"]["responses"]
        assert "200" in responses
        if path != "/health":
            assert "401" in responses
    kpi_params = {p["name"] for p in doc["paths"]["/api/v1/kpis"]["get"]["parameters"]}
    assert kpi_params == {"start", "end", "town", "category", "channel", "department"}
    assert "404" in doc["paths"]["/api/v1/incidents/{id}"]["get"]["responses"]
    for path in ("/api/v1/kpis", "/api/v1/overdue", "/api/v1/alerts"):  # scopes
        assert "403" in doc["paths"][path]["get"]["responses"]


def test_openapi_json_is_served_to_callers_and_refused_to_strangers(client, auth_header):
    assert client.get("/api/v1/openapi.json").status_code == 401
    response = client.get("/api/v1/openapi.json", headers=auth_header)
    assert response.status_code == 200
    assert response.get_json() == document()


@pytest.fixture
def history(settings):
    engine = make_engine(settings.database_url)
    now = clock.now()
    start = (now.astimezone(settings.tz) - timedelta(hours=6)).replace(tzinfo=None)
    ts = start.isoformat(timespec="seconds")
    apply_entries(
        engine,
        [
            reported(
                "I-1", ts, priority="urgent", reporter_phone="13800001234", lat=31.9, lon=120.2
            ),
            entry("I-1", "dispatched", ts, department="D1", actor="operator 7"),
            entry("I-1", "escalated", ts, level=2),
            entry("I-1", "acknowledged", (start + timedelta(hours=5)).isoformat(), actor="duty"),
            reported("I-2", ts, grid="G1"),
            entry("I-2", "closed", ts, satisfaction=4),
            accepted("D-1", ts),
        ],
        now,
    )
    engine.dispose()


REQUESTS = [
    ("/api/v1/kpis", "/api/v1/kpis", 200),
    ("/api/v1/kpis?town=T1&town=T2&category=sanitation", "/api/v1/kpis", 200),
    ("/api/v1/overdue?limit=5", "/api/v1/overdue", 200),
    ("/api/v1/alerts", "/api/v1/alerts", 200),
    ("/api/v1/alerts?colour=blue&acknowledged=false&limit=3", "/api/v1/alerts", 200),
    ("/api/v1/alerts?colour=green", "/api/v1/alerts", 400),
    ("/api/v1/incidents/I-1", "/api/v1/incidents/{id}", 200),
    ("/api/v1/incidents/I-2", "/api/v1/incidents/{id}", 200),
    ("/api/v1/kpis?start=2026-13-01&end=2026-12-01", "/api/v1/kpis", 400),
    ("/api/v1/overdue?limit=0", "/api/v1/overdue", 400),
    ("/api/v1/incidents/NOPE", "/api/v1/incidents/{id}", 404),
    ("/health", "/health", 200),
]


def test_real_answers_match_their_schemas(client, auth_header, history):
    doc = document()
    for url, path, status in REQUESTS:
        response = client.get(url, headers=auth_header)
        assert response.status_code == status, url
        body = response.get_json()
        assert conforms(body, response_schema(doc, path, status), doc) == [], url
    overdue = client.get("/api/v1/overdue", headers=auth_header).get_json()
    assert overdue["items"], "the fixture's urgent incident is overdue"
    alerts = client.get("/api/v1/alerts", headers=auth_header).get_json()
    assert alerts["items"][0]["acknowledged_at"], "the fixture's alert is acknowledged"


def test_unauthenticated_answer_matches_the_error_schema(client):
    doc = document()
    response = client.get("/api/v1/kpis")
    assert response.status_code == 401
    assert conforms(response.get_json(), response_schema(doc, "/api/v1/kpis", 401), doc) == []


def test_validator_notices_missing_and_mistyped_fields():
    doc = document()
    schema = response_schema(doc, "/api/v1/kpis", 200)
    assert conforms({"window": {}}, schema, doc)
    bad = {"error": 3}
    assert conforms(bad, response_schema(doc, "/api/v1/kpis", 400), doc)
