"""Seed the database with two years of history for the county in the master data.

    python -m demo.seed [--incidents N] [--disputes N] [--scale demo|city]
                          [--seed S] [--database-url URL] [--workers N]
                          [--stages incidents,disputes,summaries,analyze]
                          [--chunk N] [--force]

Every generated stream entry goes through the contract's `parse_entry` (with a
synthetic stream id, increasing by day and within it) and every row through
`worker.fold`, exactly as ingest does; only the writing is set-based: psycopg COPY on
PostgreSQL, executemany on SQLite. Days are independent, so worker processes generate
and fold them while the main process writes. tests/test_seed.py proves the result
equal, row for row, to pushing the same events through `worker.apply.apply_events`.

The build runs in stages, each shown with its rate and ETA: `incidents` and `disputes`
(the history), `summaries` (the set-based rebuild of the incident and dispute summary tables) and
`analyze` (planner statistics; on PostgreSQL VACUUM ANALYZE, which also sets the
visibility map that index-only scans need). The history commits per chunk of whole days
together with its reach (demo.seed_progress), so a killed build run again continues
from the first unfinished day, with the plan it recorded, and ends identical to one that
never stopped. A finished stage is not run again; a database that already held history
before stages were recorded counts as finished. Before writing, the estimated size is
checked against the free disk where the database lives (demo.seed_disk).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select

from common import clock
from common.config import Settings, load_settings
from common.logging_setup import setup_logging
from data_access.db import make_engine
from data_access.masterdata import load_masterdata, load_sla
from data_access.models import (
    Dispute,
    DisputeEvent,
    Incident,
    IncidentDaily,
    IncidentDueDaily,
    IncidentEvent,
)
from data_access.schema import migrate
from data_access.sla import Sla
from demo import seed_disk, seed_progress
from demo.county import DEFAULT_SEED, Model, load_model
from demo.history import HISTORY_DAYS, Day, day_history, day_plan
from demo.progress import Progress
from demo.seed_progress import HISTORY_STAGES, NEEDS, STAGES, Plan, Reach
from worker import dispute_summaries, summaries
from worker.apply import event_row
from worker.contract import Event, parse_entry
from worker.fold import fold_dispute, fold_incident

SCALES = {"demo": (180_000, 12_000), "city": (5_000_000, 300_000)}
WORKERS = min(os.cpu_count() or 1, 8)
CHUNK = 10_000  # lifecycles per commit: bounds memory and the work a kill loses
HISTORY = {  # stage: (generator kind, state model, event model)
    "incidents": ("incident", Incident, IncidentEvent),
    "disputes": ("dispute", Dispute, DisputeEvent),
}
ANALYZED = (Incident, IncidentEvent, Dispute, DisputeEvent, IncidentDaily, IncidentDueDaily)


class SeedRefused(Exception):
    """The build cannot go on as asked; the message says why and what to do."""


@dataclass
class SeedResult:
    skipped: bool
    incidents: int = 0
    disputes: int = 0
    events: int = 0
    seconds: float = 0.0
    stages: list[str] = field(default_factory=list)  # the stages this run ran


@dataclass(frozen=True)
class _Job:
    """What generating and folding a day needs (pickled once into each worker)."""

    model: Model
    sla: Sla
    tz: ZoneInfo
    now: datetime
    seed: int
    kind: str


_job: _Job | None = None


def _set_job(job: _Job) -> None:
    global _job
    _job = job


def stream_ids(day: date) -> Iterator[str]:
    """Synthetic stream ids for a day's entries: increasing with the day, then in order."""
    return (f"{day.toordinal()}-{n}" for n in count(1))


def to_events(
    lifecycle: list[dict], ids: Iterator[str], tz: ZoneInfo, now: datetime
) -> list[Event]:
    """Stream entries -> validated Events, as ingest would see them (ContractError if not)."""
    return [parse_entry(next(ids), fields, tz, now) for fields in lifecycle]


def _fold_day(plan: tuple[Day, int]) -> tuple[date, int, list[dict], list[dict]]:
    """(day, lifecycles, entity rows, event rows) of one day of the current job."""
    job = _job
    day, total = plan
    ids = stream_ids(day.day)
    rows, event_rows = [], []
    id_column = f"{job.kind}_id"
    for lifecycle in day_history(job.model, job.seed, day, total, job.now, job.kind, job.tz):
        events = to_events(lifecycle, ids, job.tz, job.now)
        if job.kind == "incident":
            row = fold_incident(events, job.sla, job.tz, job.now)
        else:
            row = fold_dispute(events, job.tz, job.now)
        if row is not None:
            rows.append(row)
        event_rows.extend(event_row(e, id_column) for e in events)
    return day.day, total, rows, event_rows


def _chunked(results: Iterable[tuple], size: int) -> Iterator[tuple]:
    """Merge per-day results into chunks of whole days, at least `size` lifecycles each:
    (last day, lifecycles, entity rows, event rows)."""
    done, rows, event_rows, last = 0, [], [], None
    for last, n, day_rows, day_events in results:
        done += n
        rows += day_rows
        event_rows += day_events
        if done >= size:
            yield last, done, rows, event_rows
            done, rows, event_rows = 0, [], []
    if done:
        yield last, done, rows, event_rows


def _folded(
    job: _Job, plan: list[tuple[Day, int]], workers: int, chunk: int = CHUNK
) -> Iterator[tuple]:
    """Folded chunks in day order. With workers, days are folded in parallel while the
    caller writes; at most two days a worker are in flight, so memory stays bounded."""
    if workers <= 1:
        _set_job(job)
        yield from _chunked(map(_fold_day, plan), chunk)
        return
    slots = threading.BoundedSemaphore(2 * workers)

    def feed() -> Iterator[tuple[Day, int]]:
        for item in plan:
            slots.acquire()
            yield item

    def received(results: Iterable[tuple]) -> Iterator[tuple]:
        for result in results:
            slots.release()
            yield result

    with multiprocessing.get_context("spawn").Pool(workers, _set_job, (job,)) as pool:
        yield from _chunked(received(pool.imap(_fold_day, feed())), chunk)


def _naive_utc(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _copy(conn: Connection, table, rows: list[dict]) -> None:
    """PostgreSQL COPY into `table` on the transaction's own connection."""
    columns = [c.name for c in table.columns]
    cursor = conn.connection.driver_connection.cursor()
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([_naive_utc(row[c]) for c in columns])
    cursor.close()


def write_rows(conn: Connection, model, rows: list[dict]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, model.__table__, rows)
    else:
        conn.execute(model.__table__.insert(), rows)


def is_seeded(engine: Engine) -> bool:
    """Whether the database holds any history (incidents or disputes)."""
    with engine.connect() as conn:
        return _has_history(conn)


def _has_history(conn: Connection) -> bool:
    return any(
        conn.execute(select(func.count()).select_from(model)).scalar()
        for model in (Incident, Dispute)
    )


# ---------------------------------------------------------------- the stages


@dataclass
class _Build:
    """One run of the seeder over a recorded plan."""

    engine: Engine
    model: Model
    sla: Sla
    tz: ZoneInfo
    plan: Plan
    reach: dict[str, Reach]
    result: SeedResult
    show_progress: bool
    workers: int
    chunk: int

    def say(self, message: str) -> None:
        if self.show_progress:
            print(message, file=sys.stderr, flush=True)

    def history(self, stage: str) -> None:
        """Write the stage's days after its last committed one, a chunk per commit."""
        kind, state_model, event_model = HISTORY[stage]
        total, reach = self.plan.total(stage), self.reach[stage]
        days = day_plan(self.plan.seed, total, self.plan.until, kind, self.tz, self.plan.days)
        if reach.last_day is not None:
            days = [(day, n) for day, n in days if day.day > reach.last_day]
            self.say(f"{stage}: resuming after {reach.last_day} ({reach.done:,} of {total:,})")
        progress = Progress(total, stage, done=reach.done) if self.show_progress else None
        job = _Job(self.model, self.sla, self.tz, self.plan.until, self.plan.seed, kind)
        for last_day, done, rows, event_rows in _folded(job, days, self.workers, self.chunk):
            with self.engine.begin() as conn:
                write_rows(conn, state_model, rows)
                write_rows(conn, event_model, event_rows)
                seed_progress.advance(conn, stage, last_day, done)
            self.result.events += len(event_rows)
            if stage == "incidents":
                self.result.incidents += len(rows)
            else:
                self.result.disputes += len(rows)
            if progress:
                progress.update(done)
        if progress:
            progress.close()
        with self.engine.begin() as conn:
            seed_progress.finish(conn, stage, clock.now())

    def summaries(self) -> None:
        """The set-based equivalent of ingest's summary deltas (tests prove them equal)."""
        steps = len(summaries.SUMMARIES) + 1  # each incident table, then the disputes'
        progress = Progress(steps, "summaries (tables)") if self.show_progress else None
        step = (lambda: progress.update(1)) if progress else (lambda: None)
        with self.engine.begin() as conn:
            summaries.rebuild_in(conn, done=step)
            dispute_summaries.rebuild_in(conn)
            step()
            seed_progress.finish(conn, "summaries", clock.now())
        if progress:
            progress.close()

    def analyze(self) -> None:
        """Planner statistics for the written tables; on PostgreSQL VACUUM too, outside a
        transaction, so index-only scans find their pages all-visible."""
        progress = Progress(len(ANALYZED), "analyze (tables)") if self.show_progress else None
        postgres = self.engine.dialect.name == "postgresql"
        verb = "VACUUM ANALYZE" if postgres else "ANALYZE"
        with self.engine.connect() as conn:
            if postgres:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for model in ANALYZED:
                conn.exec_driver_sql(f'{verb} "{model.__tablename__}"')
                if not postgres:
                    conn.commit()
                if progress:
                    progress.update(1)
        if progress:
            progress.close()
        with self.engine.begin() as conn:
            seed_progress.finish(conn, "analyze", clock.now())

    def run(self, stage: str) -> None:
        if stage in HISTORY_STAGES:
            self.history(stage)
        else:
            getattr(self, stage)()
        self.result.stages.append(stage)


def _pending(stages: Sequence[str], reach: dict[str, Reach]) -> list[str]:
    """The selected stages not finished yet, in build order; refuses a stage whose
    prerequisites are neither finished nor selected."""
    todo = [s for s in STAGES if s in stages and not reach[s].finished]
    for stage in todo:
        missing = [n for n in NEEDS.get(stage, ()) if not reach[n].finished and n not in todo]
        if missing:
            raise SeedRefused(
                f"stage {stage} needs {', '.join(missing)} first: "
                f"add {','.join(missing)} to --stages"
            )
    return todo


def check_disk(
    engine: Engine, plan: Plan, reach: dict[str, Reach], todo: list[str], force: bool = False
) -> str:
    """Refuse (SeedRefused) when the history left to write will not fit, unless `force`;
    else say what was checked."""
    left = {s: plan.total(s) - reach[s].done if s in todo else 0 for s in HISTORY_STAGES}
    need = seed_disk.estimate(engine.dialect.name, left["incidents"], left["disputes"])
    if not need:
        return "disk: no history left to write"
    path = seed_disk.data_path(engine)
    if path is None:
        unseen = "free space not checked (the server's disk is not visible here)"
        return f"disk: need about {seed_disk.gb(need)}; {unseen}"
    free = seed_disk.free_bytes(path)
    short = (
        f"not enough disk: the build needs about {seed_disk.gb(need)} at {path}, "
        f"{seed_disk.gb(free)} is free"
    )
    if seed_disk.shortfall(need, free):
        if force:
            return f"{short} (--force: building anyway)"
        raise SeedRefused(
            f"{short}. Free some space, build a smaller history (--incidents/--disputes), "
            "or pass --force to try anyway"
        )
    return f"disk: need about {seed_disk.gb(need)} at {path}, {seed_disk.gb(free)} free"


def seed_history(
    engine: Engine,
    model: Model,
    sla: Sla,
    tz: ZoneInfo,
    now: datetime,
    incidents: int,
    disputes: int,
    seed: int = DEFAULT_SEED,
    show_progress: bool = True,
    days: int = HISTORY_DAYS,
    workers: int = 1,
    stages: Sequence[str] = STAGES,
    chunk: int = CHUNK,
    force: bool = False,
) -> SeedResult:
    """Run the selected stages not finished yet (skipped: none were left).

    A new build records its plan with `now` as the instant its history runs up to; an
    unfinished one resumes with the plan it recorded (SeedRefused if the volumes asked
    for differ). `workers` > 1 generates and folds in that many processes; the result is
    the same, as it is whatever `chunk` (lifecycles per commit).
    """
    started = time.monotonic()
    asked = Plan(seed, now, days, incidents, disputes)
    with engine.connect() as conn:
        recorded = seed_progress.load(conn)
        if recorded is None and _has_history(conn):
            return SeedResult(skipped=True)  # seeded before stages were recorded
    plan, reach = recorded or (asked, {stage: Reach() for stage in STAGES})
    todo = _pending(stages, reach)
    if not todo:
        return SeedResult(skipped=True)
    history_left = [s for s in todo if s in HISTORY_STAGES]
    if history_left and not plan.same_volumes(asked):
        raise SeedRefused(
            f"this database holds an unfinished build of {plan.incidents:,} incidents and "
            f"{plan.disputes:,} disputes (seed {plan.seed}, {plan.days} days): run again "
            f"with --incidents {plan.incidents} --disputes {plan.disputes} --seed "
            f"{plan.seed} to resume it, or seed a fresh database"
        )
    checked = check_disk(engine, plan, reach, todo, force)
    build = _Build(
        engine, model, sla, tz, plan, reach, SeedResult(False), show_progress, workers, chunk
    )
    build.say(checked)
    if recorded is None:
        with engine.begin() as conn:
            seed_progress.start(conn, plan)
    for stage in todo:
        build.run(stage)
    build.result.seconds = time.monotonic() - started
    return build.result


def run(
    settings: Settings,
    incidents: int,
    disputes: int,
    seed: int = DEFAULT_SEED,
    show_progress: bool = True,
    workers: int = 1,
    stages: Sequence[str] = STAGES,
    chunk: int = CHUNK,
    force: bool = False,
) -> SeedResult:
    """Migrate, load the master data, then run the stages of the build not yet done.

    The history folds with the SLA rules and working-day calendar ingest uses (the
    settings' CC_SLA_RULES and CC_CALENDAR, else the master data's), so a seeded deadline
    is the one ingest would have given it."""
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        load_masterdata(engine, settings.masterdata_dir)
        model = load_model(settings.masterdata_dir, seed)
        return seed_history(
            engine,
            model,
            load_sla(engine, settings),  # ingest's rules and calendar (CC_SLA_RULES, CC_CALENDAR)
            settings.tz,
            clock.now(),
            incidents,
            disputes,
            seed,
            show_progress,
            workers=workers,
            stages=stages,
            chunk=chunk,
            force=force,
        )
    finally:
        engine.dispose()


def _stages(value: str) -> list[str]:
    chosen = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in STAGES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {','.join(STAGES)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed two years of history (resumable).")
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--incidents", type=int, help="default: 180,000 (demo), 5,000,000 (city)")
    parser.add_argument("--disputes", type=int, help="default: 12,000 (demo), 300,000 (city)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database-url", help="default: CC_DATABASE_URL")
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="generating processes (default: CPUs)"
    )
    parser.add_argument(
        "--stages", type=_stages, default=list(STAGES), help=f"default: {','.join(STAGES)}"
    )
    parser.add_argument(
        "--chunk", type=int, default=CHUNK, help=f"lifecycles per commit (default: {CHUNK:,})"
    )
    parser.add_argument("--force", action="store_true", help="build even if the disk looks short")
    args = parser.parse_args(argv)
    setup_logging("seed")
    settings = load_settings()
    if args.database_url:
        settings = settings.with_(database_url=args.database_url)
    incidents, disputes = SCALES[args.scale]
    incidents = incidents if args.incidents is None else args.incidents
    disputes = disputes if args.disputes is None else args.disputes
    try:
        result = run(
            settings,
            incidents,
            disputes,
            args.seed,
            workers=args.workers,
            stages=args.stages,
            chunk=max(args.chunk, 1),
            force=args.force,
        )
    except SeedRefused as refused:
        print(f"demo.seed: {refused}", file=sys.stderr)
        return 2
    if result.skipped:
        print("the selected stages are already built; nothing to do", file=sys.stderr)
        return 0
    line = f"ran {','.join(result.stages)} in {result.seconds:.1f} s"
    if result.incidents or result.disputes:
        rate = result.incidents / result.seconds if result.seconds else 0.0
        line += (
            f": {result.incidents:,} incidents, {result.disputes:,} disputes, "
            f"{result.events:,} events ({rate:,.0f} incidents/s)"
        )
    print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
