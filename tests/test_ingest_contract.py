"""CONTRACT section 1, rule by rule, end to end: XADD -> ingest -> SQL (both databases)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from common import clock
from data_access.models import Dispute, DisputeEvent, Incident, IncidentEvent
from tests.factories import TZ, accepted, entry, reported
from tests.servers import drain, fast_ingest, publish

NOW = clock.now().replace(microsecond=0)


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def ts(hours: float) -> str:
    """An instant as producers send it: ISO 8601 in local time with its offset."""
    return at(hours).astimezone(TZ).isoformat()


@pytest.fixture
def run(settings, redis_client, engine):
    """Publish each argument as one batch and let ingest handle it before the next."""
    ingest = fast_ingest(settings)

    def go(*batches: list[dict]) -> list[list[str]]:
        ids = []
        for batch in batches:
            ids.append(publish(redis_client, settings.stream_key, batch))
            drain(ingest)
        return ids

    yield go
    ingest.close()


def incident(engine, ident: str) -> Incident | None:
    with engine.connect() as conn:
        return conn.execute(select(Incident).where(Incident.id == ident)).first()


def event_count(engine, ident: str) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(IncidentEvent.incident_id == ident)
        return conn.execute(query).scalar()


def dead_letters(redis_client, settings) -> dict[str, dict[str, str]]:
    """source_id -> the dead-lettered fields."""
    out = {}
    for _, raw in redis_client.xrange(settings.dead_key):
        fields = {k.decode(): v.decode() for k, v in raw.items()}
        out[fields["source_id"]] = fields
    return out


def test_duplicate_event_id_changes_nothing(run, engine, redis_client, settings):
    first = reported("INC-D", ts(-5), event_id="E-dup", town="A")
    twin = reported("INC-D", ts(-4), event_id="E-dup", town="B")
    run([first, twin], [twin])
    row = incident(engine, "INC-D")
    assert (row.town, row.reported_at) == ("A", at(-5))
    assert event_count(engine, "INC-D") == 1
    assert dead_letters(redis_client, settings) == {}


def test_late_and_out_of_order_events(run, engine):
    run(
        [
            entry("INC-L", "resolved", ts(-1)),
            reported("INC-L", ts(-5)),
            entry("INC-L", "dispatched", ts(-3), department="D1"),
        ],
        [entry("INC-L", "in_progress", ts(-2))],  # late: older than the resolution
    )
    row = incident(engine, "INC-L")
    assert (row.status, row.status_at, row.closed_at) == ("resolved", at(-1), at(-1))
    assert row.department == "D1"
    assert event_count(engine, "INC-L") == 4


def test_lifecycle_event_before_its_creating_event(run, engine):
    run([entry("INC-E", "dispatched", ts(-3), department="D9")])
    assert incident(engine, "INC-E") is None
    assert event_count(engine, "INC-E") == 1  # kept, waiting for its creating event
    run([reported("INC-E", ts(-5))])
    row = incident(engine, "INC-E")
    assert (row.status, row.department, row.reported_at) == ("dispatched", "D9", at(-5))


def test_a_second_reported_changes_nothing_an_earlier_one_defines(run, engine):
    run(
        [reported("INC-R", ts(-5), town="A"), entry("INC-R", "closed", ts(-2))],
        [reported("INC-R", ts(-1), town="B")],
    )
    row = incident(engine, "INC-R")
    assert (row.status, row.closed_at, row.town, row.reported_at) == ("closed", at(-2), "A", at(-5))
    run([reported("INC-R", ts(-6), town="C")])  # earlier by ts: it creates the incident
    row = incident(engine, "INC-R")
    assert (row.status, row.closed_at, row.town, row.reported_at) == ("closed", at(-2), "C", at(-6))
    assert event_count(engine, "INC-R") == 4


def test_reopened_sets_a_new_deadline(run, engine):
    run(
        [
            reported("INC-O", ts(-100), priority="normal"),
            entry("INC-O", "resolved", ts(-90)),
        ]
    )
    assert incident(engine, "INC-O").deadline == at(-100 + 72)
    run([entry("INC-O", "reopened", ts(-80), deadline=ts(5))])
    row = incident(engine, "INC-O")
    assert (row.status, row.deadline, row.closed_at) == ("reopened", at(5), None)
    run([entry("INC-O", "reopened", ts(-70))])  # no deadline: the SLA rule from its ts
    assert incident(engine, "INC-O").deadline == at(-70 + 72)
    run([entry("INC-O", "closed", ts(-60))])
    row = incident(engine, "INC-O")
    assert (row.status, row.closed_at) == ("closed", at(-60))


def test_escalation_levels(run, engine):
    run([reported("INC-X", ts(-9)), entry("INC-X", "dispatched", ts(-8), department="D1")])
    assert incident(engine, "INC-X").escalation_level == 0
    run([entry("INC-X", "escalated", ts(-7))])
    row = incident(engine, "INC-X")
    assert (row.escalation_level, row.status) == (1, "dispatched")
    run(
        [entry("INC-X", "escalated", ts(-6), level=3), entry("INC-X", "escalated", ts(-5), level=2)]
    )
    row = incident(engine, "INC-X")
    assert (row.escalation_level, row.status, row.status_at) == (3, "dispatched", at(-8))


def test_unknown_codes_and_fields_are_accepted(run, engine):
    run(
        [
            reported(
                "INC-U",
                ts(-3),
                town="Brand-New-Town",
                channel="carrier_pigeon",
                category="alien_visit",
                grid="G-NEW",
                weather="foggy",
            ),
            entry("INC-U", "dispatched", ts(-2), department="DEPT-NEW", note="kept"),
        ]
    )
    row = incident(engine, "INC-U")
    assert (row.town, row.channel, row.category, row.grid, row.department) == (
        "Brand-New-Town", "carrier_pigeon", "alien_visit", "G-NEW", "DEPT-NEW",
    )  # fmt: skip
    with engine.connect() as conn:
        fields = [json.loads(f) for f in conn.execute(select(IncidentEvent.fields)).scalars()]
    assert {f.get("weather") for f in fields} >= {"foggy"}
    assert {f.get("note") for f in fields} >= {"kept"}


def test_disputes(run, engine):
    run(
        [
            accepted("DSP-1", ts(-9), mediation_type="people", mediator="M1"),
            entry("DSP-1", "mediating", ts(-8), entity="dispute"),
            entry("DSP-1", "mediated", ts(-7), entity="dispute", judicial_confirmation="true"),
        ],
        [accepted("DSP-1", ts(-1), town="Other")],
    )
    with engine.connect() as conn:
        row = conn.execute(select(Dispute).where(Dispute.id == "DSP-1")).first()
        events = conn.execute(select(func.count()).select_from(DisputeEvent)).scalar()
    assert (row.status, row.resolved_at, row.judicial_confirmation) == ("mediated", at(-7), True)
    assert (row.town, row.mediator, events) == ("T1", "M1", 4)


def _bad_entries() -> list[tuple[dict, str]]:
    """(entry, words its dead-letter reason must contain): one per way to break CONTRACT 1."""
    ok = reported("INC-B", ts(-1))

    def without(name: str) -> dict:
        return {k: v for k, v in ok.items() if k != name}

    return [
        (without("event_id"), "missing required field 'event_id'"),
        (without("entity"), "missing required field 'entity'"),
        (without("id"), "missing required field 'id'"),
        (without("status"), "missing required field 'status'"),
        (without("ts"), "missing required field 'ts'"),
        ({**ok, "id": "  "}, "empty required field 'id'"),
        (without("channel"), "missing required field 'channel'"),
        (without("category"), "missing required field 'category'"),
        ({**ok, "town": ""}, "empty required field 'town'"),
        ({**ok, "entity": "parcel"}, "entity 'parcel'"),
        ({**ok, "status": "mediated"}, "not in the incident lifecycle"),
        (accepted("DSP-B", ts(-1)) | {"status": "dispatched"}, "not in the dispute lifecycle"),
        ({**ok, "ts": "yesterday"}, "not an ISO 8601"),
        ({**ok, "ts": ts(25)}, "more than 24 h in the future"),
        ({**ok, "priority": "whenever"}, "priority 'whenever'"),
        ({**ok, "lat": "north"}, "lat 'north' is not a number"),
        ({**ok, "lon": "200"}, "out of range"),
        ({**ok, "deadline": "soon"}, "deadline 'soon'"),
        (entry("INC-B", "dispatched", ts(-1)), "missing required field 'department'"),
        (entry("INC-B", "closed", ts(-1), satisfaction="6"), "satisfaction '6'"),
        (entry("INC-B", "escalated", ts(-1), level="0"), "level '0'"),
        (entry("INC-B", "escalated", ts(-1), level="high"), "level 'high'"),
        (accepted("DSP-B", ts(-1)) | {"kind": ""}, "empty required field 'kind'"),
        (accepted("DSP-B", ts(-1), mediation_type="divine"), "mediation_type 'divine'"),
        (
            entry("DSP-B", "mediated", ts(-1), entity="dispute", judicial_confirmation="maybe"),
            "judicial_confirmation 'maybe'",
        ),
        ({**ok, "event_id": "E" * 200}, "too long"),
        ({**ok, "town": "T" * 65}, "too long"),
        # second edition
        (entry("INC-B", "escalated", ts(-1), level="32768"), "level '32768'"),
        (entry("INC-B", "escalated", ts(-1), level="100"), "from 1 to 99"),
        (entry("INC-B", "reopened", ts(-1), deadline="9999-12-31T23:00:00Z"), "after 2099"),
        ({**ok, "deadline": "1969-12-31T23:00:00Z"}, "before 1970"),
        ({**ok, "ts": "1969-07-20T20:17:00Z"}, "before 1970"),
        (entry("INC-B", "returned", ts(-1)), "missing required field 'reason'"),
        (entry("INC-B", "merged", ts(-1)), "missing required field 'into'"),
        (entry("INC-B", "merged", ts(-1), into="INC-B"), "into names the incident itself"),
        (entry("INC-B", "extended", ts(-1)), "exactly one of deadline or working_days"),
        (
            entry("INC-B", "extended", ts(-1), working_days="3", deadline=ts(20)),
            "exactly one of deadline or working_days",
        ),
        (entry("INC-B", "extended", ts(-1), working_days="0"), "working_days '0'"),
        (entry("INC-B", "extended", ts(-1), working_days="366"), "working_days '366'"),
        (entry("INC-B", "extended", ts(-1), working_days="2.5"), "working_days '2.5'"),
        (entry("INC-B", "extended", ts(-1), deadline="2100-01-01T08:00:00+08:00"), "after 2099"),
        (entry("INC-B", "visited", ts(-1), satisfaction="0"), "satisfaction '0'"),
        (entry("INC-B", "visited", ts(-1), solved="yes"), "solved 'yes'"),
        (entry("INC-B", "closed", ts(-1), solved="1"), "solved '1'"),
        (entry("INC-B", "contacted", ts(-1), reason="x" * 4001), "reason is too long"),
        ({**ok, "title": "t" * 201}, "title is too long (200"),
        ({**ok, "description": "d" * 4001}, "description is too long (4000"),
        (entry("INC-B", "acknowledged", ts(-1), note="n" * 4001), "note is too long"),
        ({**ok, "remark": "r" * 201}, "remark is too long (200"),
        (entry("INC-B", "signed", ts(-1), department="D" * 65), "department is too long"),
        (entry("INC-B", "archived", ts(-1)), "not in the incident lifecycle"),
    ]


def test_every_kind_of_malformed_entry_is_dead_lettered(run, engine, redis_client, settings):
    bad = _bad_entries()
    stream = []
    for i, (fields, _) in enumerate(bad):
        stream += [reported(f"INC-G{i}", ts(-2)), fields]
    ids = run(stream)[0]
    dead = dead_letters(redis_client, settings)
    assert len(dead) == len(bad)
    for i, (fields, reason) in enumerate(bad):
        letter = dead[ids[2 * i + 1]]
        assert reason in letter["error"], (fields, letter["error"])
        assert {k: letter[k] for k in fields} == fields  # the original fields, all of them
        assert incident(engine, f"INC-G{i}") is not None  # its valid neighbour applied
    assert incident(engine, "INC-B") is None
    assert int(redis_client.get(settings.key("events:dead:count"))) == len(bad)


def test_future_ts_within_24_hours_is_accepted(run, engine, redis_client, settings):
    run([reported("INC-F", ts(23)), reported("INC-F2", ts(24.5))])
    assert incident(engine, "INC-F").reported_at == at(23)
    assert incident(engine, "INC-F2") is None
    assert len(dead_letters(redis_client, settings)) == 1
