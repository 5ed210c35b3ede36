"""The cluster on one machine (deploy/cluster) and its drills: the parts that need no
namespaces. The drills themselves start a whole cluster (about 1.5 min before the first
drill on a loaded 2-core machine), too long for the suite: they run as
`python -m deploy.cluster.drills` (docs/deploy.md, section 9)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from common.config import load_settings
from deploy.cluster import roles, topology
from deploy.cluster.drills.probes import STALE_S, STALL_S, IngestWatch, Wall


def test_every_host_gets_settings_the_product_reads_as_the_contract_says(tmp_path):
    env = topology.product_env(tmp_path, "k" * 64)
    settings = load_settings(env)
    assert settings.redis_sentinels == tuple(
        (h.ip, topology.SENTINEL_PORT) for h in topology.SENTINEL_HOSTS
    )
    assert settings.redis_service == topology.SERVICE
    assert settings.database_replica_url.endswith(f"@{topology.PG2.ip}:5432/cc")
    assert settings.secret_key == "k" * 64
    assert settings.trusted_proxies == 1


def test_three_sentinels_on_three_hosts_and_no_two_hosts_share_an_address():
    assert len({h.name for h in topology.SENTINEL_HOSTS}) == 3
    assert len({h.ip for h in topology.HOSTS}) == len(topology.HOSTS)
    assert all(len(h.veth) <= 15 for h in topology.HOSTS)  # the kernel's limit on a name


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="needs Debian's haproxy")
def test_haproxy_accepts_the_configuration(tmp_path: Path):
    conf = tmp_path / "haproxy.cfg"
    conf.write_text(roles.haproxy_config(tmp_path / "haproxy.sock"))
    checked = subprocess.run(["haproxy", "-c", "-f", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


class _Wall(Wall):
    """A wall whose messages the test gives (no stream is opened)."""

    def __init__(self, messages):  # the parent would open a stream
        self.messages = messages


def test_a_wall_counts_as_stale_as_assets_wall_js_shows_it():
    wall = _Wall([(100.0, {"redis": True, "heartbeat_age": 1.0}),
                  (102.0, {"redis": False, "heartbeat_age": None})])  # fmt: skip
    assert not wall.stale_at(101.0)  # fresh
    assert wall.stale_at(99.0)  # nothing received yet: disconnected
    assert wall.stale_at(102.5)  # Redis down
    fresh = _Wall([(100.0, {"redis": True, "heartbeat_age": 1.0})])
    assert not fresh.stale_at(100.0 + STALL_S - 0.1)
    assert fresh.stale_at(100.0 + STALL_S + 0.1)  # no message for 10 s: disconnected
    old = _Wall([(100.0, {"redis": True, "heartbeat_age": STALE_S - 1})])
    assert old.stale_at(101.5)  # the heartbeat's age grows on the screen's own clock
    assert wall.stale_seconds(100.0, 104.0) == pytest.approx(2.0)


def test_seconds_without_ingest_count_only_while_confirmed_events_wait():
    watch = IngestWatch(producer=None)
    # (at, events in SQL, events confirmed by Redis)
    watch.samples = [(0, 0, 0), (1, 5, 5), (2, 5, 8), (3, None, 9), (4, 5, 9), (5, 9, 9),
                     (6, 9, 9), (7, 9, 9), (8, 12, 12)]  # fmt: skip
    assert watch.longest_stall() == 2  # from 2 s (8 confirmed, 5 applied) to 4 s
    assert watch.longest_quiet() == 4  # SQL grew at 1, 5 and 8 s
