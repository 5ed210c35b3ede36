"""Each new live version's wall update is built before walls ask (dashboard/wall_prebuild.py),
by one worker at a time."""

from __future__ import annotations

from dashboard import create_app, wall_prebuild
from data_access import live
from tests.conftest import TEST_PASSWORD
from tests.servers import wait_for
from tests.test_wall_share import render_body


def _spy_builds(monkeypatch, settings) -> list[tuple[int, str]]:
    """(id of the builder, trigger) of every build of this test's apps, in order (the
    builders of earlier tests' apps run on for a while, on their own Redis prefixes)."""
    builds: list[tuple[int, str]] = []
    original = wall_prebuild.Builder.build

    def build(self, template: dict, trigger: str) -> None:
        if self.server.config["CC_SETTINGS"].stream_prefix == settings.stream_prefix:
            builds.append((id(self), trigger))
        original(self, template, trigger)

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
    assert len({builder for builder, _ in builds}) == 1, builds
