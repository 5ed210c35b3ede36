"""Seed the database with two years of history for the county in the master data.

    python -m worker.seed [--incidents N] [--disputes N] [--scale demo|city]
                          [--seed S] [--database-url URL]

Every generated stream entry goes through the contract's `parse_entry` (with a
synthetic stream id, increasing by day and within it) and every row through
`worker.fold`, exactly as ingest does; only the writing is set-based: psycopg COPY on
PostgreSQL, executemany in one large transaction on SQLite. Days are independent, so
worker processes generate and fold them while the main process writes.
tests/test_seed.py proves the result equal, row for row, to pushing the same events
through `worker.apply.apply_events`.

Idempotent: a database that already holds incidents or disputes is left alone, and the
whole history is written in one transaction, so an interrupted run leaves nothing.
Memory stays bounded: lifecycles are generated, folded and written in chunks.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select

from common import clock
from common.config import Settings, load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata, load_sla
from data_access.models import Dispute, DisputeEvent, Incident, IncidentEvent
from data_access.schema import migrate
from worker import summaries
from worker.apply import event_row
from worker.contract import Event, parse_entry
from worker.county import DEFAULT_SEED, Model, load_model
from worker.fold import Sla, fold_dispute, fold_incident
from worker.history import HISTORY_DAYS, Day, day_history, day_plan
from worker.progress import Progress

SCALES = {"demo": (180_000, 12_000), "city": (5_000_000, 300_000)}
WORKERS = min(os.cpu_count() or 1, 8)
CHUNK = 10_000  # lifecycles per write: bounds memory (two chunks in flight at most)


@dataclass
class SeedResult:
    skipped: bool
    incidents: int = 0
    disputes: int = 0
    events: int = 0
    seconds: float = 0.0


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


def _fold_day(plan: tuple[Day, int]) -> tuple[int, list[dict], list[dict]]:
    """(lifecycles, entity rows, event rows) of one day of the current job."""
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
    return total, rows, event_rows


def _chunked(results: Iterable[tuple], size: int) -> Iterator[tuple]:
    """Merge per-day results into chunks of at least `size` lifecycles."""
    done, rows, event_rows = 0, [], []
    for n, day_rows, day_events in results:
        done += n
        rows += day_rows
        event_rows += day_events
        if done >= size:
            yield done, rows, event_rows
            done, rows, event_rows = 0, [], []
    if done:
        yield done, rows, event_rows


def _folded(job: _Job, plan: list[tuple[Day, int]], workers: int) -> Iterator[tuple]:
    """Folded chunks in day order. With workers, days are folded in parallel while the
    caller writes; at most two days a worker are in flight, so memory stays bounded."""
    if workers <= 1:
        _set_job(job)
        yield from _chunked(map(_fold_day, plan), CHUNK)
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
        yield from _chunked(received(pool.imap(_fold_day, feed())), CHUNK)


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
    with engine.connect() as conn:
        for model in (Incident, Dispute):
            if conn.execute(select(func.count()).select_from(model)).scalar():
                return True
    return False


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
) -> SeedResult:
    """Generate, fold and bulk-write a history (skipped when the database has one).

    `workers` > 1 generates and folds in that many processes; the result is the same.
    """
    if is_seeded(engine):
        return SeedResult(skipped=True)
    result = SeedResult(skipped=False)
    started = time.monotonic()
    plan = (
        ("incident", incidents, Incident, IncidentEvent),
        ("dispute", disputes, Dispute, DisputeEvent),
    )
    with engine.begin() as conn:
        for kind, total, state_model, event_model in plan:
            if not total:
                continue
            progress = Progress(total, f"{kind}s") if show_progress else None
            job = _Job(model, sla, tz, now, seed, kind)
            days_plan = day_plan(seed, total, now, kind, tz, days)
            for done, rows, event_rows in _folded(job, days_plan, workers):
                write_rows(conn, state_model, rows)
                write_rows(conn, event_model, event_rows)
                result.events += len(event_rows)
                if kind == "incident":
                    result.incidents += len(rows)
                else:
                    result.disputes += len(rows)
                if progress:
                    progress.update(done)
            if progress:
                progress.close()
        # the set-based equivalent of ingest's summary deltas (tests prove them equal)
        summaries.rebuild_in(conn)
    result.seconds = time.monotonic() - started
    return result


def run(
    settings: Settings,
    incidents: int,
    disputes: int,
    seed: int = DEFAULT_SEED,
    show_progress: bool = True,
    workers: int = 1,
) -> SeedResult:
    """Migrate, load the master data, then seed the history if the database has none."""
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        load_masterdata(engine, settings.masterdata_dir)
        model = load_model(settings.masterdata_dir, seed)
        return seed_history(
            engine,
            model,
            load_sla(engine),
            settings.tz,
            clock.now(),
            incidents,
            disputes,
            seed,
            show_progress,
            workers=workers,
        )
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed two years of history (idempotent).")
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--incidents", type=int, help="default: 180,000 (demo), 5,000,000 (city)")
    parser.add_argument("--disputes", type=int, help="default: 12,000 (demo), 300,000 (city)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database-url", help="default: CC_DATABASE_URL")
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="generating processes (default: CPUs)"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.database_url:
        settings = settings.with_(database_url=args.database_url)
    incidents, disputes = SCALES[args.scale]
    incidents = incidents if args.incidents is None else args.incidents
    disputes = disputes if args.disputes is None else args.disputes
    result = run(settings, incidents, disputes, args.seed, workers=args.workers)
    if result.skipped:
        print("database already holds history; nothing seeded", file=sys.stderr)
        return 0
    rate = result.incidents / result.seconds if result.seconds else 0.0
    print(
        f"seeded {result.incidents:,} incidents, {result.disputes:,} disputes, "
        f"{result.events:,} events in {result.seconds:.1f} s ({rate:,.0f} incidents/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
