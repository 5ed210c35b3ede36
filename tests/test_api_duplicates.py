"""GET /api/v1/incidents/<id>/duplicates (an extension of CONTRACT section 3, issue 19):
an incident's shown candidates and the reports merged into it through a chain, on both
databases; titles masked for the API token; 404 and 401 as the API's; true to its
OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common import clock
from common.duplicates import THRESHOLD
from dashboard.openapi import document
from data_access.sla import Sla
from tests.factories import TZ, entry, reported
from tests.test_openapi import conforms, response_schema
from worker.apply import apply_events
from worker.contract import parse_entry

NOW = clock.now().replace(microsecond=0)
PLACE = {"grid": "G1", "lat": "31.9", "lon": "120.28"}
SAID = "市民来电反映：5幢附近小区垃圾未及时清运，气味很大。"
PATH = "/api/v1/incidents/{id}/duplicates"


def ts(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).astimezone(TZ).isoformat()


@pytest.fixture
def reports(engine):
    """A; B its candidate (a phone in its title); C merged into A, D into C (a chain)."""
    title = "小区垃圾未及时清运"
    entries = [
        reported("A", ts(-30), title=title, description=SAID, **PLACE),
        reported("B", ts(-2), title=f"{title}13800001234", description=SAID, **PLACE),
        reported("C", ts(-1), title=title, description=SAID, **PLACE),
        reported("D", ts(-0.5), title="噪音扰民", grid="G2"),
        entry("C", "merged", ts(-0.8), into="A"),
        entry("D", "merged", ts(-0.4), into="C"),
    ]
    events = [parse_entry(f"{i + 1}-0", e, TZ, NOW) for i, e in enumerate(entries)]
    apply_events(engine, events, Sla(), TZ, NOW, duplicates_from=THRESHOLD)


def _get(client, auth_header, incident_id: str):
    response = client.get(PATH.format(id=incident_id), headers=auth_header)
    doc = document()
    body = response.get_json()
    problems = conforms(body, response_schema(doc, PATH, response.status_code), doc)
    assert problems == [], problems
    return response.status_code, body


def test_candidates_and_merged_reports_of_an_incident(reports, client, auth_header):
    status, body = _get(client, auth_header, "A")
    assert status == 200
    assert body["incident"] == {"id": "A", "status": "reported", "merged_into": None}
    [pair] = body["candidates"]  # C is merged: its pairs are no longer shown
    assert pair["id"] == "B" and pair["earlier"] is False and pair["score"] >= THRESHOLD
    assert pair["title"] == "小区垃圾未及时清运138****1234"  # the API token sees it masked
    assert pair["distance_m"] == 0 and pair["hours"] == 28 and pair["same_caller"] is False
    assert [(m["id"], m["via"]) for m in body["merged"]] == [("C", None), ("D", "C")]
    assert body["reports"] == 3

    status, body = _get(client, auth_header, "B")
    assert [(c["id"], c["earlier"], c["status"]) for c in body["candidates"]] == [
        ("A", True, "reported")
    ]
    assert body["merged"] == [] and body["reports"] == 1

    status, body = _get(client, auth_header, "C")
    assert body["incident"] == {"id": "C", "status": "merged", "merged_into": "A"}
    assert body["candidates"] == [] and [m["id"] for m in body["merged"]] == ["D"]


def test_unknown_incident_and_stranger(reports, client, auth_header):
    status, body = _get(client, auth_header, "NOPE")
    assert status == 404 and "NOPE" in body["error"]
    assert client.get(PATH.format(id="A")).status_code == 401
