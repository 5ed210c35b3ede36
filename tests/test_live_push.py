"""What a live page is pushed: the live version and ingest's heartbeat age, read together."""

from __future__ import annotations

import time

from dashboard.live_push import status_message
from data_access import live


def test_status_carries_version_and_heartbeat_age(settings, redis_client):
    k = live.keys(settings)
    quiet = status_message(settings)
    assert (quiet["version"], quiet["heartbeat_age"], quiet["redis"]) == (0, None, True)
    redis_client.set(k.version, 7)
    redis_client.set(k.heartbeat, time.time() - 3)
    message = status_message(settings)
    assert message["version"] == 7
    assert 2.5 < message["heartbeat_age"] < 10
    assert live.pulse(settings)[0] == live.version(settings) == 7
