"""Acknowledgement (认领, dashboard.acknowledgement): two officers clicking at once add one
event, only duty officers may, every acknowledgement is audited, and only an overdue open
incident can be taken in hand (CONTRACT 2, Alerts), on both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import redis

from common.scope import using
from dashboard.acknowledgement import (
    NotAllowed,
    NotOpen,
    NotOverdue,
    acknowledge,
    event_id,
)
from dashboard.auth.roles import Principal
from data_access.audit import recent
from data_access.models import Incident
from tests.factories import apply_entries, entry, reported

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
OFFICERS = [Principal("user", f"officer{i}", "staff") for i in range(8)]


@pytest.fixture
def county(engine):
    apply_entries(
        engine,
        [
            reported("LATE", (NOW - 10 * H).isoformat(), deadline=(NOW - H).isoformat()),
            reported("SOON", (NOW - 10 * H).isoformat(), deadline=(NOW + H).isoformat()),
            reported("DONE", (NOW - 10 * H).isoformat(), deadline=(NOW - H).isoformat()),
            entry("DONE", "closed", (NOW - 2 * H).isoformat()),
        ],
        NOW,
    )
    return engine


def _stream(redis_client, settings) -> list[dict]:
    return [
        {k.decode(): v.decode() for k, v in fields.items()}
        for _id, fields in redis_client.xrange(settings.stream_key)
    ]


def test_two_officers_clicking_at_once_add_one_event(county, redis_client, settings):
    barrier = threading.Barrier(len(OFFICERS))
    outcomes = []

    def click(officer: Principal) -> None:
        barrier.wait()
        with using(officer.scope):  # as each officer's request would
            outcomes.append(acknowledge(county, redis_client, settings, "LATE", officer, NOW))

    threads = [threading.Thread(target=click, args=(o,)) for o in OFFICERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == len(OFFICERS)
    winners = [o for o in outcomes if o.new]
    assert len(winners) == 1
    winner = winners[0].by
    assert {o.by for o in outcomes} == {winner}  # the others are told who has it
    events = _stream(redis_client, settings)
    assert len(events) == 1
    assert events[0]["event_id"] == event_id("LATE", NOW - H)
    assert (events[0]["status"], events[0]["actor"]) == ("acknowledged", winner)
    audited = recent(county, "acknowledge")
    assert [(a["actor"], a["target"]) for a in audited] == [(winner, "incident LATE")]

    # ingest applies it: acknowledged by the winner at the click
    apply_entries(county, events, NOW)
    with county.connect() as conn:
        row = (
            conn.execute(Incident.__table__.select().where(Incident.id == "LATE")).mappings().one()
        )
    assert row["acknowledged_by"] == winner
    assert row["acknowledged_at"].replace(tzinfo=UTC) == NOW

    again = acknowledge(county, redis_client, settings, "LATE", OFFICERS[0], NOW + H)
    assert not again.new and again.by == winner  # a repeated click is the same event
    redis_client.delete(*redis_client.keys(f"{settings.stream_prefix}acknowledged:*"))
    later = acknowledge(county, redis_client, settings, "LATE", OFFICERS[0], NOW + 2 * H)
    assert not later.new and later.by == winner  # applied: known without the guard
    assert len(_stream(redis_client, settings)) == 1
    assert len(recent(county, "acknowledge")) == 1


@pytest.mark.parametrize("role", ["wall", "leader"])
def test_only_duty_officers_acknowledge(county, redis_client, settings, role):
    with pytest.raises(NotAllowed):
        acknowledge(county, redis_client, settings, "LATE", Principal("user", "x", role), NOW)
    with pytest.raises(NotAllowed):
        acknowledge(county, redis_client, settings, "LATE", None, NOW)
    assert _stream(redis_client, settings) == []
    assert recent(county, "acknowledge") == []
    taken = acknowledge(
        county, redis_client, settings, "LATE", Principal("user", "boss", "admin"), NOW
    )
    assert taken.new


def test_only_an_overdue_open_incident_is_acknowledged(county, redis_client, settings):
    officer = OFFICERS[0]
    with pytest.raises(NotOverdue):  # before its deadline it would not count
        acknowledge(county, redis_client, settings, "SOON", officer, NOW)
    for unknown in ("DONE", "NOPE"):
        with pytest.raises(NotOpen):
            acknowledge(county, redis_client, settings, unknown, officer, NOW)
    assert _stream(redis_client, settings) == []
    # at its deadline exactly, it is overdue
    assert acknowledge(county, redis_client, settings, "SOON", officer, NOW + H).new


def test_a_stream_outage_sends_nothing_and_a_later_click_can(
    county, redis_client, settings, monkeypatch
):
    officer = OFFICERS[0]

    def down(*_args, **_kwargs):
        raise redis.ConnectionError("stream down")

    with monkeypatch.context() as patch:
        patch.setattr(redis_client, "xadd", down)
        with pytest.raises(redis.RedisError):
            acknowledge(county, redis_client, settings, "LATE", officer, NOW)
    assert recent(county, "acknowledge") == []
    assert acknowledge(county, redis_client, settings, "LATE", officer, NOW).new
    assert len(_stream(redis_client, settings)) == 1
