"""Each new live version's wall update is built before walls ask (dashboard/wall_prebuild.py):
by one worker at a time, and at most once every BUILD_EVERY_SECONDS, the newest then."""

from __future__ import annotations

import gzip
import time

from common.scope import COUNTY, Scope
from dashboard import create_app, leases, wall_prebuild, wall_share
from data_access import live
from data_access.db import make_engine
from data_access.masterdata import grid_geometries, load_masterdata
from tests import scope_hook
from tests.conftest import TEST_PASSWORD
from tests.servers import wait_for
from tests.test_wall_share import render_body


def _spy_builds(monkeypatch, settings) -> list[tuple[int, str]]:
    """(id of the builder, trigger) of every build of this test's apps, in order (the
    builders of earlier tests' apps run on for a while, on their own Redis prefixes)."""
    builds: list[tuple[int, str]] = []
    original = wall_prebuild.Builder.build

    def build(self, template: dict, trigger: str, scope) -> None:
        if self.server.config["CC_SETTINGS"].stream_prefix == settings.stream_prefix:
            builds.append((id(self), trigger))
        original(self, template, trigger, scope)

    monkeypatch.setattr(wall_prebuild.Builder, "build", build)
    return builds


def _new_version(settings, redis_client) -> int:
    k = live.keys(settings)
    version = redis_client.incr(k.version)
    redis_client.publish(k.channel, version)
    return version


def test_one_worker_builds_each_version(signed_in_client, settings, redis_client, make_user,
                                         monkeypatch):  # fmt: skip
    """Two workers with walls asking: the builds all come from one of them."""
    builds = _spy_builds(monkeypatch, settings)
    other = create_app(settings).server.test_client()
    other.environ_base["HTTP_ORIGIN"] = "http://localhost"
    other.post("/auth/login", data={"username": make_user("wall"), "password": TEST_PASSWORD})
    for client in (signed_in_client("wall"), other):
        answer = client.post("/_dash-update-component", json=render_body("0:9", "x"))
        assert answer.status_code == 200
    for _ in range(3):
        version = _new_version(settings, redis_client)
        wait_for(lambda v=version: any(t.startswith(f"{v}:") for _, t in builds), 15,
                 what=f"version {version} built")  # fmt: skip
        time.sleep(wall_prebuild.BUILD_EVERY_SECONDS)
    assert len({builder for builder, _ in builds}) == 1, builds


def test_a_burst_of_versions_is_built_once_newest_last(signed_in_client, settings, redis_client,
                                                       monkeypatch):  # fmt: skip
    if time.time() % 60 > 45:  # a new minute is a new trigger too: keep it out of the way
        time.sleep(61 - time.time() % 60)
    builds = _spy_builds(monkeypatch, settings)
    wall = signed_in_client("wall")
    wall.post("/_dash-update-component", json=render_body("0:9", "x"))
    first = _new_version(settings, redis_client)
    wait_for(lambda: any(t.startswith(f"{first}:") for _, t in builds), 15, what="first build")
    before = len(builds)
    for _ in range(6):  # within BUILD_EVERY_SECONDS of that build
        newest = _new_version(settings, redis_client)
        time.sleep(0.05)
    wait_for(lambda: any(t.startswith(f"{newest}:") for _, t in builds), 15, what="newest built")
    time.sleep(wall_prebuild.BUILD_EVERY_SECONDS + 0.5)
    assert len(builds) - before == 1, builds[before:]
    ready = redis_client.get(live.keys(settings).wall_ready)
    assert ready is not None and ready.decode().startswith(f"{newest}:")


def test_a_builder_that_lost_its_lease_neither_renews_nor_frees_the_new_holders(
    settings, redis_client
):
    name = settings.key("wall:builder")
    lease = redis_client.lock(name, timeout=30, blocking=False, thread_local=False)
    assert leases.lead(lease)
    assert leases.lead(lease)  # renewed
    redis_client.set(name, "another-builder", ex=30)  # ours expired, another took it
    assert not leases.lead(lease)
    leases.hand_over(lease)
    assert redis_client.get(name) == b"another-builder"


def test_each_scope_asking_gets_its_own_update_built(app, settings, redis_client, make_user,
                                                     monkeypatch):  # fmt: skip
    """Walls of two scopes asking: each new version's update is built for each, under its
    own scope (a town's map recolours only its grids) and kept under its own key."""
    engine = make_engine(settings.database_url)
    load_masterdata(engine, settings.masterdata_dir)
    grid_towns = {g.code: g.town for g in grid_geometries(engine)}
    engine.dispose()
    east = Scope("town", ("Chengdong",))
    scopes = {}
    for scope in (east, COUNTY):
        name = make_user("wall")
        scopes[name] = scope
        client = app.server.test_client()
        client.environ_base["HTTP_ORIGIN"] = "http://localhost"
        client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
        scope_hook.scoped_callers(monkeypatch, scopes)
        answer = client.post("/_dash-update-component", json=render_body("0:9", "x"))
        assert answer.status_code == 200
    version = _new_version(settings, redis_client)

    def built(scope: Scope) -> bytes | None:
        trigger = f"{version}:{int(time.time() // 60)}"
        with app.server.app_context():
            name = wall_share.redis_key(wall_share.share_key(render_body(trigger, "x"), scope))
        packed = redis_client.get(name)
        return gzip.decompress(packed).decode() if packed else None

    east_answer = wait_for(lambda: built(east), 15, what="the town's update, built unasked")
    county_answer = wait_for(lambda: built(COUNTY), 15, what="the county's update")
    # a patch: the map's grids recoloured, the town's only
    assert east_answer.count('"fillcolor"') == list(grid_towns.values()).count("Chengdong")
    assert county_answer.count('"fillcolor"') == len(grid_towns)


def test_the_county_is_kept_while_more_scopes_ask_than_are_built(app, monkeypatch):
    """Past TEMPLATES_KEPT (scope, language) pairs, the oldest scoped one goes, never the
    county's: the county's walls are always built ahead."""
    builder = wall_prebuild.Builder(app.server)
    monkeypatch.setattr(wall_prebuild.threading, "Thread", _NoThread)
    builder.seen(render_body("0:9", "x", "zh"), COUNTY)
    towns = [Scope("town", (f"T{i}",)) for i in range(wall_prebuild.TEMPLATES_KEPT + 2)]
    for scope in towns:
        builder.seen(render_body("0:9", "x", "zh"), scope)
    kept = [scope for scope, _ in builder.templates.values()]
    assert len(kept) == wall_prebuild.TEMPLATES_KEPT
    assert COUNTY in kept and kept[1:] == towns[-(wall_prebuild.TEMPLATES_KEPT - 1) :]


class _NoThread:
    """A builder thread that never runs (the test looks at the templates only)."""

    def __init__(self, **_kwargs) -> None:
        pass

    def start(self) -> None:
        pass

    def is_alive(self) -> bool:
        return True
