"""Issue 14's sign-in findings: parallel guessing."""

from __future__ import annotations

import threading
import time

import pytest

from data_access import users
from data_access.db import make_engine
from tests.conftest import TEST_PASSWORD

ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def db(settings, app):
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


def _login(client, username: str, password: str = TEST_PASSWORD):
    return client.post(
        "/auth/login", data={"username": username, "password": password}, headers=ORIGIN
    )


# --- 2: parallel guesses ---


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_parallel_guesses_get_at_most_the_limit_of_password_checks(app, db, settings, monkeypatch):
    users.create_user(db, "target", TEST_PASSWORD, "staff")
    checks, lock = [], threading.Lock()
    real_verify = users.verify_password

    def counted_verify(user, password):
        with lock:
            checks.append(password)
        time.sleep(0.2)  # every request is in flight at once, as in the probe
        return real_verify(user, password)

    monkeypatch.setattr(users, "verify_password", counted_verify)
    start = threading.Barrier(50)
    statuses: list[int] = []

    def guess(n: int) -> None:
        client = app.server.test_client()
        start.wait()
        status = _login(client, "target", f"wrong guess {n:04d}").status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) <= settings.login_max_failures
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == len(checks)


def test_a_success_is_not_held_against_the_account(app, db, settings):
    users.create_user(db, "often", TEST_PASSWORD, "staff")
    for _ in range(settings.login_max_failures + 2):
        assert _login(app.server.test_client(), "often").status_code == 302
    for _ in range(settings.login_max_failures):
        assert _login(app.server.test_client(), "often", "wrong guess").status_code == 401
    assert _login(app.server.test_client(), "often").status_code == 429
