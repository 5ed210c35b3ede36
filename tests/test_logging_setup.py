"""One log line per record whatever a request path holds, and one line per outage state
change instead of a traceback per request (common/logging_setup.py)."""

from __future__ import annotations

import io
import logging
import socket
from itertools import pairwise

import pytest

from common import logging_setup
from tests.conftest import TEST_PASSWORD
from tests.servers import RedisServer, free_port, stop_process_group, wait_for, web_process

FORGED = "/nope%0d%0a2026-01-01%2000:00:00,000%20INFO%20web%20admin%20signed%20in%1b[2J"


@pytest.fixture
def log_lines():
    """The root logger's records as the shared handler writes them: lines() reads them."""
    buffer = io.StringIO()
    found = logging_setup.handler("test", buffer)
    root = logging.getLogger()
    root.addHandler(found)
    level, root.level = root.level, logging.INFO
    logging_setup._down.clear()  # noqa: SLF001 - outages of earlier tests are not ours
    yield lambda: buffer.getvalue().splitlines()
    root.removeHandler(found)
    root.level = level
    logging_setup._down.clear()  # noqa: SLF001


def test_a_record_is_one_line_whatever_its_values_hold(log_lines):
    logging.getLogger("x").warning("unhandled error on %s", "/a\r\nFAKE\x1b[2J\u2028b")
    try:
        raise ValueError("bad\nFAKE")
    except ValueError:
        logging.getLogger("x").exception("failed")
    lines = log_lines()
    assert len(lines) > 2
    assert "/a\\r\\nFAKE\\x1b[2J\\u2028b" in lines[0]
    assert all(line.startswith(logging_setup.TRACE_MARK) for line in lines[2:])
    assert not any(line.startswith("FAKE") for line in lines)


def _raw_get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return conn.recv(100)


def test_a_path_holding_crlf_makes_one_access_log_line(settings, tmp_path):
    port, log = free_port(), tmp_path / "web.log"
    web = web_process(settings, port, log)
    try:
        assert _raw_get(port, FORGED).startswith(b"HTTP/1.1 ")
        wait_for(lambda: "signed in" in log.read_text(), 20, what="the access log line")
    finally:
        stop_process_group(web)
    lines = [line for line in log.read_text().splitlines() if "signed in" in line]
    assert len(lines) == 1, lines
    assert '"/nope\\r\\n2026-01-01' in lines[0]  # the decoded path, quoted and escaped
    assert "\x1b" not in lines[0]


@pytest.fixture
def own_redis():
    server = RedisServer()
    yield server
    server.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_fifty_requests_with_redis_down_log_one_line_then_one_when_back(
    own_redis, settings, db_url, make_user, log_lines
):
    from dashboard import create_app

    app = create_app(settings.with_(redis_url=own_redis.url))
    browser = app.server.test_client()
    browser.environ_base["HTTP_ORIGIN"] = "http://localhost"
    signed_in = browser.post(
        "/auth/login", data={"username": make_user("leader"), "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302
    own_redis.stop()
    for _ in range(50):
        assert browser.get("/incidents").status_code == 200
    own_redis.start()
    assert browser.get("/incidents").status_code == 200
    lines = log_lines()
    states = [
        "down" if "redis down" in line else "up"
        for line in lines
        if "redis down" in line or "redis back up" in line
    ]
    # one line per outage, not one per request (50): a "down" line is never followed by
    # another before Redis answered again. The outage state is per process, so a connection
    # another test left to another Redis may end it early; then the next failure starts
    # a new outage, with its own single line.
    assert "down" in states and states[-1] == "up", lines
    assert all(a != b for a, b in pairwise(states)), lines
    assert not any("Traceback" in line for line in lines)
