"""Each new live version's wall update, built before any wall asks for it.

A wall asking for the newest version waits for that version's answer to be built (wall
data from SQL, then rendering: about 60 ms of CPU, far more on a busy machine), and at
600x there is a new version every quarter second. So each worker runs one thread, while
walls are asking, that follows the live version and minute and builds the update
(dashboard/wall_share.py shares it through Redis, so one worker builds, the others find
it), for every scope and language a wall asked for here lately (TEMPLATES_KEPT of
them, the county's kept first: each costs a render per version; a wall of a scope not
kept renders on demand, as after a quiet spell), and notes in Redis the newest
trigger built; the live push carries that note, and a busy wall asks for that trigger
(assets/wall.js), so it is answered from the store. Without a note (no builder running
for a few seconds) a busy wall asks for a version READY_SECONDS old.

The thread renders through the same Dash callback and the same sharing as a real
request, inside a request context of its own (no HTTP, no caller: it serves nobody
itself), and stops after IDLE_SECONDS without a wall update asked for.

One builder builds at a time, whichever worker holds a lease in Redis (the others
only wait for it): with one per worker, each worker's thread built or waited for every
version, and the builders used a quarter of the web tier's CPU (bench/wall_load.py,
200 walls at 600x). It builds at most every BUILD_EVERY_SECONDS, the newest version
then: walls ask for an update at most every CC_WALL_RENDER_SECONDS anyway, and the
ticker comes with the push.
"""

from __future__ import annotations

import copy
import logging
import threading
import time

from flask import Flask, request

from common.config import Settings
from common.scope import Scope, using
from dashboard import leases, wall_share
from dashboard.ids import wall as ids
from data_access import live
from data_access.redis_client import get_redis

log = logging.getLogger(__name__)

READY_SECONDS = 0.5  # a busy wall without news from the builder asks for a version this old
READY_TTL_SECONDS = 5  # the builder's "built" note outlives it by this much at most
IDLE_SECONDS = 60.0
LEASE_SECONDS = 30  # a builder that dies hands over to another worker's after this
BUILD_EVERY_SECONDS = 1.0
TEMPLATES_KEPT = 6  # scopes and languages (and screen sizes) asked for lately


class Builder:
    """One app's builder: the update requests seen lately, and its thread."""

    def __init__(self, server: Flask) -> None:
        self.server = server
        self.lock = threading.Lock()
        self.templates: dict[tuple[str, str], tuple[Scope, dict]] = {}
        self.asked = 0.0
        self.thread: threading.Thread | None = None

    def seen(self, body: dict, scope: Scope) -> None:
        """A wall of `scope` asked for an update: keep its request as a template (the
        newest last), run the thread."""
        kind = (str(scope), str(_value(body, ids.LANG)))
        with self.lock:
            self.asked = time.monotonic()
            self.templates.pop(kind, None)
            self.templates[kind] = (scope, body)
            while len(self.templates) > TEMPLATES_KEPT:  # the oldest, the county's last
                kinds = list(self.templates)
                scoped = [k for k in kinds if not self.templates[k][0].is_county]
                self.templates.pop((scoped or kinds)[0])
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, daemon=True, name="wall-build")
                self.thread.start()

    def _run(self) -> None:
        cfg: Settings = self.server.config["CC_SETTINGS"]
        built, built_at, pubsub = None, -BUILD_EVERY_SECONDS, None
        lease = get_redis(cfg).lock(
            cfg.key("wall:builder"), timeout=LEASE_SECONDS, blocking=False, thread_local=False
        )
        while time.monotonic() - self.asked < IDLE_SECONDS:
            try:
                if not leases.lead(lease):
                    live.unsubscribe(pubsub)
                    pubsub, built = None, None
                    time.sleep(1.0)
                    continue
                if pubsub is None:
                    pubsub = live.subscribe(cfg)
                if pubsub.get_message(timeout=1.0):
                    time.sleep(max(0.0, built_at + BUILD_EVERY_SECONDS - time.monotonic()))
                    while pubsub.get_message(timeout=0):  # a burst: build the newest only
                        pass
                trigger = f"{live.version(cfg)}:{int(time.time() // 60)}"
                if trigger != built:
                    with self.lock:
                        templates = list(self.templates.values())
                    for scope, template in templates:
                        self.build(template, trigger, scope)
                    built, built_at = trigger, time.monotonic()
                if built is not None:  # kept fresh while this thread runs
                    live_keys = live.keys(cfg)
                    get_redis(cfg).set(live_keys.wall_ready, built, ex=READY_TTL_SECONDS)
            except Exception:  # Redis gone, a render failing: walls then build on demand
                log.debug("wall prebuild failed", exc_info=True)
                live.unsubscribe(pubsub)
                pubsub = None
                time.sleep(1.0)
        live.unsubscribe(pubsub)
        leases.hand_over(lease)

    def build(self, template: dict, trigger: str, scope: Scope) -> None:
        """`template`'s update for `trigger` under `scope`, made and shared as a request
        of a caller of that scope would be."""
        body = copy.deepcopy(template)
        for item in body["inputs"]:
            if item.get("id") == ids.TRIGGER:
                item["value"] = trigger
        server = self.server
        # no caller, so no gate sets a scope (common.scope): the wall's that asked
        context = server.test_request_context(wall_share.CALLBACK_PATH, method="POST", json=body)
        with using(scope), context:
            try:
                if wall_share.before() is None:  # nobody has it yet: render it here
                    endpoint, _ = server.url_map.bind("localhost").match(
                        wall_share.CALLBACK_PATH, method="POST"
                    )
                    wall_share.after(server.make_response(server.view_functions[endpoint]()))
            finally:
                wall_share.teardown(None)


def _value(body: dict, component: str):
    for item in (*body.get("inputs", ()), *body.get("state", ())):
        if isinstance(item, dict) and item.get("id") == component:
            return item.get("value")
    return None


def register(server: Flask) -> None:
    """Call after the gate and the hook that sets the request's scope, and before
    wall_share.register: a request wall_share answers from its store runs no later hook,
    and it must still count as a wall asking."""
    builder = Builder(server)

    def seen() -> None:
        if request.method != "POST" or request.path != wall_share.CALLBACK_PATH:
            return
        body, scope = request.get_json(silent=True), wall_share.request_scope()
        if not isinstance(body, dict) or scope is None:
            return
        if wall_share.is_render(body) and _value(body, ids.RENDERED):
            builder.seen(body, scope)

    server.before_request(seen)
