"""The SQL engine's lifecycle: one engine per process and URL, tuned per dialect.

SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE so that a web worker reading and
several ingest processes writing wait for each other instead of failing "database is
locked"; PostgreSQL gets a small pool with pre-ping so a restarted server is survived.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

_engines: dict[str, Engine] = {}


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


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def get_engine(url: str) -> Engine:
    """The process's engine for `url`, created on first use."""
    url = normalise_url(url)
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_all() -> None:
    """Close every pooled connection (after fork, at shutdown, between tests)."""
    while _engines:
        _engines.popitem()[1].dispose()
