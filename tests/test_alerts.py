"""Alert colours (CONTRACT 2, Alerts) and GET /api/v1/alerts, the overdue list's colour
and acknowledgement, and the backlog's alert counts (CONTRACT 3), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data_access.alert_list import alert_state, alerts
from data_access.db import make_engine
from data_access.kpis import Filters, backlog
from tests.factories import apply_entries, entry, reported

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
WARN, RED = 24.0, 24.0
SECOND = timedelta(seconds=1)


def iso(instant: datetime) -> str:
    return instant.isoformat()


def hours(n: float) -> datetime:
    return NOW + timedelta(hours=n)


# id: (deadline, the colour as of NOW with 24 h horizon and 24 h to red)
DEADLINES = {
    "R-old": (hours(-48), "red"),
    "R-edge": (hours(-RED), "red"),  # overdue by exactly CC_RED_HOURS
    "Y-late": (hours(-RED) + SECOND, "yellow"),
    "Y-early": (hours(-3), "yellow"),  # acknowledged before its deadline: not counted
    "Y-ack": (hours(-2), "yellow"),  # acknowledged after its deadline
    "Y-reopened": (hours(-1), "yellow"),  # acknowledged, then a later deadline came
    "Y-edge": (NOW, "yellow"),  # due exactly now: overdue
    "B-soon": (hours(1), "blue"),
    "B-edge": (hours(WARN), "blue"),  # due exactly at the warning horizon
    "N-far": (hours(WARN) + SECOND, None),
    "L2": (hours(100), "red"),  # escalation level 2, not overdue
    "L1": (hours(100), None),  # level 1 only
    "C-closed": (hours(-48), None),  # not open
}
ORDER = [
    "R-old", "R-edge", "L2",
    "Y-late", "Y-early", "Y-ack", "Y-reopened", "Y-edge",
    "B-soon", "B-edge",
]  # fmt: skip


def _entries() -> list[dict]:
    start = iso(hours(-200))
    out = []
    for ident, (deadline, _colour) in DEADLINES.items():
        town = "T2" if ident.startswith("B") else "T1"
        if ident == "Y-reopened":
            out.append(reported(ident, start, town=town, deadline=iso(hours(-10))))
        else:
            out.append(reported(ident, start, town=town, deadline=iso(deadline)))
    out += [
        entry("L2", "escalated", iso(hours(-1)), level=2),
        entry("L1", "escalated", iso(hours(-1)), level=1),
        entry("C-closed", "closed", iso(hours(-30))),
        entry("Y-early", "acknowledged", iso(hours(-5)), actor="too early"),
        entry("Y-ack", "acknowledged", iso(hours(-1)), actor="duty 13912345678"),
        entry("Y-reopened", "acknowledged", iso(hours(-9)), actor="duty"),
        entry("Y-reopened", "closed", iso(hours(-8))),
        entry("Y-reopened", "reopened", iso(hours(-7)), deadline=iso(hours(-1))),
    ]
    return out


@pytest.fixture
def county(engine):
    apply_entries(engine, _entries(), NOW)
    return engine


def _colours(engine, now: datetime, red_hours: float = RED) -> dict[str, str]:
    _total, _counts, items = alerts(engine, Filters(), now, WARN, red_hours, limit=1000)
    return {i["id"]: i["colour"] for i in items}


def test_colours_at_the_exact_boundaries(county):
    expected = {k: colour for k, (_d, colour) in DEADLINES.items() if colour}
    assert _colours(county, NOW) == expected


def test_colours_change_with_time_alone(county):
    later = _colours(county, NOW + SECOND)
    assert later["Y-late"] == "red"  # now overdue by 24 h
    assert later["N-far"] == "blue"  # now due exactly at the horizon
    assert later["Y-edge"] == "yellow"
    assert _colours(county, NOW, red_hours=48)["R-edge"] == "yellow"  # CC_RED_HOURS honoured


def test_order_red_then_yellow_then_blue_earliest_deadline_first(county):
    total, counts, items = alerts(county, Filters(), NOW, WARN, RED)
    assert [i["id"] for i in items] == ORDER
    assert total == len(ORDER)
    assert counts == {"red": 3, "yellow": 5, "blue": 2}


def test_the_walls_order_puts_the_unacknowledged_overdue_first(county):
    """The wall's panel is the duty officer's queue: nobody's reds, nobody's yellows, then
    those taken in hand, then the blue ones (not overdue, so never acknowledged)."""
    _total, _counts, items = alerts(county, Filters(), NOW, WARN, RED, unacknowledged_first=True)
    assert [i["id"] for i in items] == [
        "R-old", "R-edge", "L2",
        "Y-late", "Y-early", "Y-reopened", "Y-edge",
        "Y-ack",
        "B-soon", "B-edge",
    ]  # fmt: skip


def test_one_incidents_alert_state_is_the_lists(county):
    _total, _counts, items = alerts(county, Filters(), NOW, WARN, RED, limit=1000)
    for item in items:
        state = alert_state(county, item["id"], NOW, WARN, RED)
        assert state == {k: item[k] for k in state}
    for ident in ("N-far", "L1", "C-closed", "nope"):
        assert alert_state(county, ident, NOW, WARN, RED)["colour"] is None


def test_acknowledged_only_at_or_after_the_deadline_in_force(county):
    _total, _counts, items = alerts(county, Filters(), NOW, WARN, RED)
    found = {i["id"]: i for i in items}
    assert found["Y-ack"]["acknowledged"] is True
    assert found["Y-ack"]["acknowledged_at"] == hours(-1)
    assert found["Y-ack"]["acknowledged_by"] == "duty 13912345678"
    for ident in ("Y-early", "Y-reopened", "R-old"):
        assert found[ident]["acknowledged"] is False
        assert found[ident]["acknowledged_at"] is None
        assert found[ident]["acknowledged_by"] is None


def test_filters_limit_and_counts_ignore_the_colour(county):
    total, counts, items = alerts(county, Filters(), NOW, WARN, RED, colours=("yellow",), limit=2)
    assert total == 5 and counts == {"red": 3, "yellow": 5, "blue": 2}
    assert [i["id"] for i in items] == ["Y-late", "Y-early"]
    total, _counts, items = alerts(county, Filters(), NOW, WARN, RED, colours=("red", "blue"))
    assert (total, [i["id"] for i in items]) == (5, ["R-old", "R-edge", "L2", "B-soon", "B-edge"])
    total, counts, items = alerts(county, Filters(), NOW, WARN, RED, is_acknowledged=True)
    assert (total, [i["id"] for i in items]) == (1, ["Y-ack"])
    assert counts == {"red": 0, "yellow": 1, "blue": 0}
    total, counts, _items = alerts(county, Filters(), NOW, WARN, RED, is_acknowledged=False)
    assert (total, counts) == (9, {"red": 3, "yellow": 4, "blue": 2})
    total, counts, _items = alerts(county, Filters(towns=("T2",)), NOW, WARN, RED)
    assert (total, counts) == (2, {"red": 0, "yellow": 0, "blue": 2})


def test_backlog_counts_each_colour_and_the_unacknowledged(county):
    figures = backlog(county, Filters(), NOW, WARN, RED)
    assert figures == {
        "open": 12,
        "overdue": 7,
        "due_soon": 2,
        "overdue_unacknowledged": 6,
        "alerts": {"red": 3, "yellow": 5, "blue": 2},
    }
    assert backlog(county, Filters(towns=("T2",)), NOW, WARN, RED)["alerts"] == {
        "red": 0,
        "yellow": 0,
        "blue": 2,
    }


# --- The API, with its clock at NOW


@pytest.fixture
def api_county(settings, app, monkeypatch):
    engine = make_engine(settings.database_url)
    apply_entries(engine, _entries(), NOW)
    engine.dispose()
    monkeypatch.setattr("dashboard.api.now", lambda: NOW)


def test_alerts_endpoint(client, auth_header, api_county):
    body = client.get("/api/v1/alerts", headers=auth_header).get_json()
    assert body["as_of"] == "2026-12-02T16:00:00+08:00"
    assert body["total"] == 10 and body["counts"] == {"red": 3, "yellow": 5, "blue": 2}
    assert [i["id"] for i in body["items"]] == ORDER
    first = body["items"][0]
    assert (first["colour"], first["hours_overdue"], first["acknowledged"]) == ("red", 48.0, False)
    acked = next(i for i in body["items"] if i["id"] == "Y-ack")
    assert acked["acknowledged_at"] == "2026-12-02T15:00:00+08:00"
    assert acked["acknowledged_by"] == "duty 139****5678"  # the API token sees it masked
    blue = body["items"][-1]
    assert (blue["colour"], blue["hours_overdue"]) == ("blue", 0.0)


def test_alerts_endpoint_filters(client, auth_header, api_county):
    get = lambda q: client.get(f"/api/v1/alerts?{q}", headers=auth_header).get_json()  # noqa: E731
    red = get("colour=red&limit=1")
    assert red["total"] == 3 and red["counts"]["yellow"] == 5
    assert [i["id"] for i in red["items"]] == ["R-old"]
    unacked = get("acknowledged=false&town=T1")
    assert unacked["counts"] == {"red": 3, "yellow": 4, "blue": 0}
    assert "Y-ack" not in [i["id"] for i in unacked["items"]]


@pytest.mark.parametrize(
    "query",
    [
        "colour=green",
        "colour=red&colour=blue",
        "acknowledged=yes",
        "acknowledged=",
        "limit=0",
        "limit=1001",
        "limit=x",
        "town=a%00b",
        "window=1",
    ],
)
def test_alerts_endpoint_refuses_bad_parameters(client, auth_header, api_county, query):
    response = client.get(f"/api/v1/alerts?{query}", headers=auth_header)
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_alerts_endpoint_requires_credentials(client):
    assert client.get("/api/v1/alerts").status_code == 401


def test_overdue_items_carry_colour_and_acknowledgement(client, auth_header, api_county):
    body = client.get("/api/v1/overdue", headers=auth_header).get_json()
    found = {i["id"]: (i["colour"], i["acknowledged"]) for i in body["items"]}
    assert found == {
        "R-old": ("red", False),
        "R-edge": ("red", False),
        "Y-late": ("yellow", False),
        "Y-early": ("yellow", False),
        "Y-ack": ("yellow", True),
        "Y-reopened": ("yellow", False),
        "Y-edge": ("yellow", False),
    }


def test_kpis_backlog_has_alerts(client, auth_header, api_county):
    backlog_json = client.get("/api/v1/kpis", headers=auth_header).get_json()["backlog"]
    assert backlog_json["overdue_unacknowledged"] == 6
    assert backlog_json["alerts"] == {"red": 3, "yellow": 5, "blue": 2}
    assert (backlog_json["open"], backlog_json["overdue"], backlog_json["due_soon"]) == (12, 7, 2)


def test_incident_detail_has_colour_and_acknowledged(client, auth_header, api_county):
    get = lambda i: client.get(f"/api/v1/incidents/{i}", headers=auth_header).get_json()  # noqa: E731
    found = {i: (get(i)["incident"]["colour"], get(i)["incident"]["acknowledged"]) for i in (
        "R-old", "Y-ack", "Y-early", "B-soon", "N-far", "C-closed"
    )}  # fmt: skip
    assert found == {
        "R-old": ("red", False),
        "Y-ack": ("yellow", True),
        "Y-early": ("yellow", False),
        "B-soon": ("blue", False),
        "N-far": (None, False),
        "C-closed": (None, False),
    }
