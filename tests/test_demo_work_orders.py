"""The demo's work orders: the second edition's events at realistic rates, valid, never
from the future, in the seeded history and from the live simulator."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from common import clock
from common.config import PROJECT_ROOT
from data_access.db import make_engine
from data_access.masterdata import load_masterdata, load_sla
from data_access.models import Incident
from data_access.schema import migrate
from demo.county import load_model
from demo.history import SHANGHAI, Report, history, incident_events, pick_repeat, remember
from demo.rates import measure
from demo.seed import run, seed_history
from demo.simulate import Faults, Schedule, plan_lifecycle, with_deadline
from demo.simulate import run as simulate
from worker.contract import parse_entry
from worker.fold import fold_incident

NOW = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)  # 10:30 in the county
NEW = ("signed", "returned", "merged", "contacted", "extended", "visited", "acknowledged")

# (low, high) of each measured rate on a small history: the targets with room for chance
BANDS = {
    "signed on time": (0.94, 0.985),
    "returned": (0.018, 0.045),
    "extended": (0.03, 0.07),
    "contacted in 24h": (0.74, 0.88),
    "visited (of closed)": (0.76, 0.9),
    "solved": (0.88, 0.96),
    "merged (of reported)": (0.033, 0.058),
    "reopened": (0.004, 0.03),
    "on time": (0.92, 0.98),
    "satisfaction": (0.86, 0.94),
    "closure": (0.97, 1.0),
}


@pytest.fixture(scope="module")
def model():
    return load_model(PROJECT_ROOT / "masterdata")


def test_seeded_rates_are_within_their_bands(tmp_path, model, settings):
    url = f"sqlite:///{tmp_path / 'rates.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    seed_history(engine, model, load_sla(engine), SHANGHAI, NOW, 8000, 50, 4, False, days=240)
    rates = {rate.name: rate.value for rate in measure(engine, settings, NOW)}
    engine.dispose()
    outside = {
        name: round(rates[name], 4)
        for name, (low, high) in BANDS.items()
        if not low <= rates[name] <= high
    }
    assert not outside, outside


def test_history_events_keep_the_contract_and_never_come_from_the_future(model):
    statuses, merges = Counter(), 0
    ids = set()
    for lifecycle in history(model, 2, 3000, NOW, days=60):
        ids.add(lifecycle[0]["id"])
        for n, fields in enumerate(lifecycle):
            event = parse_entry(f"0-{n + 1}", fields, SHANGHAI, NOW)  # ContractError if not
            assert event.ts <= NOW
            statuses[event.status] += 1
            if event.status == "merged":
                merges += 1
                assert event.get("into") in ids and event.get("into") != event.id
    assert all(statuses[s] for s in NEW), statuses
    assert merges == statuses["merged"]


def test_a_repeat_is_merged_into_an_earlier_report_of_its_grid_and_category(model):
    rng = random.Random(5)
    original = incident_events(model, rng, "INC-A", NOW - timedelta(hours=3), NOW)
    report = Report("INC-A", original[0]["grid"], original[0]["category"])
    repeat = incident_events(model, rng, "INC-B", NOW - timedelta(hours=1), NOW, repeats=report)
    assert (repeat[0]["grid"], repeat[0]["category"]) == (report.grid, report.category)
    assert [e["status"] for e in repeat] == ["reported", "merged"]
    assert repeat[1]["into"] == "INC-A"
    earlier: list[Report] = []
    remember(earlier, repeat, report)  # a repeat is not itself named by later repeats
    assert earlier == []
    remember(earlier, original, None)
    assert earlier == [report]
    picks = [pick_repeat(random.Random(n), earlier) for n in range(2000)]
    assert 0.03 < sum(p is not None for p in picks) / 2000 < 0.06


def test_the_simulators_lifecycles_carry_the_new_events_valid_when_sped_up(model):
    """Sped up 60 times, each lifecycle's deadlines shrink with it: extensions still come
    before the deadline in force, and nothing is published before its ts."""
    rng = random.Random(8)
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    statuses, extended, earlier = Counter(), 0, []
    for n in range(1500):
        at = start + timedelta(minutes=7 * n)
        repeats = pick_repeat(rng, earlier)
        events = incident_events(model, rng, f"INC-S-{n}", at, None, False, SHANGHAI, repeats)
        remember(earlier, events, repeats)
        events = with_deadline(events, model, 60.0, SHANGHAI)
        schedule = Schedule()
        plan_lifecycle(events, 0.0, at, 60.0, Faults(0, 0, 0, 0), rng, schedule, SHANGHAI)
        published = schedule.due(float("inf"))
        late_enough = at + timedelta(days=30)
        parsed = [parse_entry(f"1-{k}", f, SHANGHAI, late_enough) for k, f in enumerate(published)]
        assert all("working_days" not in f for f in published)
        statuses.update(e.status for e in parsed)
        row = fold_incident(parsed, model.sla, SHANGHAI, late_enough)
        extended += row["extensions"]
    assert all(statuses[s] for s in NEW), statuses
    assert extended >= 0.8 * statuses["extended"] > 0


def test_the_running_simulator_publishes_the_new_events(redis_client, settings):
    """Arrivals follow the county's hour of day (few at night: at 04:00 five seconds gave 52
    dispatches and no return, at a 3 % return rate), so the simulator runs until each new
    status is in the stream, for a minute at most."""
    wanted = ("signed", "contacted", "returned", "merged")

    def events() -> list:
        now = clock.now()
        return [
            parse_entry(sid.decode(), {k.decode(): v.decode() for k, v in f.items()},
                        settings.tz, now)
            for sid, f in redis_client.xrange(settings.stream_key)
        ]  # fmt: skip

    def statuses() -> Counter:
        return Counter(e.status for e in events())

    give_up, looked = time.monotonic() + 60, [time.monotonic()]

    def stop() -> bool:
        if time.monotonic() > give_up:
            return True
        if time.monotonic() - looked[0] < 1:
            return False
        looked[0] = time.monotonic()
        return all(statuses()[s] for s in wanted)

    simulate(settings, 50_000, Faults(0, 0, 0, 0), 3, stop)
    now, found = clock.now(), events()
    counted = Counter(e.status for e in found)
    assert all(counted[s] for s in wanted), counted
    assert all(e.ts <= now + timedelta(seconds=1) for e in found)


def test_the_seeder_folds_with_the_settings_calendar(db_url, settings, tmp_path):
    """A county calendar that gives November and December off pushes every working-day
    deadline of November into 2027, as ingest would."""
    calendar = tmp_path / "calendar.csv"
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(61)]
    calendar.write_text("date,workday\n" + "".join(f"{d},0\n" for d in days))
    run(settings.with_(calendar_path=calendar), 600, 10, seed=2, show_progress=False)
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Incident.deadline, Incident.extensions, Incident.reopened).where(
                Incident.reported_day >= date(2026, 11, 2),
                Incident.reported_day <= date(2026, 11, 30),
                Incident.priority.in_(("high", "normal")),
            )
        ).all()
    engine.dispose()
    assert rows
    assert all(r.deadline.year == 2027 for r in rows if not r.reopened)
