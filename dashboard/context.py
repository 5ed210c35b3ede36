"""Per-request access to the app's resources (settings, SQL engine, Redis, names).

The app factory stores the Settings on the Flask app; everything else is derived from
them on demand through the process-wide lifecycle modules, so any worker on any host
answers any request the same way.
"""

from __future__ import annotations

import time

import redis
from flask import current_app
from sqlalchemy import Engine

from common.config import Settings
from data_access.db import get_engine
from data_access.masterdata import Catalog, grid_geometries, load_catalog
from data_access.redis_client import get_redis
from data_access.sla import Sla, load_sla

CATALOG_TTL_SECONDS = 60.0
_catalog: dict[str, tuple[float, Catalog]] = {}
_grids: dict[str, tuple[float, list[dict]]] = {}
_sla: dict[str, tuple[float, Sla]] = {}


def settings() -> Settings:
    return current_app.config["CC_SETTINGS"]


def engine() -> Engine:
    return get_engine(settings().database_url, reader=True)


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
    """Grid polygons for maps, sorted by code: [{code, town, ring, center}], cached a minute."""
    url = settings().database_url
    cached = _grids.get(url)
    if cached is None or time.monotonic() - cached[0] > CATALOG_TTL_SECONDS:
        shapes = sorted(grid_geometries(engine()), key=lambda g: g.code)
        plain = [
            {"code": g.code, "town": g.town, "ring": g.ring, "center": [g.center[1], g.center[0]]}
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
