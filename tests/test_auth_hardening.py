"""Issue 14's sign-in findings: parallel guessing, sign-out and GETs that act, an SQL
outage."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard import create_app
from dashboard.auth import recheck
from data_access import users
from data_access.db import make_engine
from tests.conftest import TEST_PASSWORD

ORIGIN = {"Origin": "http://localhost"}
DEAD_SQL = "postgresql+psycopg://postgres@127.0.0.1:9/test"  # the discard port: refused


@pytest.fixture
def db(settings, app):
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


def _login(client, username: str, password: str = TEST_PASSWORD):
    return client.post(
        "/auth/login", data={"username": username, "password": password}, headers=ORIGIN
    )


def _pair(client, code: str):
    return client.post("/kiosk/pair", data={"code": code}, headers=ORIGIN)


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


# --- 8: sign-out ends the session on the server; GETs do not act ---


def _session_cookie(client) -> str:
    return client.get_cookie("cc_session").value


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, signed_in_client):
    staff = signed_in_client("staff")
    copied = _session_cookie(staff)
    assert staff.post("/auth/logout").status_code == 302
    thief = app.server.test_client()
    thief.set_cookie("cc_session", copied)
    assert thief.get("/").status_code == 302
    assert thief.get("/api/v1/overdue").status_code == 401
    # on another worker or host too: the end is in SQL, shared through Redis
    elsewhere = create_app(app.server.config["CC_SETTINGS"]).server.test_client()
    elsewhere.set_cookie("cc_session", copied)
    assert elsewhere.get("/auth/ping").status_code == 401


def test_get_of_sign_out_shows_a_button_and_signs_nobody_out(signed_in_client):
    staff = signed_in_client("staff")
    page = staff.get("/auth/logout?lang=zh")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'method="post"' in body and "退出登录" in body
    assert staff.get("/").status_code == 200
    cross_site = staff.post("/auth/logout", headers={"Origin": "http://evil.example"})
    assert cross_site.status_code == 403
    assert staff.get("/").status_code == 200


def test_get_of_a_pairing_link_pairs_nothing_until_the_form_is_posted(client, db):
    kiosk_id, code = users.create_kiosk(db, "hall-left", "admin")
    page = client.get(f"/kiosk/pair?code={code}&next=/wall?lang=zh")
    assert page.status_code == 200 and client.get_cookie("cc_kiosk") is None
    assert f'value="{code}"' in page.get_data(as_text=True)
    assert users.list_kiosks(db)[0]["paired_at"] is None
    refused = client.post("/kiosk/pair", data={"code": code}, headers={"Origin": "http://x.cn"})
    assert refused.status_code == 403 and users.list_kiosks(db)[0]["paired_at"] is None
    paired = client.post(
        "/kiosk/pair", data={"code": code, "next": "/wall?lang=zh"}, headers=ORIGIN
    )
    assert paired.status_code == 302 and paired.headers["Location"] == "/wall?lang=zh"
    assert client.get("/auth/ping").get_json()["role"] == "wall"


# --- 10: an SQL outage ---


@pytest.fixture
def sql_down(settings):
    """Another worker whose SQL is unreachable."""
    return create_app(settings.with_(database_url=DEAD_SQL))


def _another_process(monkeypatch) -> None:
    """What this process remembered of SQL's answers, another worker does not know."""
    monkeypatch.setattr(recheck, "_last_known", {})


def test_api_answers_503_json_while_sql_is_unreachable(sql_down, auth_header, monkeypatch):
    _another_process(monkeypatch)
    client = sql_down.server.test_client()
    for path in ("/api/v1/overdue", "/api/v1/incidents/X-1"):
        response = client.get(path, headers=auth_header)
        assert response.status_code == 503, path
        assert response.get_json()["error"] and response.headers["Retry-After"]


def test_kiosks_and_sessions_stay_signed_in_through_an_sql_outage(
    client, db, settings, signed_in_client, redis_client, sql_down, monkeypatch
):
    kiosk_id, code = users.create_kiosk(db, "hall-left", "admin")
    assert _pair(client, code).status_code == 302
    staff = signed_in_client("staff")
    for caller in (client, staff):
        assert caller.get("/auth/ping").status_code == 200  # checked against SQL once
    # the re-check interval passes: the shared fresh answers expire
    for name in ("auth:kiosk:*", "auth:user:*"):
        for key in redis_client.scan_iter(settings.key(name)):
            if not key.endswith(b":last"):
                redis_client.delete(key)
    _another_process(monkeypatch)
    down = sql_down.server.test_client()
    for cookie in ("cc_kiosk", "cc_session"):
        source = client if cookie == "cc_kiosk" else staff
        down.set_cookie(cookie, source.get_cookie(cookie).value)
        answer = down.get("/auth/ping")
        assert answer.status_code == 200, cookie
        down.delete_cookie(cookie)
    users.revoke_kiosk(db, kiosk_id)  # while SQL was up, with the CLI's forget
    recheck.forget(settings, recheck.kiosk_key(kiosk_id))
    down.set_cookie("cc_kiosk", client.get_cookie("cc_kiosk").value)
    assert down.get("/auth/ping").status_code == 503  # no answer to keep: not let in
