"""One answer per wall trigger, shared by every screen on every worker and host.

When the live version changes, every open wall asks for its panels, each with the same
trigger (`version:minute`, assets/wall.js). render_wall's answer depends only on the
caller's scope (common.scope: a town's wall never gets the county's answer or another
town's), that trigger, the language, the screen height and whether the screen has
rendered before (full figures or a Patch), so the first request for a key anywhere runs
the callback and every other request for it gets the same bytes: from this worker's
memory, else from
Redis (gzip-compressed once, kept two minutes). Concurrent first requests are
single-flight twice over: in a worker, one thread asks Redis and the others wait for
it; across workers, a Redis lock lets one render while the others poll for its bytes
(redis-py's Lock: a random token, released by compare-and-delete, so a render that
outlived its lock never releases another's).
Measured with bench/wall_load.py: building and serialising an answer took about 55 ms
of CPU, so 200 screens each building their own needed several cores.

Authentication still runs first (the gate is an earlier before_request hook), and so
must the hook that sets the request's scope: a request with no scope set is not shared
(it renders by itself, and its callback fails loudly for want of a scope). An answer
that says the data was unavailable is not shared, so the next request tries again.
Without Redis, answers are shared within the worker only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict

import redis
from flask import Flask, Response, current_app, g, request
from redis.exceptions import LockError

from common.scope import Scope, current
from dashboard.context import redis_client, settings
from dashboard.ids import wall as ids

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
RENDER_OUTPUT = f"{ids.RENDERED}.data"
KEEP = 32  # answers kept per worker: a few triggers times scopes, languages, screen sizes
WAIT_SECONDS = 20.0  # for another thread's or worker's answer; then this request renders
TTL_SECONDS = 120  # in Redis: two minute-buckets, as the wall data itself
LOCK_SECONDS = 30  # a render that dies leaves its lock for this long at most
POLL_SECONDS = 0.01


class Shared:
    """One app's answers (a test process builds many apps; each keeps its own)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
        self.pending: dict[str, threading.Event] = {}

    def keep(self, key: str, packed: bytes, plain: bytes | None = None) -> tuple[bytes, bytes]:
        answer = (gzip.decompress(packed) if plain is None else plain, packed)
        with self.lock:
            self.answers[key] = answer
            while len(self.answers) > KEEP:
                self.answers.popitem(last=False)
        return answer


def _state() -> Shared:
    return current_app.extensions["wall_share"]


def request_scope() -> Scope | None:
    """The scope this request runs under, None when nothing set one."""
    try:
        return current()
    except LookupError:
        return None


def is_render(body: dict) -> bool:
    """Whether a callback request is render_wall's."""
    return RENDER_OUTPUT in str(body.get("output", ""))


def share_key(body: dict, scope: Scope) -> str | None:
    """What render_wall's answer for a caller of `scope` depends on (as text: the values
    come from the caller and may be anything JSON), or None for any other callback."""
    if not is_render(body):
        return None
    values = {
        (item.get("id"), item.get("property")): item.get("value")
        for item in (*body.get("inputs", ()), *body.get("state", ()))
        if isinstance(item, dict)
    }
    return json.dumps(
        [
            str(scope),
            body["output"],
            values.get((ids.TRIGGER, "data")),
            values.get((ids.LANG, "data")),
            bool(values.get((ids.RENDERED, "data"))),
            values.get((ids.SCREEN, "data")),
        ]
    )


def redis_key(key: str) -> str:
    """Where the answer for `key` is kept in Redis."""
    return settings().key(f"wall:answer:{hashlib.sha256(key.encode()).hexdigest()[:32]}")


def _from_redis(key: str) -> bytes | None:
    """Another worker's answer for `key`, waiting while one is being made; None when this
    request is to make it (it then holds the Redis lock, g.wall_share_lock)."""
    r, name = redis_client(), redis_key(key)
    lock = r.lock(f"{name}:lock", timeout=LOCK_SECONDS, blocking=False, thread_local=False)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        packed = r.get(name)
        if packed is not None:
            return packed
        if lock.acquire():
            g.wall_share_lock = lock
            return None
        time.sleep(POLL_SECONDS)
    return None


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
    body, scope = request.get_json(silent=True), request_scope()
    key = share_key(body, scope) if isinstance(body, dict) and scope is not None else None
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
    elif answer is None and waiting is None:
        answer = _first_in_worker(state, key)
    return _shared(*answer) if answer is not None else None


def _first_in_worker(state: Shared, key: str) -> tuple[bytes, bytes] | None:
    """This worker's first request for `key`: Redis's answer, else None (render it)."""
    try:
        packed = _from_redis(key)
    except redis.RedisError:
        log.warning("wall answers not shared between workers", exc_info=True)
        return None
    if packed is None:
        return None
    answer = state.keep(key, packed)
    _release(g.pop("wall_share_key"))
    return answer


def after(response: Response) -> Response:
    """Keep the answer this request made (when it is a good one) for the others."""
    key = g.pop("wall_share_key", None)
    if key is None:
        return response
    if response.status_code == 200 and not response.is_streamed:
        plain = response.get_data()
        if not json.loads(plain).get("response", {}).get(ids.ERROR, {}).get("data"):
            packed = gzip.compress(plain, compresslevel=6)
            _state().keep(key, packed, plain)
            _to_redis(key, packed)
    _release(key)
    return response


def _to_redis(key: str, packed: bytes) -> None:
    try:
        redis_client().set(redis_key(key), packed, ex=TTL_SECONDS)
    except redis.RedisError:
        log.warning("wall answer not shared between workers", exc_info=True)


def _release(key: str) -> None:
    state = _state()
    with state.lock:
        event = state.pending.pop(key, None)
    if event is not None:
        event.set()
    lock = g.pop("wall_share_lock", None)
    if lock is not None:
        try:
            lock.release()
        except LockError:  # expired, perhaps another's by now: not ours to delete
            log.debug("wall answer lock expired before its render finished")
        except redis.RedisError:
            log.debug("wall answer lock left to expire", exc_info=True)


def teardown(_exc: BaseException | None) -> None:
    """A request that failed before `after` still wakes the ones waiting for it."""
    key = g.pop("wall_share_key", None)
    if key is not None:
        _release(key)


def register(server: Flask) -> None:
    """Call after the gate and the hook that sets the request's scope are registered,
    so only signed-in callers are answered, each with its scope's answer."""
    server.extensions["wall_share"] = Shared()
    server.before_request(before)
    server.after_request(after)
    server.teardown_request(teardown)
