"""Fixtures every test uses: settings, a database on SQLite and on PostgreSQL, a Redis prefix.

PostgreSQL and Redis are the real servers named by CC_TEST_PG_URL and CC_TEST_REDIS_URL
(the test command starts throwaway ones when none answers); each test gets a fresh
database schema and its own Redis key prefix, so runs never see each other's data.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from common.config import Settings
from common.scope import COUNTY, using
from data_access import read_replica
from data_access.db import dispose_all, make_engine
from data_access.redis_client import close_all
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


@pytest.fixture(autouse=True)
def _close_pools():
    """Each test's databases and Redis prefixes are its own: close their pools after it,
    or a long run holds a pool per test and exhausts PostgreSQL's connections."""
    yield
    dispose_all()
    read_replica.dispose_all()
    close_all()


@pytest.fixture(autouse=True)
def _county_scope(request):
    """Tests call the data layer directly, as the county's own processes do (the scope has
    no default: common.scope); requests through the app run under their caller's scope.
    A test marked no_scope runs with none."""
    if request.node.get_closest_marker("no_scope"):
        yield
        return
    with using(COUNTY):
        yield


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
        # tests send far more than a person would; the rate limits' own tests set theirs
        rate_limit_api="100000/minute",
        rate_limit_export="100000/minute",
    )


@pytest.fixture
def ingest_thread(settings, redis_client):
    """The stream consumer running in a thread, as the `ingest` process would; stopped
    before the test's Redis keys are deleted (hence redis_client)."""
    from worker.ingest import Ingest, Options

    consumer = Ingest(settings, Options(block_ms=200), name="browser-test")
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    yield consumer
    consumer.stop.set()
    thread.join(timeout=10)


@pytest.fixture
def app(settings, db_url):
    """The Dash app on a migrated database (both dialects), built by the factory."""
    from dashboard import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def auth_header(settings) -> dict:
    return {"Authorization": f"Bearer {settings.api_token}"}


# --- Signed-in callers, a live server and a real browser (dashboard.auth) ---

TEST_PASSWORD = "correct horse battery staple"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]


@pytest.fixture
def make_user(settings, app):
    """make_user(role) -> a new username with that role and the password TEST_PASSWORD."""
    from data_access.users import create_user

    engine = make_engine(settings.database_url)
    made = itertools.count(1)

    def make(role: str) -> str:
        username = f"{role}-{next(made)}"
        create_user(engine, username, TEST_PASSWORD, role)
        return username

    yield make
    engine.dispose()


@pytest.fixture
def db(settings, app):
    """An engine on the app's database, for tests that write users, tokens or audit."""
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


def header_request(search: str = "") -> dict:
    """The header's callback request, as Dash's renderer sends it on every page."""
    return {
        "output": "shell-header.children",
        "outputs": {"id": "shell-header", "property": "children"},
        "inputs": [
            {"id": "shell-url", "property": "pathname", "value": "/"},
            {"id": "shell-url", "property": "search", "value": search},
        ],
        "changedPropIds": ["shell-url.pathname"],
        "state": [],
    }


@pytest.fixture
def signed_in_client(app, make_user):
    """signed_in_client(role) -> a Flask test client signed in through the real form.
    It sends this site's Origin, as a browser does on POSTs (the gate's CSRF check)."""

    def sign_in(role: str):
        client = app.server.test_client()
        client.environ_base["HTTP_ORIGIN"] = "http://localhost"
        response = client.post(
            "/auth/login", data={"username": make_user(role), "password": TEST_PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def live_server(app):
    """The app served on a free localhost port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless /usr/bin/chromium through Playwright (never a downloaded browser), with
    its profile and temporary files under the test run's temporary folder."""
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-home")
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(home)}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, env=env
        )
        yield chromium
        chromium.close()


@pytest.fixture
def signed_in_page(browser, live_server, make_user):
    """signed_in_page(role, path="/") -> a Playwright page of a fresh browser context,
    signed in through the sign-in form as a new user of that role, showing `path`."""
    contexts = []

    def sign_in(role: str, path: str = "/"):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server}/auth/login?{urlencode({'next': path})}")
        page.fill("#username", make_user(role))
        page.fill("#password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/auth/login" not in url)
        return page

    yield sign_in
    for context in contexts:
        context.close()
