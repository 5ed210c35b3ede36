"""What a live page is pushed: the live version and ingest's heartbeat age, read together,
through one subscription per worker."""

from __future__ import annotations

import json
import threading
import time

from common.scope import COUNTY
from dashboard import live_hub
from dashboard.live_push import event_stream, shared_ticker, status_message
from data_access import live
from tests.servers import wait_for


def test_status_carries_version_and_heartbeat_age(settings, redis_client):
    k = live.keys(settings)
    quiet = status_message(settings)
    assert (quiet["version"], quiet["heartbeat_age"], quiet["redis"]) == (0, None, True)
    assert quiet["wall_ready"] is None
    redis_client.set(k.version, 7)
    redis_client.set(k.heartbeat, time.time() - 3)
    message = status_message(settings)
    assert message["version"] == 7
    assert 2.5 < message["heartbeat_age"] < 10
    assert live.pulse(settings)[0] == live.version(settings) == 7


def _tick(town: str) -> str:
    return json.dumps(
        {
            "ts": "2026-11-25T08:00:00+08:00",
            "entity": "incident",
            "id": f"INC-{town}",
            "status": "reported",
            "channel": "hotline_12345",
            "category": "sanitation",
            "town": town,
        }  # fmt: skip
    )


def test_ticker_is_read_once_per_version_and_again_for_a_new_one(app, settings, redis_client):
    """Every open wall is pushed every version: the ticker is read and named once."""
    k = live.keys(settings)
    with app.server.app_context():  # names come from the app's master data
        redis_client.set(k.version, 3)
        redis_client.zadd(k.ticker, {_tick("Alpha"): 1})
        first = status_message(settings, "en", scope=COUNTY)["ticker"]
        redis_client.zadd(k.ticker, {_tick("Beta"): 2})
        assert status_message(settings, "en", scope=COUNTY)["ticker"] == first  # the same version's
        zh = status_message(settings, "zh", scope=COUNTY)["ticker"]
        assert zh[0]["town"] == "Beta"  # its own language
        redis_client.set(k.version, 4)
        newer = status_message(settings, "en", scope=COUNTY)["ticker"]
        assert [t["town"] for t in newer] == ["Beta", "Alpha"]


def test_open_streams_share_one_subscription_and_see_each_change(app, settings, redis_client):
    """A worker's streams share one subscription (dashboard/live_hub.py): a version change
    reaches every stream, with Redis asked once per change, not once per stream."""
    k = live.keys(settings)
    streams = [event_stream(settings, None, ping_seconds=30) for _ in range(5)]
    with app.server.app_context():
        for stream in streams:
            next(stream), next(stream)  # retry:, then the first message
        wait_for(lambda: redis_client.pubsub_numsub(k.channel)[0][1] == 1, 5, what="hub")
        redis_client.set(k.version, 11)
        redis_client.publish(k.channel, 11)
        assert [json.loads(next(s)[6:])["version"] for s in streams] == [11] * 5
        assert redis_client.pubsub_numsub(k.channel)[0][1] == 1
    for stream in streams:
        stream.close()


def test_the_hub_wakes_streams_when_the_version_moved_without_a_message(settings, redis_client):
    """A subscription can miss a publish (Redis failed over under it): the version the hub
    reads each second moved, so the streams are woken anyway."""
    k = live.keys(settings)
    with live_hub.Hub(settings).reading() as hub:
        wait_for(lambda: redis_client.pubsub_numsub(k.channel)[0][1] == 1, 5, what="hub")
        seq, _ = hub.wait(hub.seq, 0)
        redis_client.set(k.version, 5)  # no publish
        woken = wait_for(lambda: _woken(hub, seq), 10, what="a wake-up")
        assert woken[1][0] == 5


def _woken(hub, seq: int):
    """The hub's next change after `seq`, or None when it only timed out."""
    found = hub.wait(seq, 1.0)
    return found if found[0] != seq else None


def test_a_burst_of_streams_reads_a_new_ticker_once(app, settings, monkeypatch):
    """The streams a version change wakes together ask for its ticker at once: one reads
    it, the others wait for that read."""
    reads = []

    def slow_ticker(cfg, limit):
        reads.append(limit)
        time.sleep(0.05)
        return []

    monkeypatch.setattr(live, "ticker", slow_ticker)

    def ask() -> None:
        with app.server.app_context():  # names come from the app's master data
            shared_ticker(settings, 21, "en", COUNTY)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1


def test_a_stream_reads_redis_itself_while_the_hub_has_not(app, settings, redis_client,
                                                          monkeypatch):  # fmt: skip
    """A hub thread that has not read yet (just started, or starved) never makes a stream
    report Redis as down: the stream reads the pulse itself."""
    monkeypatch.setattr(live_hub.Hub, "_run", lambda self: None)
    redis_client.set(live.keys(settings).version, 5)
    stream = event_stream(settings, None, ping_seconds=0.1)
    with app.server.app_context():
        next(stream), next(stream)  # retry:, then the first message
        message = json.loads(next(stream)[6:])
    stream.close()
    assert (message["redis"], message["version"]) == (True, 5)
