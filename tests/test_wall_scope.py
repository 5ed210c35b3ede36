"""A wall under a scope (CONTRACT 2, Scopes) shows only its scope, as if nothing else
existed: its figures, map, ranking, alerts and ticker; a department scope says it has no
disputes; walls of two scopes at one trigger get two answers, each only its own rows; an
open stream follows its caller's scope and ends when the caller is gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest

from common import clock
from common.scope import COUNTY, Scope, using
from dashboard import live_push
from dashboard.auth import principal as principals
from data_access import live
from data_access.masterdata import grid_geometries, load_masterdata
from tests import scope_hook
from tests.conftest import TEST_PASSWORD
from tests.factories import accepted, apply_entries, entry, reported
from tests.test_wall_share import render_body
from worker.live_state import LiveState

EAST = Scope("town", ("Chengdong",))
WEST = Scope("town", ("Chengxi",))
ROADS = Scope("department", ("urban_mgmt",))


@pytest.fixture
def county(engine, settings, redis_client):
    """Today: two incidents in Chengdong (one dispatched to urban_mgmt and overdue), one in
    Chengxi, a dispute in Chengdong; the live ticker rebuilt from them. The clock stands at
    local noon, so "3 hours ago" is today at any hour the suite runs."""
    load_masterdata(engine, settings.masterdata_dir)
    noon = datetime.combine(clock.local_today(settings.tz), time(12), settings.tz)
    clock.set_offset(noon - datetime.now(UTC))
    now = clock.now()
    at = now.astimezone(settings.tz).replace(tzinfo=None, microsecond=0)

    def ts(hours: float) -> str:
        return (at - clock.timedelta(hours=hours)).isoformat()

    apply_entries(
        engine,
        [
            reported("E-1", ts(3), town="Chengdong", grid="CD-001",
                     deadline=(now - clock.timedelta(hours=1)).isoformat()),
            entry("E-1", "dispatched", ts(2.5), department="urban_mgmt"),
            reported("E-2", ts(2), town="Chengdong", grid="CD-002"),
            reported("W-1", ts(1), town="Chengxi", grid="CX-001"),
            accepted("D-1", ts(0.5), town="Chengdong"),
        ],
        now,
    )  # fmt: skip
    LiveState(redis_client, settings).rebuild(engine, settings.tz)
    yield now
    clock.set_offset(timedelta(0))


def _texts(node) -> list[str]:
    """Every string shown in a component's JSON (as a callback answer carries it)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for n in node for s in _texts(n)]
    if isinstance(node, dict):
        return _texts(node.get("children")) + _texts(node.get("props", {}).get("children"))
    return []


def _wall(app, make_user, monkeypatch, scopes: dict, scope: Scope):
    """A wall screen's client, signed in as a new wall user of `scope`."""
    name = make_user("wall")
    scopes[name] = scope
    scope_hook.scoped_callers(monkeypatch, scopes)
    client = app.server.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
    return client


def _received(answer: dict) -> str:
    tiles = answer["response"]["wall-tiles"]["children"]
    received = next(t for t in tiles if "Received" in _texts(t))
    return received["props"]["children"][1]["props"]["children"]


def test_walls_of_two_scopes_at_one_trigger_get_their_own_answers(
    app, county, engine, make_user, monkeypatch
):
    scopes: dict = {}
    east = _wall(app, make_user, monkeypatch, scopes, EAST)
    west = _wall(app, make_user, monkeypatch, scopes, WEST)
    whole = _wall(app, make_user, monkeypatch, scopes, COUNTY)
    body = render_body("1:9", False)
    raw = {name: c.post("/_dash-update-component", json=body) for name, c in
           (("east", east), ("west", west), ("county", whole))}  # fmt: skip
    assert all(r.status_code == 200 for r in raw.values())
    answers = {name: json.loads(r.get_data()) for name, r in raw.items()}
    assert len({r.get_data() for r in raw.values()}) == 3  # one trigger, three answers
    assert [_received(answers[n]) for n in ("east", "west", "county")] == ["2", "1", "3"]
    # each only its own rows: the alert panel, the ranking (a town ranks its grids), the map
    east_text = " ".join(_texts(answers["east"]["response"]["wall-alerts"]))
    assert "Chengdong" in east_text and "Chengxi" not in east_text
    ranking = _texts(answers["east"]["response"]["wall-ranking"])
    assert any("Grid" in text for text in ranking) and not any("Chengxi" in t for t in ranking)
    corners = {g.code: f"{g.ring[0][0]},{g.ring[0][1]}" for g in grid_geometries(engine)}
    east_map = json.dumps(answers["east"]["response"]["wall-map"])
    assert corners["CD-001"] in east_map and corners["CX-001"] not in east_map
    county_map = json.dumps(answers["county"]["response"]["wall-map"])
    assert corners["CD-001"] in county_map and corners["CX-001"] in county_map
    # a second screen of the same scope gets the first one's bytes, not another scope's
    again = _wall(app, make_user, monkeypatch, scopes, WEST)
    assert again.post("/_dash-update-component", json=body).get_data() == raw["west"].get_data()


def test_a_department_scope_says_it_has_no_disputes(app, county, make_user, monkeypatch):
    roads = _wall(app, make_user, monkeypatch, {}, ROADS)
    for lang, note in (("zh", "本范围无矛盾纠纷"), ("en", "No disputes in this scope")):
        answer = json.loads(
            roads.post("/_dash-update-component", json=render_body("2:9", False, lang)).get_data()
        )
        tiles = _texts(answer["response"]["wall-tiles"])
        assert note in tiles
        assert not {"Disputes accepted", "受理矛盾纠纷", "Resolution rate", "化解率"} & set(tiles)
    assert _received(answer) == "1"  # E-1, dispatched to the department


def test_the_wall_header_says_whose_wall_it_is(app, county):
    from dashboard.pages.wall import layout  # registers a page: only with an app

    with app.server.test_request_context("/wall"):
        for scope, lang, title in (
            (EAST, "zh", "城东街道 · 本街道数据"),
            (Scope("town", ("Chengdong", "Chengxi")), "zh", "城东街道、城西街道 · 本镇街数据"),
            (ROADS, "en", "Urban Management Bureau · this department's data"),
            (Scope("town", ("Xiaying",)), "zh", "夏营镇 · 本镇数据"),
            (EAST, "en", "Chengdong Subdistrict · this street's data"),
        ):
            with using(scope):
                page = layout(lang=lang)
            assert page.children[-2].children[0].children == title
            assert page.children[1].to_plotly_json()["props"]["data-scope"] == str(scope)
        with using(COUNTY):
            header = layout(lang="zh").children[-2].children[0].children
        assert header and "数据" not in header  # the county's name alone


def test_scope_title_is_the_county_name_for_the_county(app):
    from dashboard.components.scope_label import scope_label

    class Names:
        def county_name(self, lang, override):
            return "示例县"

    assert scope_label(COUNTY, Names(), "zh", None) == "示例县"


def _stream_messages(stream, n: int) -> list[dict]:
    out = []
    for chunk in stream:
        if chunk.startswith("data: "):
            out.append(json.loads(chunk[6:]))
            if len(out) == n:
                return out
    return out


def test_a_scoped_ticker_holds_only_its_cases_events(app, county, settings):
    """Lifecycle events name no town: their cases place them (the case's town and
    department now); a department scope sees no dispute events."""
    version = live.version(settings)
    with app.server.app_context():  # names come from the app's master data
        tickers = {
            scope: live_push.shared_ticker(settings, version, "en", scope)
            for scope in (EAST, WEST, ROADS, COUNTY)
        }
    assert {t["town"] for t in tickers[EAST]} == {"Chengdong"}
    assert len(tickers[EAST]) == 4  # E-1 reported and dispatched, E-2, the dispute
    assert [t["town"] for t in tickers[WEST]] == ["Chengxi"]
    assert [t["what"] for t in tickers[ROADS]] == ["Sanitation"] * 2  # E-1's, its department now
    assert len(tickers[COUNTY]) == 5


def test_in_scope_falls_back_on_what_the_event_says_and_drops_the_unplaced():
    event = {"entity": "incident", "id": "X", "town": "Chengdong"}
    assert live_push.in_scope(event, {}, EAST)
    assert not live_push.in_scope(event, {}, WEST)
    assert not live_push.in_scope({"entity": "incident", "id": "Y"}, {}, EAST)
    dispute = {"entity": "dispute", "id": "D", "town": "Chengdong"}
    assert live_push.in_scope(dispute, {}, EAST) and not live_push.in_scope(dispute, {}, ROADS)
    moved = {("incident", "X"): {"town": "Chengxi", "department": None}}
    assert not live_push.in_scope(event, moved, EAST)  # the case's town now wins


def test_an_open_stream_follows_its_callers_scope_and_ends_when_revoked(
    app, county, make_user, monkeypatch
):
    monkeypatch.setattr(live_push, "RESCOPE_SECONDS", 0.0)
    scopes: dict = {}
    wall = _wall(app, make_user, monkeypatch, scopes, EAST)
    (name,) = scopes
    response = wall.get("/live/stream?lang=en", buffered=False)
    assert response.status_code == 200
    chunks = (c.decode() for c in response.response)
    first = _stream_messages(chunks, 1)[0]
    assert first["scope"] == str(EAST)
    assert {t["town"] for t in first["ticker"]} == {"Chengdong"}
    scopes[name] = WEST  # the account's scope changed (scope-accounts makes it current)
    moved = next(m for m in (_stream_messages(chunks, 1)[0] for _ in range(5))
                 if m["scope"] != str(EAST))  # fmt: skip
    assert moved["scope"] == str(WEST)  # the page reloads on this (assets/live.js)
    assert {t["town"] for t in moved["ticker"]} == {"Chengxi"}
    monkeypatch.setattr(principals, "from_session", lambda cfg: None)  # revoked
    assert len(_stream_messages(chunks, 10)) < 10  # the stream ended
    response.close()
