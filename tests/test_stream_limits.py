"""Live streams are capped per browser session or kiosk (across workers, in Redis) and per
worker (leaving threads free), so no caller can take every thread (dashboard/stream_limits.py)."""

from __future__ import annotations

import time

import pytest
import requests

from dashboard import stream_limits
from data_access.db import make_engine
from data_access.schema import migrate
from data_access.users import create_user
from tests.conftest import TEST_PASSWORD
from tests.servers import free_port, stop_process_group, wait_for, web_process

CAP = 3
HEALTH_SECONDS = 10.0  # a bound a slow machine meets; the bug made /health never answer


def _sign_in(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    answer = browser.post(
        f"{base}/auth/login",
        data={"username": username, "password": TEST_PASSWORD},
        headers={"Origin": base},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    return browser


def _open(browser: requests.Session, base: str) -> requests.Response:
    return browser.get(f"{base}/live/stream", stream=True, timeout=30)


def _can_open(browser: requests.Session, base: str) -> bool:
    with _open(browser, base) as answer:
        return answer.status_code == 200


def test_streams_over_the_session_cap_get_429_and_health_still_answers(
    settings, tmp_path, monkeypatch
):
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    create_user(engine, "leader-1", TEST_PASSWORD, "leader")
    engine.dispose()
    monkeypatch.setenv("CC_STREAMS_PER_SESSION", str(CAP))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = web_process(settings, port, tmp_path / "web.log")
    streams = []
    try:
        first = _sign_in(base, "leader-1")
        streams = [_open(first, base) for _ in range(CAP + 2)]
        assert [s.status_code for s in streams] == [200] * CAP + [429, 429]
        assert streams[-1].headers["Retry-After"]

        started = time.monotonic()
        assert requests.get(f"{base}/health", timeout=HEALTH_SECONDS).status_code == 200
        assert time.monotonic() - started < HEALTH_SECONDS

        # per browser session, not per account or address: the same person signed in
        # in a second browser on the same address opens streams of its own
        second = _sign_in(base, "leader-1")
        streams.append(_open(second, base))
        assert streams[-1].status_code == 200

        streams[0].close()  # a page closed: its slot frees once the server notices
        wait_for(lambda: _can_open(first, base), 30, what="a freed slot")
    finally:
        for answer in streams:
            answer.close()
        stop_process_group(web)


@pytest.fixture
def settings(settings):
    """A worker of 18 threads keeping 16 free: room for two streams."""
    return settings.with_(web_threads=18, stream_reserve_threads=16, streams_per_session=100)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_full_worker_answers_503_with_retry_and_frees_slots_on_close(live_server, make_user):
    browser = _sign_in(live_server, make_user("leader"))
    held = [_open(browser, live_server) for _ in range(2)]
    assert [answer.status_code for answer in held] == [200, 200]
    with _open(browser, live_server) as refused:
        assert refused.status_code == 503
        assert refused.text.startswith("retry: ")
    assert requests.get(f"{live_server}/health", timeout=HEALTH_SECONDS).status_code == 200
    held.pop().close()
    wait_for(lambda: _can_open(browser, live_server), 30, what="a freed slot")
    held[0].close()
    wait_for(lambda: stream_limits.open_streams() == 0, 30, what="every slot freed")


def test_a_crashed_workers_slots_expire(settings, monkeypatch):
    """Leases never released (the worker died) stop counting after LEASE_SECONDS."""
    monkeypatch.setattr(stream_limits, "LEASE_SECONDS", 0.5)
    cfg = settings.with_(web_threads=0, streams_per_session=2)
    leases = [stream_limits.take(cfg, "kiosk:7") for _ in range(3)]
    assert [isinstance(lease, stream_limits.Lease) for lease in leases] == [True, True, False]
    assert leases[2] == 429
    wait_for(lambda: isinstance(stream_limits.take(cfg, "kiosk:7"), stream_limits.Lease), 10)
    monkeypatch.setattr(stream_limits, "_open", 0)  # the leases of the "dead" worker
