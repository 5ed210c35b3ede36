"""The live state in Redis: ticker, open deadlines, version + pub/sub, heartbeat, rebuild."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from common import clock
from common.clock import parse_ts
from data_access import live
from tests.factories import TZ, entry, reported
from tests.servers import drain, fast_ingest, publish, wait_for


def ts(delta: timedelta) -> str:
    return (clock.now() + delta).astimezone(TZ).isoformat(timespec="milliseconds")


H = timedelta(hours=1)


@pytest.fixture
def ingest(settings, redis_client, db_url):
    ingest = fast_ingest(settings, ticker_size=5)
    yield ingest
    ingest.stop.set()
    ingest.close()


def test_ticker_deadlines_version_and_pubsub(ingest, settings, redis_client):
    subscription = live.subscribe(settings, redis_client)
    deadline = ts(5 * H)
    publish(
        redis_client,
        settings.stream_key,
        [
            reported(
                "INC-1",
                ts(-5 * H),
                title="联系电话13800001234",
                reporter_phone="13800001234",
                description="联系人王先生13900001111",
                deadline=deadline,
                actor="网格员wx13700002222",
            ),
            reported("INC-2", ts(-4 * H)),
            entry("INC-2", "closed", ts(-3 * H)),
            reported("INC-3", ts(-2 * H)),
        ],
    )
    before = live.version(settings, redis_client)
    drain(ingest)
    assert live.version(settings, redis_client) > before
    items = live.ticker(settings, 10, redis_client)
    assert [(i["id"], i["status"]) for i in items] == [
        ("INC-3", "reported"), ("INC-2", "closed"), ("INC-2", "reported"), ("INC-1", "reported"),
    ]  # fmt: skip
    first = items[-1]
    assert "reporter_phone" not in first
    assert first["title"] == "联系电话138****1234"
    assert first["description"] == "联系人王先生139****1111"
    assert first["actor"] == "网格员wx137****2222"
    assert first["ts"].endswith("+08:00")
    open_ = live.deadlines(settings, clock.now() + 1000 * H, r=redis_client)
    assert {i for i, _ in open_} == {"INC-1", "INC-3"}
    assert dict(open_)["INC-1"] == parse_ts(deadline, TZ)
    message = wait_for(lambda: subscription.get_message(timeout=0.2), 5, what="a publication")
    assert int(message["data"]) >= before + 1
    age = live.heartbeat_age(settings, r=redis_client)
    assert age is not None and age < 5

    publish(redis_client, settings.stream_key, [entry("INC-1", "resolved", ts(-H))])
    drain(ingest)
    assert {i for i, _ in live.deadlines(settings, clock.now() + 1000 * H, r=redis_client)} == {
        "INC-3"
    }
    # capped: the newest 5 by ts
    publish(redis_client, settings.stream_key, [reported(f"INC-{i}", ts(i * H)) for i in range(9)])
    drain(ingest)
    assert [i["id"] for i in live.ticker(settings, 10, redis_client)] == [
        f"INC-{i}" for i in (8, 7, 6, 5, 4)
    ]


def test_rebuild_from_sql_after_redis_lost_the_live_state(ingest, settings, redis_client):
    publish(
        redis_client,
        settings.stream_key,
        [reported(f"INC-{i}", ts(-i * H)) for i in range(8)]
        + [entry("INC-0", "closed", ts(0 * H))],
    )
    drain(ingest)
    ticker, deadlines = (
        live.ticker(settings, 10, redis_client),
        live.deadlines(settings, clock.now() + 1000 * H, r=redis_client),
    )
    k = live.keys(settings)
    redis_client.delete(k.ticker, k.deadlines, k.built)
    redis_client.zadd(k.deadlines, {"INC-GONE": 1.0})  # stale: not open in SQL
    before = live.version(settings, redis_client)
    ingest.step()
    assert live.ticker(settings, 10, redis_client) == ticker
    assert live.deadlines(settings, clock.now() + 1000 * H, r=redis_client) == deadlines
    assert live.version(settings, redis_client) > before


def test_a_passing_deadline_changes_the_version_without_an_event(ingest, settings, redis_client):
    due = clock.now() + timedelta(seconds=2)
    publish(
        redis_client,
        settings.stream_key,
        [reported("INC-T", ts(-H), deadline=due.astimezone(TZ).isoformat())],
    )
    drain(ingest)
    thread = threading.Thread(target=ingest.run, daemon=True)
    thread.start()
    version = live.version(settings, redis_client)
    length = redis_client.xlen(settings.stream_key)
    wait_for(lambda: live.version(settings, redis_client) > version, 15, 0.05, "a version bump")
    bumped = clock.now()
    assert timedelta(0) <= bumped - due < timedelta(seconds=5)
    assert redis_client.xlen(settings.stream_key) == length  # no event was needed
    ingest.stop.set()
    thread.join(10)
    assert not thread.is_alive()


def test_turning_red_changes_the_version_without_an_event(ingest, settings, redis_client):
    """CC_RED_HOURS after its deadline an open incident turns red (CONTRACT 2, Alerts):
    the walls are told at that instant, as when the deadline itself passed."""
    red_at = clock.now() + timedelta(seconds=2)
    deadline = red_at - timedelta(hours=settings.red_hours)
    publish(
        redis_client,
        settings.stream_key,
        [reported("INC-R", ts(-50 * H), deadline=deadline.astimezone(TZ).isoformat())],
    )
    drain(ingest)
    thread = threading.Thread(target=ingest.run, daemon=True)
    thread.start()
    version = live.version(settings, redis_client)
    wait_for(lambda: live.version(settings, redis_client) > version, 15, 0.05, "a version bump")
    assert timedelta(0) <= clock.now() - red_at < timedelta(seconds=5)
    ingest.stop.set()
    thread.join(10)
    assert not thread.is_alive()
