"""Per-request access to the app's resources (settings, SQL engine, Redis, names).

The app factory stores the Settings on the Flask app; everything else is derived from
them on demand through the process-wide lifecycle modules, so any worker on any host
answers any request the same way.

Two SQL engines: `engine()` (the primary: the web tier's own writes, sign-in, and reads
right after an act) and `read_engine()` (reads that may lag: pages, lists, figures, the
API), which is the replica's when CC_DATABASE_REPLICA_URL is set (data_access/read_replica).
A browser session that has just acted (escalated, acknowledged, merged: `mark_written`)
reads the primary for WRITTEN_SECONDS.
"""

from __future__ import annotations

import time

import redis
from flask import current_app, g, has_request_context, session
from sqlalchemy import Engine

from common.config import Settings
from data_access.db import get_engine
from data_access.masterdata import Catalog, grid_geometries, load_catalog
from data_access.read_replica import read_engine as replica_engine
from data_access.redis_client import get_redis
from data_access.sla import Sla, load_sla

CATALOG_TTL_SECONDS = 60.0
WRITTEN_SECONDS = 10.0  # an act reaches SQL through the stream and ingest within this
_catalog: dict[str, tuple[float, Catalog]] = {}
_grids: dict[str, tuple[float, list[dict]]] = {}
_sla: dict[str, tuple[float, Sla]] = {}


def settings() -> Settings:
    return current_app.config["CC_SETTINGS"]


def engine() -> Engine:
    return get_engine(settings().database_url, reader=True)


def read_engine() -> Engine:
    """The engine for reads that may lag: the replica's when one is set, this session
    has not just acted and the replica has caught up (data_access/read_replica.py);
    else the primary's."""
    cfg = settings()
    if not cfg.database_replica_url or wrote_recently():
        return engine()
    if not has_request_context():
        return replica_engine(cfg.database_url, cfg.database_replica_url)
    # once per request: the choice costs a round trip to each server, and a page's
    # callback or an export asks for it more than once (a write after it sets g.wrote)
    if "read_engine" not in g:
        g.read_engine = replica_engine(cfg.database_url, cfg.database_replica_url)
    return g.read_engine


def mark_written() -> None:
    """This request acted (added an event to the stream, or wrote SQL): it and the
    session's requests for the next WRITTEN_SECONDS read the primary."""
    g.wrote = True
    session["wrote"] = int(time.time())


def wrote_recently() -> bool:
    if not has_request_context():
        return False
    at = session.get("wrote")
    recent = isinstance(at, int) and time.time() - at < WRITTEN_SECONDS
    return bool(g.get("wrote")) or recent


def redis_client() -> redis.Redis:
    return get_redis(settings())


def catalog() -> Catalog:
    """Master-data names, re-read at most once a minute (they change rarely)."""
    url = settings().database_url
    cached = _catalog.get(url)
    if cached is None or time.monotonic() - cached[0] > CATALOG_TTL_SECONDS:
        cached = (time.monotonic(), load_catalog(engine()))
        _catalog[url] = cached
    return cached[1]


def grids() -> list[dict]:
    """Grid polygons for maps, sorted by code: [{code, town, community, ring, center}],
    cached a minute."""
    url = settings().database_url
    cached = _grids.get(url)
    if cached is None or time.monotonic() - cached[0] > CATALOG_TTL_SECONDS:
        shapes = sorted(grid_geometries(engine()), key=lambda g: g.code)
        plain = [
            {
                "code": g.code,
                "town": g.town,
                "community": g.community,
                "ring": g.ring,
                "center": [g.center[1], g.center[0]],
            }
            for g in shapes
        ]
        cached = (time.monotonic(), plain)
        _grids[url] = cached
    return cached[1]


def sla() -> Sla:
    """The SLA rules and the working-day calendar, as ingest reads them, cached a minute."""
    url = settings().database_url
    cached = _sla.get(url)
    if cached is None or time.monotonic() - cached[0] > CATALOG_TTL_SECONDS:
        cached = (time.monotonic(), load_sla(engine(), settings()))
        _sla[url] = cached
    return cached[1]
