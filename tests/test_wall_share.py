"""Walls asking for the same trigger share one render_wall answer (dashboard/wall_share.py),
within a worker and across workers through Redis; a new trigger gets new data, and the
gate still comes first."""

from __future__ import annotations

import gzip
import json
import time

from callbacks.wall import OUTPUTS
from common import clock
from common.scope import COUNTY
from dashboard import create_app, wall_share
from dashboard.ids import wall as ids
from data_access import live
from data_access.db import make_engine
from data_access.masterdata import grid_geometries, load_masterdata
from tests.conftest import TEST_PASSWORD
from tests.factories import apply_entries, reported
from tests.servers import wait_for
from worker.live_state import LiveState

WALL_OUTPUTS = ((ids.RENDERED, "data"), (ids.ERROR, "data"), *OUTPUTS)


def render_body(trigger: str, rendered, lang: str = "en") -> dict:
    """render_wall's request, in the shape Dash's renderer sends it."""
    outputs = [{"id": i, "property": p} for i, p in WALL_OUTPUTS]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in WALL_OUTPUTS) + "..",
        "outputs": outputs,
        "inputs": [{"id": "wall-trigger", "property": "data", "value": trigger}],
        "changedPropIds": ["wall-trigger.data"],
        "state": [
            {"id": "wall-lang", "property": "data", "value": lang},
            {"id": "wall-rendered", "property": "data", "value": rendered},
            {"id": "wall-screen", "property": "data", "value": 1080},
        ],
    }


def _tiles(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())["response"]["wall-tiles"]["children"]


def _new_incident(settings, redis_client) -> None:
    """An incident reported now, applied as ingest would, and a new live version."""
    engine = make_engine(settings.database_url)
    at = clock.now().astimezone(settings.tz).replace(tzinfo=None)
    apply_entries(engine, [reported("SHARE-1", at.isoformat(timespec="seconds"))], clock.now())
    LiveState(redis_client, settings).rebuild(engine, settings.tz)
    engine.dispose()


def test_same_trigger_one_answer_new_trigger_new_data(signed_in_client, settings, redis_client):
    left, right = signed_in_client("wall"), signed_in_client("wall")
    first = left.post("/_dash-update-component", json=render_body("1:9", "0:9"))
    _new_incident(settings, redis_client)
    same = right.post("/_dash-update-component", json=render_body("1:9", "1:8"))
    assert same.get_data() == first.get_data()  # not rendered again, though data changed
    newer = right.post("/_dash-update-component", json=render_body("2:9", "1:9"))
    assert _tiles(newer) != _tiles(first)  # the incident is counted under the new trigger


def test_an_answer_made_by_one_worker_is_served_by_another(
    signed_in_client, settings, redis_client, make_user
):
    """A second app (another gunicorn worker, or host) on the same Redis does not render
    the trigger again: it serves the first one's bytes, though the data changed since."""
    first = signed_in_client("wall").post("/_dash-update-component", json=render_body("6:9", "5:9"))
    _new_incident(settings, redis_client)
    other = create_app(settings).server.test_client()
    other.environ_base["HTTP_ORIGIN"] = "http://localhost"
    other.post("/auth/login", data={"username": make_user("wall"), "password": TEST_PASSWORD})
    same = other.post("/_dash-update-component", json=render_body("6:9", "5:9"))
    assert same.get_data() == first.get_data()
    newer = other.post("/_dash-update-component", json=render_body("7:9", "6:9"))
    assert _tiles(newer) != _tiles(first)


def test_a_new_version_is_built_before_any_wall_asks(app, signed_in_client, settings, redis_client):
    """Once walls ask for updates, each new live version's update is built and stored
    (dashboard/wall_prebuild.py) with no request for it."""
    wall = signed_in_client("wall")
    wall.post("/_dash-update-component", json=render_body("0:9", "x"))
    _new_incident(settings, redis_client)

    def stored() -> bool:
        trigger = f"{live.version(settings)}:{int(time.time() // 60)}"
        with app.server.app_context():
            name = wall_share.redis_key(wall_share.share_key(render_body(trigger, "x"), COUNTY))
        return bool(redis_client.exists(name))

    wait_for(stored, 15, what="the new version's update, built unasked")


def test_first_render_and_patch_are_shared_apart(signed_in_client):
    wall = signed_in_client("wall")
    patch = wall.post("/_dash-update-component", json=render_body("3:9", "2:9"))
    full = wall.post("/_dash-update-component", json=render_body("3:9", False))
    figure = json.loads(full.get_data())["response"]["wall-map"]["figure"]
    assert "layout" in figure  # a whole figure, not the Patch the other screen was sent
    assert patch.get_data() != full.get_data()


def test_gzip_when_accepted_and_the_gate_first(client, signed_in_client):
    wall = signed_in_client("wall")
    plain = wall.post("/_dash-update-component", json=render_body("4:9", "3:9"))
    packed = wall.post(
        "/_dash-update-component",
        json=render_body("4:9", "3:9"),
        headers={"Accept-Encoding": "gzip, deflate"},
    )
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    stranger = client.post(
        "/_dash-update-component",
        json=render_body("4:9", "3:9"),
        headers={"Origin": "http://localhost"},
    )
    assert stranger.status_code == 401


def test_the_map_patch_sends_colours_not_polygons(signed_in_client, settings, engine):
    """The polygons go once, with the first render; an update recolours them."""
    load_masterdata(engine, settings.masterdata_dir)
    grids = grid_geometries(engine)
    corner = f"{grids[0].ring[0][0]},{grids[0].ring[0][1]}"  # as the map's path has it
    wall = signed_in_client("wall")
    full = wall.post("/_dash-update-component", json=render_body("5:9", False))
    patch = wall.post("/_dash-update-component", json=render_body("5:9", "4:9"))
    assert str(grids[0].ring[0][0]) not in patch.get_data(as_text=True)
    assert corner in full.get_data(as_text=True)
    operations = json.loads(patch.get_data())["response"]["wall-map"]["figure"]["operations"]
    recoloured = [op["location"] for op in operations if op["location"][0] == "layout"]
    assert len(recoloured) == len(grids)
    assert {tuple(loc[:2]) + (loc[3],) for loc in recoloured} == {("layout", "shapes", "fillcolor")}
