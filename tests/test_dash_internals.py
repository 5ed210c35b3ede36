"""The Dash internals the product relies on (docs/architecture.md, "Dash internals we rely
on"): each test fails when a Dash upgrade changes the one it names."""

from __future__ import annotations

import json
from pathlib import Path

import dash

from common.scope import COUNTY
from dashboard import create_app, wall_share
from dashboard.ids import wall as ids
from tests.test_wall_share import render_body

RENDERER = Path(dash.__file__).parent / "dash-renderer" / "build" / "dash_renderer.min.js"


def test_setup_server_is_the_first_request_setup_and_can_run_early(settings):
    """dashboard/wsgi.py runs Dash._setup_server before a worker serves (plotly/dash#3971)."""
    app = create_app(settings)
    assert app._setup_server in app.server.before_request_funcs[None]  # noqa: SLF001
    assert app._got_first_request["setup_server"] is False  # noqa: SLF001
    with app.server.test_request_context("/"):
        app._setup_server()  # noqa: SLF001
    assert app._got_first_request["setup_server"] is True  # noqa: SLF001
    assert app._callback_list  # noqa: SLF001  filled for every thread from now on


def test_callback_wire_format_wall_share_reads(signed_in_client):
    """dashboard/wall_share.py: callbacks are POSTed to CALLBACK_PATH with `output` as
    "..id.prop...id.prop.." and `inputs`/`state` as [{id, property, value}]; the answer
    is {"response": {id: {prop: value}}}."""
    body = render_body("1:9", None)
    assert wall_share.share_key(body, COUNTY) is not None
    response = signed_in_client("wall").post(wall_share.CALLBACK_PATH, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = json.loads(response.get_data())["response"]
    assert "data" in answer[ids.RENDERED]
    assert set(answer[ids.ERROR]) == {"data"}


def test_the_callback_view_can_be_called_in_a_request_context_of_its_own(settings):
    """dashboard/wall_prebuild.py renders without HTTP: it finds the view behind
    CALLBACK_PATH in Flask's url_map and calls it inside test_request_context."""
    app = create_app(settings)
    server = app.server
    with server.test_request_context("/"):
        app._setup_server()  # noqa: SLF001  as a worker has, before the builder runs
    body = render_body("1:9", None)
    with server.test_request_context(wall_share.CALLBACK_PATH, method="POST", json=body):
        endpoint, _ = server.url_map.bind("localhost").match(
            wall_share.CALLBACK_PATH, method="POST"
        )
        response = server.make_response(server.view_functions[endpoint]())
    assert response.status_code == 200
    assert ids.RENDERED in json.loads(response.get_data())["response"]


def test_renderer_keeps_its_stores_and_undo_history_where_undo_history_js_trims_them():
    """assets/undo_history.js finds each renderer store in window.dash_stores and trims
    its state's history.past, which the renderer appends to on every input change."""
    source = RENDERER.read_text(encoding="utf-8")
    assert "window.dash_stores=window.dash_stores||[]" in source
    assert "history={past:[].concat(" in source
    assert ".history.past" in source
