"""One answer per wall trigger, shared by every screen in this worker.

When the live version changes, every open wall asks for its panels within milliseconds,
each with the same trigger (`version:minute`, assets/wall.js). render_wall's answer
depends only on that trigger, the language, the screen height and whether the screen has
rendered before (full figures or a Patch), so the first request for a key runs the
callback and every other request for it, arriving meanwhile or later, gets the same bytes
(gzip-compressed once when the browser accepts it). Measured with bench/wall_load.py:
building and serialising an answer (about 90 KB, mostly map polygons) took about 55 ms of
CPU, so 200 screens each building their own needed several cores.

Authentication still runs first (the gate is an earlier before_request hook); an answer
that says the data was unavailable is not shared, so the next request tries again.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict

from flask import Flask, Response, current_app, g, request

from dashboard.ids import wall as ids

CALLBACK_PATH = "/_dash-update-component"
RENDER_OUTPUT = f"{ids.RENDERED}.data"
KEEP = 16  # answers kept per worker: a few triggers times languages and screen sizes
WAIT_SECONDS = 20.0  # for another thread's answer; then this request renders itself


class Shared:
    """One app's answers (a test process builds many apps; each keeps its own)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
        self.pending: dict[str, threading.Event] = {}


def _state() -> Shared:
    return current_app.extensions["wall_share"]


def share_key(body: dict) -> str | None:
    """What render_wall's answer depends on (as text: the values come from the caller
    and may be anything JSON), or None for any other callback."""
    if RENDER_OUTPUT not in str(body.get("output", "")):
        return None
    values = {
        (item.get("id"), item.get("property")): item.get("value")
        for item in (*body.get("inputs", ()), *body.get("state", ()))
        if isinstance(item, dict)
    }
    return json.dumps(
        [
            body["output"],
            values.get((ids.TRIGGER, "data")),
            values.get((ids.LANG, "data")),
            bool(values.get((ids.RENDERED, "data"))),
            values.get((ids.SCREEN, "data")),
        ]
    )


def _shared(plain: bytes, packed: bytes) -> Response:
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(packed, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(plain, mimetype="application/json")
    response.headers["Vary"] = "Accept-Encoding"
    return response


def before() -> Response | None:
    """A shared answer if one exists or is being made; else this request makes it."""
    if request.method != "POST" or request.path != CALLBACK_PATH:
        return None
    body = request.get_json(silent=True)
    key = share_key(body) if isinstance(body, dict) else None
    if key is None:
        return None
    state = _state()
    with state.lock:
        answer = state.answers.get(key)
        waiting = state.pending.get(key) if answer is None else None
        if answer is None and waiting is None:
            state.pending[key] = threading.Event()
            g.wall_share_key = key
    if waiting is not None and waiting.wait(WAIT_SECONDS):
        answer = state.answers.get(key)
    return _shared(*answer) if answer is not None else None


def after(response: Response) -> Response:
    """Keep the answer this request made (when it is a good one) for the others."""
    key = g.pop("wall_share_key", None)
    if key is None:
        return response
    if response.status_code == 200 and not response.is_streamed:
        plain = response.get_data()
        if not json.loads(plain).get("response", {}).get(ids.ERROR, {}).get("data"):
            state = _state()
            with state.lock:
                state.answers[key] = (plain, gzip.compress(plain, compresslevel=6))
                while len(state.answers) > KEEP:
                    state.answers.popitem(last=False)
    _release(key)
    return response


def _release(key: str) -> None:
    state = _state()
    with state.lock:
        event = state.pending.pop(key, None)
    if event is not None:
        event.set()


def teardown(_exc: BaseException | None) -> None:
    """A request that failed before `after` still wakes the ones waiting for it."""
    key = g.pop("wall_share_key", None)
    if key is not None:
        _release(key)


def register(server: Flask) -> None:
    """Call after the gate is registered, so only signed-in callers are answered."""
    server.extensions["wall_share"] = Shared()
    server.before_request(before)
    server.after_request(after)
    server.teardown_request(teardown)
