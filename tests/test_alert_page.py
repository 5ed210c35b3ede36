"""The alert list page (/alerts) and the acknowledge buttons of it and of the incident
page, through Dash's callback requests as the renderer sends them: red first, who may
acknowledge (checked on the server, not only by hiding the button), one event for many
clicks, a bad link shown as a message."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import dash
import pytest

from callbacks.alerts import page_scope
from common import clock
from dashboard.components.kpi_tiles import BACKLOG_TILES, Links, backlog_values, tile
from dashboard.ids import alerts as ids
from dashboard.ids import incident as incident_ids
from data_access.alert_list import alerts
from data_access.audit import recent
from data_access.db import dispose_all, make_engine
from data_access.kpis import Filters, Window, backlog
from tests.factories import TZ, apply_entries, reported
from tests.test_incident_page import _text

H = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _close_pools():
    yield
    dispose_all()


def _iso(delta: timedelta) -> str:
    return (clock.now() + delta).astimezone(TZ).isoformat()


@pytest.fixture
def county(settings, app):
    """Against the real clock: the page asks for alerts as of now."""
    engine = make_engine(settings.database_url)
    apply_entries(
        engine,
        [
            reported("YELLOW-1", _iso(-10 * H), deadline=_iso(-H)),
            reported("RED-1", _iso(-60 * H), deadline=_iso(-30 * H)),
            reported("BLUE-1", _iso(-H), deadline=_iso(5 * H)),
            reported("CALM-1", _iso(-H), deadline=_iso(100 * H)),
        ],
        clock.now(),
    )
    return engine


RENDER = ((ids.TOTAL, "children"), (ids.COUNTS, "children"), (ids.TABLE, "children"))


def _render(client, colours=(), acknowledged=""):
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in RENDER) + "..",
        "outputs": [{"id": i, "property": p} for i, p in RENDER],
        "inputs": [
            {"id": ids.PARAMS, "property": "data",
             "value": {"colours": list(colours), "acknowledged": acknowledged}},
            {"id": ids.VERSION, "property": "data", "value": None},
        ],
        "changedPropIds": [f"{ids.PARAMS}.data"],
        "state": [{"id": ids.LANG, "property": "data", "value": "en"}],
    }  # fmt: skip
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _click(app, client, incident_id: str, note: str = ""):
    """One row's button clicked (`client` signed in, so the app's callbacks are set up)."""
    button = {"index": incident_id, "type": ids.ACKNOWLEDGE}
    key = '{"index":"%s","type":"%s"}' % (incident_id, ids.ACKNOWLEDGE)  # noqa: UP031
    callbacks = app.callback_map
    body = {
        "output": next(k for k in callbacks if ids.ACKNOWLEDGE in k and "MATCH" in k),
        "outputs": [
            {"id": button, "property": "children"},
            {"id": button, "property": "disabled"},
        ],
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "changedPropIds": [f"{key}.n_clicks"],
        "state": [
            {"id": button, "property": "id", "value": button},
            {"id": ids.NOTE, "property": "value", "value": note},
            {"id": ids.LANG, "property": "data", "value": "en"},
        ],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_json()["response"][key]


def test_the_list_puts_red_first_and_offers_duty_officers_the_button(county, signed_in_client):
    staff = _render(signed_in_client("staff"))
    order = [staff.index(i) for i in ("RED-1", "YELLOW-1", "BLUE-1")]
    assert order == sorted(order) and "CALM-1" not in staff
    assert "3 in all" in staff and "Red alert" in staff and "■" in staff
    assert staff.count(ids.ACKNOWLEDGE) == 2  # the two overdue ones, not the blue one
    leader = _render(signed_in_client("leader"))
    assert "RED-1" in leader and ids.ACKNOWLEDGE not in leader
    only_blue = _render(signed_in_client("staff"), colours=("blue",))
    assert "BLUE-1" in only_blue and "RED-1" not in only_blue


def test_acknowledging_from_the_list_is_role_checked_and_one_event(
    app, county, signed_in_client, settings, redis_client
):
    leader = _click(app, signed_in_client("leader"), "RED-1")
    assert leader["children"] == "Only duty officers can acknowledge."
    assert redis_client.xlen(settings.stream_key) == 0
    staff = signed_in_client("staff")
    first = _click(app, staff, "RED-1", note="on it")
    assert first == {"children": "Acknowledged; waiting for it to be applied…", "disabled": True}
    second = _click(app, signed_in_client("admin"), "RED-1")
    assert "has already taken this alert in hand" in second["children"]
    [(_, fields)] = redis_client.xrange(settings.stream_key)
    assert fields[b"status"] == b"acknowledged" and fields[b"note"] == b"on it"
    assert len(recent(county, "acknowledge")) == 1
    blue = _click(app, staff, "BLUE-1")
    assert blue["children"].startswith("Not overdue yet") and blue["disabled"] is False


def test_acknowledging_from_the_incident_page(
    app, county, signed_in_client, settings, redis_client
):
    staff = signed_in_client("staff")  # its sign-in set the app's callbacks up
    output = next(k for k in app.callback_map if incident_ids.ACKNOWLEDGE_MESSAGE in k)
    body = {
        "output": output,
        "outputs": [
            {"id": incident_ids.ACKNOWLEDGE_MESSAGE, "property": "children"},
            {"id": incident_ids.ACKNOWLEDGE, "property": "disabled"},
        ],
        "inputs": [{"id": incident_ids.ACKNOWLEDGE, "property": "n_clicks", "value": 1}],
        "changedPropIds": [f"{incident_ids.ACKNOWLEDGE}.n_clicks"],
        "state": [
            {"id": incident_ids.ID, "property": "data", "value": "YELLOW-1"},
            {"id": incident_ids.ACKNOWLEDGE_NOTE, "property": "value", "value": None},
            {"id": incident_ids.LANG, "property": "data", "value": "zh"},
        ],
    }
    response = staff.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "已认领" in response.get_data(as_text=True)
    [(_, fields)] = redis_client.xrange(settings.stream_key)
    assert fields[b"id"] == b"YELLOW-1" and fields[b"event_id"].startswith(b"ack:YELLOW-1:")


def test_a_bad_link_shows_a_message(app):
    layout = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/alerts")
    with app.server.test_request_context("/alerts"):
        assert "colour must be one of" in _text(layout(lang="en", colour="green"))
        assert "acknowledged must be" in _text(layout(lang="en", acknowledged="maybe"))
        assert "unknown parameter" in _text(layout(lang="en", sort="x"))
        page = _text(layout(lang="zh", colour=["yellow", "red"], acknowledged="false"))
        assert "预警列表" in page


def test_each_alert_tile_links_to_exactly_its_alerts(app, county, settings):
    """The leader page's backlog tiles for red, yellow and overdue-unacknowledged open the
    alert list on exactly the cases they count (the leader's filters carried)."""
    from dashboard.pages.alerts import page_filters  # registers a page: only with an app

    at = clock.now()
    for filters in (Filters(), Filters(towns=("T1",)), Filters(towns=("elsewhere",))):
        values = backlog_values(backlog(county, filters, at, settings.warn_hours, 24.0))
        links = Links(Window(at.date(), at.date()), filters, "en")
        for spec in BACKLOG_TILES:
            for lang in ("zh", "en"):  # every tile draws, with its definition on hover
                assert tile(spec, values, lang, Links(links.window, filters, lang)).children
            href = links.href(spec.sets)
            if not href.startswith("/alerts?"):
                continue
            chosen = page_filters(parse_qs(urlsplit(href).query))
            acknowledged = {"true": True, "false": False}.get(chosen["acknowledged"])
            total, _counts, _items = alerts(
                county, page_scope(chosen), at, settings.warn_hours, 24.0,
                colours=tuple(chosen["colours"]), is_acknowledged=acknowledged,
            )  # fmt: skip
            assert total == values[spec.name], (spec.name, filters)
        assert values["backlog_red"] == (1 if filters.towns != ("elsewhere",) else 0)
