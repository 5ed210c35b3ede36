"""Fixtures every test uses: settings, a database on SQLite and on PostgreSQL, a Redis prefix.

PostgreSQL and Redis are the real servers named by CC_TEST_PG_URL and CC_TEST_REDIS_URL
(the test command starts throwaway ones when none answers); each test gets a fresh
database schema and its own Redis key prefix, so runs never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from common.config import Settings
from data_access.db import dispose_all, make_engine
from data_access.schema import migrate

PG_ADMIN_URL = os.environ.get("CC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def pg_database():
    """One database per test run, created from the admin URL and dropped after."""
    name = f"cc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    dispose_all()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_pg_schema(pg_url: str) -> str:
    """A new schema in the run's database, selected through the URL's search_path."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{pg_url}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """An empty, migrated database: SQLite file or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cc.sqlite'}"
    else:
        url = _fresh_pg_schema(request.getfixturevalue("pg_database"))
    migrate(url)
    return url


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def redis_prefix() -> str:
    return f"cctest:{uuid.uuid4().hex[:8]}:"


@pytest.fixture
def redis_client(redis_prefix):
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    keys = list(client.scan_iter(match=f"{redis_prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def settings(tmp_path: Path, redis_prefix: str, request) -> Settings:
    """Settings for one test; with a db_url fixture in play it points at that database."""
    url = (
        request.getfixturevalue("db_url")
        if "db_url" in request.fixturenames
        else f"sqlite:///{tmp_path / 'cc.sqlite'}"
    )
    return Settings(
        database_url=url,
        redis_url=REDIS_URL,
        stream_prefix=redis_prefix,
        secret_key="test-secret",
        data_dir=tmp_path,
        api_token="test-token",
    )
