"""The `simulate` process: publishes the demo county's live events to the stream.

Incidents and disputes arrive at the county's realistic rate (about 95,000 incidents a
year, following the daily rhythm of demo.history), in real time by default, or times a
speed-up factor (`--speed 60`, for demos and benchmarks); each
lifecycle comes from the same generator as the seeded history, with its delays divided
by the speed-up so a day's work plays out in minutes. Every event carries the real
instant it is published as `ts` (the contract refuses a `ts` far in the future), and a
shortened `deadline` when sped up, so overdue alerts still happen in proportion.

The lifecycles carry the work order's events of the contract's second edition (签收,
退回 and a new dispatch, 延期, 先行联系, 回访 with satisfaction and solved, 认领 of overdue
alerts) at the history's rates, and about one report in twenty-two repeats a recent one
(same grid and category) and is merged into it.

Realistic faults, each a configurable share: late events (published after a later one),
duplicates (same event_id twice), out-of-order pairs, and malformed entries (which
ingest must dead-letter). `--burst N` publishes N events as fast as possible, for load
tests, then exits.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import logging
import random
import signal
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis

from common import clock
from common.config import Settings, load_settings
from common.logging_setup import setup_logging
from common.workdays import working_days_after
from data_access.redis_client import get_redis
from demo.county import Model, load_model
from demo.history import (
    DISPUTE_HOURS,
    INCIDENT_HOURS,
    Report,
    dispute_events,
    incident_events,
    pick_repeat,
    remember,
)

log = logging.getLogger("simulate")

INCIDENTS_PER_YEAR = 95_000
DISPUTES_PER_YEAR = 5_000
MALFORMATIONS = (
    ("drop", "category"),
    ("drop", "ts"),
    ("set", ("ts", "yesterday at noon")),
    ("set", ("priority", "whenever")),
    ("set", ("lat", "north")),
    ("set", ("status", "teleported")),
    ("set", ("entity", "ufo")),
    ("set", ("event_id", "")),
)


@dataclass
class Faults:
    late: float = 0.02
    duplicate: float = 0.01
    out_of_order: float = 0.01
    malformed: float = 0.005


def hourly_rate(per_year: float, hour_weights: list[float], local_hour: int) -> float:
    """Expected arrivals per second in a local hour, following the daily rhythm."""
    share = hour_weights[local_hour] / sum(hour_weights)
    return per_year / 365.0 * share / 3600.0


def compress(events: list[dict], start: datetime, speed: float, tz) -> list[tuple[float, dict]]:
    """(seconds after `start` to publish, entry) for a lifecycle generated at `start`."""
    out = []
    for event in events:
        at = datetime.fromisoformat(event["ts"])
        offset = max(0.0, (at - start).total_seconds() / speed)
        fields = dict(event)
        if "deadline" in fields:
            deadline = datetime.fromisoformat(fields["deadline"])
            fields["deadline"] = (start + (deadline - start) / speed).astimezone(tz).isoformat()
        out.append((offset, fields))
    return out


def with_deadline(events: list[dict], model: Model, speed: float, tz) -> list[dict]:
    """When sped up, give every deadline explicitly, so `compress` shortens it in
    proportion: the creating event's and a reopen's from the SLA rules, an extension's by
    `working_days` from the deadline in force (the fold would count real working days)."""
    if speed == 1 or not events or events[0]["status"] != "reported":
        return events
    first = events[0]
    category, priority = first["category"], first.get("priority", "normal")
    channel = first["channel"]

    def rule(at: datetime) -> datetime:
        return model.sla.deadline(at, category, priority, channel, tz)

    out = []
    in_force = None
    for event in events:
        fields, at = dict(event), datetime.fromisoformat(event["ts"])
        status = fields["status"]
        if status in ("reported", "reopened"):
            if "deadline" not in fields:
                fields["deadline"] = rule(at).astimezone(tz).isoformat()
            in_force = datetime.fromisoformat(fields["deadline"])
        elif status == "extended" and in_force is not None:
            if "working_days" in fields:
                days = int(fields.pop("working_days"))
                moved = working_days_after(model.sla.calendar, in_force, days, tz)
                fields["deadline"] = moved.astimezone(tz).isoformat()
            if at <= in_force:
                in_force = datetime.fromisoformat(fields["deadline"])
        out.append(fields)
    return out


def malform(fields: dict, rng: random.Random) -> dict:
    action, arg = rng.choice(MALFORMATIONS)
    broken = dict(fields)
    if action == "drop":
        broken.pop(arg, None)
    else:
        broken[arg[0]] = arg[1]
    broken["event_id"] = broken.get("event_id") and f"{broken['event_id']}-bad"
    return broken


class Schedule:
    """Events waiting for their publish instant (monotonic seconds), earliest first."""

    def __init__(self):
        self._heap: list[tuple[float, int, dict]] = []
        self._order = itertools.count()

    def add(self, at: float, fields: dict) -> None:
        heapq.heappush(self._heap, (at, next(self._order), fields))

    def due(self, now: float) -> list[dict]:
        out = []
        while self._heap and self._heap[0][0] <= now:
            out.append(heapq.heappop(self._heap)[2])
        return out

    def __len__(self) -> int:
        return len(self._heap)


def plan_lifecycle(
    events: list[dict],
    start_mono: float,
    start: datetime,
    speed: float,
    faults: Faults,
    rng: random.Random,
    schedule: Schedule,
    tz,
) -> None:
    """Schedule a lifecycle: each event's `ts` is the instant it is meant to happen; late,
    out-of-order and duplicate deliveries change when it is published, not its `ts`, and
    only ever to later: an event is never published before its `ts` (a future `ts` would
    show an outcome on the wall before the figures may count it)."""
    timed = compress(events, start, speed, tz)
    for i, (offset, fields) in enumerate(timed):
        fields["ts"] = (start + timedelta(seconds=offset)).astimezone(tz).isoformat()
        at = start_mono + offset
        if i + 1 < len(timed) and rng.random() < faults.out_of_order:
            at = start_mono + timed[i + 1][0] + 0.001  # held until after its successor
        if rng.random() < faults.late:
            at += rng.uniform(1, 30)  # held back: arrives after later events
        schedule.add(at, fields)
        if rng.random() < faults.duplicate:
            schedule.add(at + rng.uniform(0.1, 5), fields)


def publish(r: redis.Redis, cfg: Settings, batch: list[dict], faults: Faults, rng) -> int:
    """XADD the due entries in one round trip; a share of them malformed on purpose."""
    if not batch:
        return 0
    pipe = r.pipeline(transaction=False)
    for fields in batch:
        entry = malform(fields, rng) if rng.random() < faults.malformed else fields
        pipe.xadd(cfg.stream_key, {k: v for k, v in entry.items() if v is not None})
    pipe.execute()
    return len(batch)


def run(cfg: Settings, speed: float, faults: Faults, seed: int | None, stop) -> None:
    model = load_model(cfg.masterdata_dir)
    rng = random.Random(seed)
    r = get_redis(cfg)
    tz = cfg.tz
    schedule = Schedule()
    run_tag = uuid.uuid4().hex[:4].upper()
    counter = itertools.count(1)
    earlier: list[Report] = []  # recent reports a repeat report may name
    last = time.monotonic()
    published = 0
    while not stop():
        now_mono = time.monotonic()
        elapsed, last = now_mono - last, now_mono
        now = clock.now()
        hour = now.astimezone(tz).hour
        for kind, per_year, weights in (
            ("incident", INCIDENTS_PER_YEAR, INCIDENT_HOURS),
            ("dispute", DISPUTES_PER_YEAR, DISPUTE_HOURS),
        ):
            expected = hourly_rate(per_year, weights, hour) * speed * elapsed
            arrivals = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(arrivals):
                stamp = now.astimezone(tz).strftime("%Y%m%d")
                n = next(counter)
                if kind == "incident":
                    ident = f"INC-{stamp}-L{run_tag}{n:05d}"
                    repeats = pick_repeat(rng, earlier)
                    events = incident_events(model, rng, ident, now, None, False, tz, repeats)
                    remember(earlier, events, repeats)
                    events = with_deadline(events, model, speed, tz)
                else:
                    ident = f"DSP-{stamp}-L{run_tag}{n:05d}"
                    events = dispute_events(model, rng, ident, now, None, tz)
                plan_lifecycle(events, now_mono, now, speed, faults, rng, schedule, tz)
        try:
            published += publish(r, cfg, schedule.due(now_mono), faults, rng)
        except redis.RedisError:
            log.warning("Redis unavailable; retrying", exc_info=False)
            time.sleep(1)
        time.sleep(0.1)
    log.info("published %d events; %d still scheduled", published, len(schedule))


def burst(cfg: Settings, count: int, seed: int | None) -> float:
    """Publish `count` valid events as fast as possible; returns events per second."""
    model = load_model(cfg.masterdata_dir)
    rng = random.Random(seed)
    r = get_redis(cfg)
    now, tz = clock.now(), cfg.tz
    run_tag = uuid.uuid4().hex[:6].upper()
    started, sent, n = time.perf_counter(), 0, 0
    pipe = r.pipeline(transaction=False)
    while sent < count:
        n += 1
        for fields in incident_events(model, rng, f"INC-BURST-{run_tag}-{n}", now, None, False, tz):
            if sent == count:
                break
            pipe.xadd(cfg.stream_key, {**fields, "ts": now.astimezone(tz).isoformat()})
            sent += 1
            if sent % 1000 == 0:
                pipe.execute()
    pipe.execute()
    return count / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Publish the demo county's live events.")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="speed-up factor: 1 (the default) is real time, a normal day; e.g. 60 for a "
        "fast demo or a benchmark",
    )
    parser.add_argument("--burst", type=int, default=0, help="publish N events at once, exit")
    parser.add_argument("--malformed", type=float, default=Faults.malformed)
    parser.add_argument("--late", type=float, default=Faults.late)
    parser.add_argument("--duplicate", type=float, default=Faults.duplicate)
    parser.add_argument("--out-of-order", type=float, default=Faults.out_of_order)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.speed <= 0:
        parser.error("--speed must be positive")
    setup_logging("simulate")
    cfg = load_settings()
    if args.burst:
        rate = burst(cfg, args.burst, args.seed)
        print(f"published {args.burst} events at {rate:,.0f} events/s")
        return
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    faults = Faults(args.late, args.duplicate, args.out_of_order, args.malformed)
    log.info("speed x%g, faults %s", args.speed, faults)
    run(cfg, args.speed, faults, args.seed, lambda: bool(stopping))


if __name__ == "__main__":
    main()
