"""The JSON API of CONTRACT section 3: shapes, figures, errors, authentication."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common import clock
from data_access.db import make_engine
from tests.factories import apply_entries, entry, reported


@pytest.fixture
def seeded(settings):
    """Three incidents today (one closed, one overdue, one rejected) and a dispute."""
    engine = make_engine(settings.database_url)
    now = clock.now()
    local = now.astimezone(settings.tz)
    start = (local - timedelta(hours=6)).replace(tzinfo=None).isoformat(timespec="seconds")
    apply_entries(
        engine,
        [
            reported(
                "A-1",
                start,
                town="T1",
                priority="urgent",
                reporter_phone="13800001234",
                description="call me on 13912345678",
            ),
            reported("A-2", start, town="T2"),
            entry("A-2", "dispatched", start, department="D1", actor="operator 7"),
            entry("A-2", "closed", start, satisfaction=5),
            reported("A-3", start, town="T1"),
            entry("A-3", "rejected", start),
        ],
        now,
    )
    engine.dispose()
    return start


def test_health_needs_no_authentication(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"status", "redis", "sql", "stream_lag"}
    assert body["sql"] is True


@pytest.mark.parametrize("path", ["/api/v1/kpis", "/api/v1/overdue", "/api/v1/incidents/x"])
def test_api_requires_credentials(client, path):
    assert client.get(path).status_code == 401
    response = client.get(path, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert "error" in response.get_json()


def test_kpis_default_window_and_figures(client, auth_header, seeded, settings):
    body = client.get("/api/v1/kpis", headers=auth_header).get_json()
    today = clock.local_today(settings.tz)
    assert body["window"] == {
        "start": (today - timedelta(days=29)).isoformat(),
        "end": today.isoformat(),
        "tz": "Asia/Shanghai",
    }
    inc = body["incidents"]
    assert (inc["received"], inc["closed"], inc["closure_rate"]) == (2, 1, 0.5)
    assert inc["overdue_open"] == 1  # the urgent one, 4 h deadline, reported 6 h ago
    assert body["backlog"] == {
        "open": 1,
        "overdue": 1,
        "due_soon": 0,
        "overdue_unacknowledged": 1,
        "alerts": {"red": 0, "yellow": 1, "blue": 0},  # 2 h overdue, below CC_RED_HOURS
    }
    assert body["disputes"]["accepted"] == 0 and body["disputes"]["resolution_rate"] is None


def test_kpis_filters_repeat_as_any_of(client, auth_header, seeded):
    one = client.get("/api/v1/kpis?town=T1", headers=auth_header).get_json()
    both = client.get("/api/v1/kpis?town=T1&town=T2", headers=auth_header).get_json()
    assert one["incidents"]["received"] == 1
    assert both["incidents"]["received"] == 2
    assert one["backlog"]["open"] == 1


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-13-01&end=2026-12-01",
        "start=2026-11-02&end=2026-11-01",
        "start=2026-11-01",
        "start=yesterday&end=today",
        "colour=red",
    ],
)
def test_kpis_bad_parameters_are_400_with_a_message(client, auth_header, query):
    response = client.get(f"/api/v1/kpis?{query}", headers=auth_header)
    assert response.status_code == 400
    assert response.get_json()["error"]


@pytest.mark.parametrize("limit", ["0", "1001", "ten", "-1"])
def test_overdue_limit_out_of_range(client, auth_header, limit):
    response = client.get(f"/api/v1/overdue?limit={limit}", headers=auth_header)
    assert response.status_code == 400


def test_overdue_list(client, auth_header, seeded):
    body = client.get("/api/v1/overdue?limit=5", headers=auth_header).get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == "A-1"
    assert item["hours_overdue"] == pytest.approx(2.0, abs=0.05)
    assert item["reported_at"].endswith("+08:00")
    assert set(item) >= {
        "id",
        "town",
        "grid",
        "category",
        "channel",
        "department",
        "priority",
        "status",
        "reported_at",
        "deadline",
        "hours_overdue",
        "escalation_level",
    }


def test_incident_detail_masks_personal_data_and_lists_timeline(client, auth_header, seeded):
    body = client.get("/api/v1/incidents/A-1", headers=auth_header).get_json()
    assert body["incident"]["reporter_phone"] == "138****1234"
    assert "13912345678" not in str(body)
    assert [e["status"] for e in body["timeline"]] == ["reported"]
    closed = client.get("/api/v1/incidents/A-2", headers=auth_header).get_json()
    assert closed["incident"]["satisfaction"] == 5
    assert closed["incident"]["closed_at"] is not None
    assert [e["status"] for e in closed["timeline"]] == ["reported", "dispatched", "closed"]
    assert closed["timeline"][1]["actor"] == "operator 7"


def test_unknown_incident_is_404(client, auth_header):
    response = client.get("/api/v1/incidents/NOPE", headers=auth_header)
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_phone_numbers_in_chinese_text_and_actors_are_masked(client, auth_header, settings, seeded):
    """CC_API_TOKEN reads masked: numbers glued to CJK or letters, full-width, dotted,
    bracketed landlines, in the title, description, actor and notes (issue 14)."""
    engine = make_engine(settings.database_url)
    apply_entries(
        engine,
        [
            reported("A-9", seeded, title="联系电话13800001234",
                     description="联系人王先生13900001111，wx13700002222，座机(0571) 8888 8888"),
            entry("A-9", "dispatched", seeded, department="D1",
                  actor="网格员张三１３８００００５６７８", note="回电138.1234.5678"),
        ],
        clock.now(),
    )  # fmt: skip
    engine.dispose()
    body = client.get("/api/v1/incidents/A-9", headers=auth_header).get_json()
    text = str(body)
    for raw in ("0000123", "0000111", "0000222", "8888 8888", "００００５", "1234.5"):
        assert raw not in text, raw
    assert body["incident"]["title"] == "联系电话138****1234"
    assert body["timeline"][1]["actor"] == "网格员张三138****5678"
    assert body["timeline"][1]["note"] == "回电138****5678"
    assert body["timeline"][0]["id"] == "A-9"


def test_incident_detail_has_the_work_orders_facts(client, auth_header, settings):
    """Second edition: solved, merged_into, signed_at, contacted_at, returns, extensions."""
    engine = make_engine(settings.database_url)
    now = clock.now()
    local = now.astimezone(settings.tz).replace(microsecond=0)

    def ago(hours: float) -> str:
        return (local - timedelta(hours=hours)).isoformat()

    apply_entries(
        engine,
        [
            reported("W-1", ago(10)),
            entry("W-1", "dispatched", ago(9), department="D1"),
            entry("W-1", "signed", ago(8)),
            entry("W-1", "contacted", ago(7)),
            entry("W-1", "returned", ago(6), reason="not ours"),
            entry("W-1", "extended", ago(5), working_days=2),
            entry("W-1", "closed", ago(4), solved="false"),
            entry("W-1", "visited", ago(3), solved="true", satisfaction=4),
            reported("W-2", ago(10)),
            entry("W-2", "merged", ago(9), into="W-1"),
        ],
        now,
    )
    engine.dispose()
    one = client.get("/api/v1/incidents/W-1", headers=auth_header).get_json()["incident"]
    assert (one["solved"], one["satisfaction"], one["merged_into"]) == (True, 4, None)
    assert (one["signed_at"], one["contacted_at"]) == (ago(8), ago(7))
    assert (one["returns"], one["extensions"], one["status"]) == (1, 1, "closed")
    two = client.get("/api/v1/incidents/W-2", headers=auth_header).get_json()["incident"]
    assert (two["status"], two["merged_into"], two["solved"]) == ("merged", "W-1", None)
    assert (two["signed_at"], two["returns"], two["extensions"]) == (None, 0, 0)
