"""The SQL engine's lifecycle: one engine per process, URL and role, tuned per dialect.

SQLite gets WAL and a busy timeout. Writers (ingest, seeder, tests) start every
transaction with BEGIN IMMEDIATE, so several ingest processes queue for the write lock
instead of failing "database is locked" when a read turns into a write; the web tier's
`reader` engine uses plain deferred BEGIN, so under WAL its reads never wait for a
writer. PostgreSQL gets a small pool with pre-ping so a restarted server is survived.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from common.logging_setup import outage_over

_engines: dict[tuple[str, bool], Engine] = {}


def normalise_url(url: str) -> str:
    """Plain postgresql:// URLs use psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, reader: bool = False) -> Engine:
    """An engine for `url`; each new connection it makes ends a logged SQL outage."""
    engine = _make_engine(normalise_url(url), reader)
    event.listen(engine, "connect", lambda *_: outage_over("sql"))  # ends a logged outage
    return engine


def _make_engine(url: str, reader: bool) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        begin = "BEGIN" if reader else "BEGIN IMMEDIATE"
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
        return engine
    return create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def get_engine(url: str, reader: bool = False) -> Engine:
    """The process's engine for `url` (the web tier asks for a `reader`), made on first use."""
    key = (normalise_url(url), reader)
    if key not in _engines:
        _engines[key] = make_engine(url, reader)
    return _engines[key]


def dispose_all() -> None:
    """Close every pooled connection (after fork, at shutdown, between tests)."""
    while _engines:
        _engines.popitem()[1].dispose()
