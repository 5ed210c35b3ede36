"""Will a build fit? Free disk where the database lives against an estimate of its size.

The bytes per lifecycle (rows, events and indexes) were measured on builds made by this
seeder (docs/benchmarks.md, "Building the scale databases"). On top come a margin and room
for the write-ahead log, which PostgreSQL lets grow to max_wal_size (1 GB by default)
during a bulk load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine, text

BYTES = {  # dialect: (per incident, per dispute): bench.seed_build, 100,000 + 6,000
    "sqlite": (3_110, 1_700),
    "postgresql": (2_950, 1_720),
}
MARGIN = 1.15
WAL_ROOM = {"sqlite": 256 << 20, "postgresql": 1 << 30}
LOCAL_HOSTS = (None, "", "localhost", "127.0.0.1", "::1")


def estimate(dialect: str, incidents: int, disputes: int) -> int:
    """Bytes the database will grow by when `incidents` and `disputes` are written."""
    per_incident, per_dispute = BYTES.get(dialect, BYTES["postgresql"])
    if not incidents and not disputes:
        return 0
    rows = incidents * per_incident + disputes * per_dispute
    return int(rows * MARGIN) + WAL_ROOM.get(dialect, 0)


def data_path(engine: Engine) -> Path | None:
    """The directory the database's files live in, when it is on this machine."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return Path(url.database).resolve().parent
    if url.host not in LOCAL_HOSTS:
        return None
    try:
        with engine.connect() as conn:
            directory = conn.execute(text("SHOW data_directory")).scalar_one()
    except Exception:  # not a superuser (pg_read_all_settings): we cannot tell
        return None
    path = Path(directory)
    return path if path.is_dir() else None


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def shortfall(need: int, free: int) -> int:
    """Bytes missing for the build (0: it fits)."""
    return max(need - free, 0)


def gb(count: int) -> str:
    return f"{count / 1e9:,.1f} GB"
