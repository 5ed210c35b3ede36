"""Time and size of a staged history build, per stage, extrapolated to the scale databases.

    python -m bench.seed_build [--incidents N] [--disputes N] [--workers N]
                               [--only sqlite|postgresql]

Builds a fresh database on each dialect (a SQLite file in a temporary folder, and the
PostgreSQL database `cc_bench_seedbuild` next to CC_BENCH_PG_URL's, dropped after) with
demo.seed's own `run`, one stage at a time, and prints each stage's seconds and the
database's growth: bytes per incident and per dispute (the figures demo.seed_disk's
estimate uses), then the same rates extrapolated linearly to 5,000,000 incidents with
300,000 disputes and to 1,000,000 with 60,000.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, text

from common.config import load_settings
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.schema import migrate
from demo.seed import WORKERS, run
from demo.seed_progress import STAGES

PG_ADMIN = os.environ.get("CC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_NAME = "cc_bench_seedbuild"
TARGETS = ((5_000_000, 300_000), (1_000_000, 60_000))


def _pg_admin(statement: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


def _size(url: str) -> Callable[[], int]:
    """A function giving the database's size in bytes (SQLite: after a WAL checkpoint)."""
    engine = make_engine(url)

    def size() -> int:
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                return conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        path = engine.url.database
        with closing(sqlite3.connect(path)) as conn:  # outside a transaction, unlike ours
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return Path(path).stat().st_size

    return size


def build(kind: str, url: str, incidents: int, disputes: int, workers: int) -> None:
    settings = load_settings().with_(database_url=url)
    migrate(url)
    engine = make_engine(url)
    load_masterdata(engine, settings.masterdata_dir)
    engine.dispose()
    size = _size(url)
    before = size()
    print(f"\n{kind}: {incidents:,} incidents, {disputes:,} disputes, {workers} workers")
    seconds, growth = {}, {}
    for stage in STAGES:
        result = run(
            settings, incidents, disputes, show_progress=False, workers=workers, stages=[stage]
        )
        seconds[stage] = result.seconds  # the stage alone, not migrating or master data
        after = size()
        growth[stage], before = after - before, after
        print(f"  {stage:<10} {seconds[stage]:8.1f} s   {growth[stage] / 1e6:+10.1f} MB")
    per_incident = growth["incidents"] / incidents
    per_dispute = growth["disputes"] / disputes if disputes else 0.0
    print(f"  bytes per incident {per_incident:,.0f}, per dispute {per_dispute:,.0f}")
    print(f"  total {after / 1e6:,.1f} MB in {sum(seconds.values()):,.1f} s")
    for target_incidents, target_disputes in TARGETS:
        scale_i, scale_d = target_incidents / incidents, target_disputes / max(disputes, 1)
        hours = (
            seconds["incidents"] * scale_i
            + seconds["disputes"] * scale_d
            + (seconds["summaries"] + seconds["analyze"]) * scale_i
        ) / 3600
        grown = per_incident * target_incidents + per_dispute * target_disputes
        print(
            f"  extrapolated to {target_incidents:,} + {target_disputes:,}: "
            f"{hours:,.1f} h, {grown / 1e9:,.1f} GB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=60_000)
    parser.add_argument("--disputes", type=int, default=3_600)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    volumes = (args.incidents, args.disputes, args.workers)
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            build("sqlite", f"sqlite:///{Path(folder) / 'build.sqlite'}", *volumes)
    if args.only != "sqlite":
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{PG_NAME}"')
        try:
            build("postgresql", PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_NAME, *volumes)
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
