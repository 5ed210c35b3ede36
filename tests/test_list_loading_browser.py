"""The overdue view in real headless Chromium: it says it is loading until its first rows
arrive (it was blank for seconds), and a live push that comes while the first rows are
being read reloads them (ccLists took the first push as its starting point, so a list
loaded before a change and pushed after it never showed the change).

The grid's requests are held in the browser (Playwright routes), so the order of
"rows asked", "push", "rows answered" is forced rather than hoped for: the test holds on
a slow machine and fails on the old code every time."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from common import clock
from common.config import PROJECT_ROOT
from data_access.db import make_engine
from data_access.models import Incident
from data_access.schema import migrate
from tests.servers import RedisServer, fast_ingest, publish, wait_for
from tests.small_county import seed_small_county

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_ROOT / "artifacts"
FIRST_LOAD_MS = 60_000  # Dash's bundles parsed on a 2-core machine under load
TZ = ZoneInfo("Asia/Shanghai")
UPDATES = "**/_dash-update-component*"  # Dash adds ?endId=...


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'lists.sqlite'}"
    migrate(url)
    return url


@pytest.fixture
def settings(settings):
    """A small seeded county on the test's own Redis."""
    server = RedisServer()
    engine = make_engine(settings.database_url)
    seed_small_county(engine, clock.now(), incidents=150, disputes=10)
    engine.dispose()
    yield settings.with_(redis_url=server.url)
    server.close()


@pytest.fixture
def ingest(settings):
    worker = fast_ingest(settings)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    yield worker
    worker.stop.set()
    thread.join(timeout=15)


@pytest.fixture
def late(ingest, settings):
    """late(ident): publish an incident overdue by two days; return once ingest applied it."""
    engine = make_engine(settings.database_url)

    def add(ident: str) -> None:
        at = clock.now().astimezone(TZ)
        publish(
            ingest.r,
            settings.stream_key,
            [
                {
                    "event_id": f"{ident}-E1", "entity": "incident", "id": ident,
                    "status": "reported", "ts": (at - timedelta(days=3)).isoformat(),
                    "deadline": (at - timedelta(days=2)).isoformat(),
                    "channel": "hotline_12345", "category": "sanitation", "town": "Chengdong",
                }
            ],
        )  # fmt: skip

        def applied() -> bool:
            with engine.connect() as conn:
                query = select(Incident.id).where(Incident.id == ident)
                return conn.execute(query).first() is not None

        wait_for(applied, 30, what="ingest to apply it")

    yield add
    engine.dispose()


def _is_rows_request(route) -> bool:
    return "getRowsRequest" in (route.request.post_data or "")


def _pump(page, until, seconds: float, what: str) -> None:
    """Let Playwright handle the page's events (routes) until `until()` is true."""
    for _ in range(int(seconds * 10)):
        if until():
            return
        page.wait_for_timeout(100)
    raise TimeoutError(what)


def test_the_overdue_view_says_it_is_loading_until_its_rows_arrive(signed_in_page, late):
    late(f"INC-LATE-{uuid.uuid4().hex[:8]}")
    page = signed_in_page("staff", "/incidents?view=overdue&lang=en")
    page.set_viewport_size({"width": 1920, "height": 1080})
    held: list = []
    holding = [True]
    page.route(
        UPDATES,
        lambda r: held.append(r) if holding[0] and _is_rows_request(r) else r.continue_(),
    )
    page.reload()
    loading = page.locator("#incidents-loading")
    loading.wait_for(state="visible", timeout=FIRST_LOAD_MS)
    _pump(page, lambda: held, FIRST_LOAD_MS / 1000, "the grid's first request")
    assert "Loading" in loading.inner_text()
    assert page.locator(".ag-row [col-id=id]:not(:empty)").count() == 0
    page.screenshot(path=str(ARTIFACTS / "incidents-overdue-loading-en.png"))

    holding[0] = False
    for route in held:
        route.continue_()
    page.locator(".ag-row [col-id=id]:not(:empty)").first.wait_for(timeout=FIRST_LOAD_MS)
    loading.wait_for(state="hidden")
    page.screenshot(path=str(ARTIFACTS / "incidents-overdue-en.png"))


def test_a_push_during_the_first_load_ends_with_current_rows(signed_in_page, late):
    ident = f"INC-LATE-{uuid.uuid4().hex[:8]}"
    page = signed_in_page("staff", f"/incidents?view=overdue&q={ident}&lang=en")
    page.set_viewport_size({"width": 1600, "height": 1000})
    rows: list = []  # (route, the server's answer as of before the change)
    streams: list = []  # the live stream, held until the change is applied

    def rows_route(route):
        if _is_rows_request(route) and not rows:
            rows.append((route, route.fetch()))
        else:
            route.continue_()

    page.route(UPDATES, rows_route)
    page.route("**/live/stream*", lambda r: r.continue_() if streams else streams.append(r))
    page.reload()
    _pump(page, lambda: rows and streams, FIRST_LOAD_MS / 1000, "rows asked, stream opened")

    late(ident)  # the change: an overdue incident the list's filter matches, applied by ingest

    # the first push (already after the change) arrives while the first rows are read
    for route in streams:
        route.continue_()
    page.wait_for_timeout(2000)
    route, answer = rows[0]
    route.fulfill(response=answer)  # rows as of before the change: none
    page.locator(f".ag-row [col-id=id]:text('{ident}')").wait_for(timeout=30_000)
    page.wait_for_selector(".cc-list-total:text('1 incidents')")
