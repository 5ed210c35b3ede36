"""The simulator publishes contract-valid lifecycles, with the faults it is asked for."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime, timedelta

from common import clock
from demo.county import load_model
from demo.history import incident_events
from demo.simulate import Faults, Schedule, burst, malform, plan_lifecycle, run, with_deadline
from worker.contract import ContractError, parse_entry


def _entries(redis_client, settings) -> list[tuple[str, dict]]:
    return [
        (sid.decode(), {k.decode(): v.decode() for k, v in fields.items()})
        for sid, fields in redis_client.xrange(settings.stream_key)
    ]


def test_run_publishes_valid_lifecycles_at_speed(redis_client, settings):
    deadline = time.monotonic() + 4
    run(
        settings,
        speed=20_000,
        faults=Faults(0, 0, 0, 0),
        seed=7,
        stop=lambda: time.monotonic() > deadline,
    )
    entries = _entries(redis_client, settings)
    assert len(entries) > 20
    now = clock.now()
    events = [parse_entry(sid, fields, settings.tz, now) for sid, fields in entries]
    statuses = Counter(e.status for e in events)
    assert statuses["reported"] > 0 and statuses["dispatched"] > 0
    assert all(e.ts <= now + timedelta(seconds=5) for e in events)
    first = next(e for e in events if e.status == "reported")
    assert first.get("deadline"), "a sped-up incident carries its shortened deadline"


def test_faults_duplicate_out_of_order_and_malformed(settings):
    model = load_model(settings.masterdata_dir)
    rng = random.Random(3)
    schedule = Schedule()
    start = clock.now()
    events = incident_events(model, rng, "INC-T-1", start, None, False, settings.tz)
    events = with_deadline(events, model, 100.0, settings.tz)
    plan_lifecycle(events, 0.0, start, 100.0, Faults(0, 1.0, 0, 0), rng, schedule, settings.tz)
    assert len(schedule) == 2 * len(events)  # every event duplicated
    schedule = Schedule()
    plan_lifecycle(events, 0.0, start, 100.0, Faults(0, 0, 1.0, 0), rng, schedule, settings.tz)
    published = schedule.due(float("inf"))
    stamps = [e["ts"] for e in published]
    assert stamps != sorted(stamps), "out-of-order delivery publishes a later ts first"


def test_malformed_entries_break_the_contract(redis_client, settings):

    rng = random.Random(1)
    model = load_model(settings.masterdata_dir)
    events = incident_events(model, rng, "INC-T-2", clock.now(), None, False, settings.tz)
    broken = 0
    for _ in range(40):
        try:
            parse_entry("1-0", malform(events[0], rng), settings.tz, clock.now())
        except ContractError:
            broken += 1
    assert broken == 40


def test_burst_publishes_exactly_n(redis_client, settings):
    rate = burst(settings, 500, seed=1)
    assert redis_client.xlen(settings.stream_key) == 500
    assert rate > 0


def test_no_event_is_published_before_its_ts_whatever_the_faults(settings):
    """Late, duplicate and out-of-order deliveries only ever hold an event back."""
    model = load_model(settings.masterdata_dir)
    rng = random.Random(11)
    start = clock.now()
    for n in range(40):
        events = incident_events(model, rng, f"INC-T-{n}", start, None, False, settings.tz)
        schedule = Schedule()
        faults = Faults(late=1.0, duplicate=1.0, out_of_order=1.0, malformed=0)
        plan_lifecycle(events, 0.0, start, 100.0, faults, rng, schedule, settings.tz)
        offsets = sorted((datetime.fromisoformat(e["ts"]) - start).total_seconds() for e in events)
        for t in [o - 0.0005 for o in offsets] + [float("inf")]:
            for fields in schedule.due(t):
                assert datetime.fromisoformat(fields["ts"]) <= start + timedelta(seconds=t)
