"""Reads from the database replica (CC_DATABASE_REPLICA_URL), with the primary as fallback.

`read_engine(primary, replica)` is the engine the web tier's read paths use when a replica
is configured. Its connections go to the replica; while the replica cannot be reached they
go to the primary instead (a stopped replica costs no request but those already running
on it), and one is tried on the replica again every RETRY_SECONDS, so a restarted replica
takes the reads back by itself.

A read through it also waits (at most WAIT_SECONDS) for the replica to have replayed what
the primary had committed when the read was asked for (`caught_up`). The pages' figures are
computed once per live version and shared (data_access/figure_cache.py, the wall's answers):
computed from a replica a few milliseconds behind, a new version's figures would be cached
without the event that made the version, until the next one. A replica that does not catch
up in time is passed over for the primary, and not waited for again for RETRY_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine, create_engine, event, exc, text

from data_access.db import get_engine, make_engine, normalise_url

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # a replica found down or behind is tried again after this
WAIT_SECONDS = 0.5  # how long a read waits for the replica to catch up
POLL_SECONDS = 0.005
CONNECT_TIMEOUT = 2  # seconds a replica may take to accept a connection
ON_PRIMARY = "cc_on_primary"  # a connection record's mark: made to the primary instead


class Route:
    """One replica's engine, and whether it is to be passed over (down or behind) now."""

    def __init__(self, primary_url: str, replica_url: str) -> None:
        self.primary = get_engine(primary_url, reader=True)
        self.engine = make_engine(replica_url, reader=True)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.skip_until = 0.0  # time.monotonic() before which the replica is passed over
        self.passed_over = False  # since the last warning, not yet back
        self._fallback_args = self.primary.dialect.create_connect_args(self.primary.url)
        event.listen(self.engine, "do_connect", self._connect)
        event.listen(self.engine, "checkout", self._checkout)

    def _connect(self, dialect, record, cargs, cparams):
        """Connect to the replica, or to the primary while the replica is passed over or
        refuses (the pool then holds primary connections until the next retry)."""
        if time.monotonic() >= self.skip_until:
            if self.postgres:
                cparams.setdefault("connect_timeout", CONNECT_TIMEOUT)
            try:
                connection = dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.Error as error:
                self.pass_over("unreachable", error)
            else:
                record.info[ON_PRIMARY] = False
                self._back()
                return connection
        record.info[ON_PRIMARY] = True
        args, params = self._fallback_args
        return self.primary.dialect.connect(*args, **params)

    def _checkout(self, _dbapi, record, _proxy) -> None:
        """A primary connection handed out after the retry time is dropped: the pool then
        connects again, to the replica if it answers."""
        if record.info.get(ON_PRIMARY) and time.monotonic() >= self.skip_until:
            raise exc.DisconnectionError("time to try the replica again")

    def pass_over(self, why: str, error: object = None) -> None:
        """Read the primary for RETRY_SECONDS; say so once per outage, not per retry."""
        if not self.passed_over:
            log.warning("database replica %s; reading the primary until it is back: %s",
                        why, error or "")  # fmt: skip
        self.passed_over = True
        self.skip_until = time.monotonic() + RETRY_SECONDS

    def _back(self) -> None:
        if self.passed_over:
            self.passed_over = False
            log.warning("database replica back: reading it again")

    def caught_up(self) -> bool:
        """Whether the replica has replayed everything the primary had committed when
        asked, waiting WAIT_SECONDS at most; False (and passed over) when it has not."""
        if time.monotonic() < self.skip_until:
            return False
        if not self.postgres:
            return True
        try:
            with self.primary.connect() as conn:
                target = conn.scalar(text("SELECT pg_current_wal_lsn()::text"))
        except exc.SQLAlchemyError:
            # the primary is down: reads fail on it too, and say so, rather than show
            # the replica's data as current while ingest cannot apply anything
            return False
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            with self.engine.connect() as conn:
                while not conn.scalar(_REPLAYED, {"target": target}):
                    if time.monotonic() > deadline:
                        self.pass_over(f"more than {WAIT_SECONDS} s behind")
                        return False
                    time.sleep(POLL_SECONDS)
        except exc.SQLAlchemyError as error:
            self.pass_over("failed", error)
            return False
        self._back()
        return True


# a server not in recovery is the primary (a connection made to it instead) or a replica
# promoted since: it has all it will ever have
_REPLAYED = text(
    "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= CAST(:target AS pg_lsn)"
)

# how far the replica's data is behind the primary's: 0 when it has replayed all it
# received (so a quiet primary is no lag), else the age of the last commit it replayed
# (of its own start, when it has replayed none since)
_LAG = text(
    """SELECT CASE
         WHEN NOT pg_is_in_recovery() THEN 0
         WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
         ELSE extract(epoch FROM now() - coalesce(pg_last_xact_replay_timestamp(),
                                                  pg_postmaster_start_time()))
       END"""
)

_routes: dict[tuple[str, str], Route] = {}
_routes_lock = threading.Lock()


def route(primary_url: str, replica_url: str) -> Route:
    """The process's route to `replica_url`, made on first use."""
    key = (normalise_url(primary_url), normalise_url(replica_url))
    with _routes_lock:
        if key not in _routes:
            _routes[key] = Route(primary_url, replica_url)
        return _routes[key]


def read_engine(primary_url: str, replica_url: str) -> Engine:
    """The engine for reads that may lag: the replica's (connections fall back to the
    primary while it is down), or the primary's when the replica is behind."""
    found = route(primary_url, replica_url)
    return found.engine if found.caught_up() else found.primary


def lag_seconds(replica_url: str) -> float | None:
    """Seconds the replica's data is behind (0 for a server that is not replaying),
    read on the replica itself; None when it cannot be reached."""
    url = normalise_url(replica_url)
    with _routes_lock:
        if url not in _probes:
            timeout = {"connect_timeout": CONNECT_TIMEOUT} if url.startswith("postgres") else {}
            _probes[url] = create_engine(url, pool_size=1, pool_pre_ping=True, connect_args=timeout)
        probe = _probes[url]
    try:
        with probe.connect() as conn:
            if probe.dialect.name != "postgresql":
                return 0.0
            return round(float(conn.scalar(_LAG)), 3)
    except exc.SQLAlchemyError:
        return None


_probes: dict[str, Engine] = {}


def dispose_all() -> None:
    """Close every route's and probe's pool (between tests, at shutdown)."""
    with _routes_lock:
        while _routes:
            _routes.popitem()[1].engine.dispose()
        while _probes:
            _probes.popitem()[1].dispose()
