"""Issue 14's sign-in findings: parallel guessing, sign-out and GETs that act, an SQL
outage, rate limits on the API and exports, the password hash's cost."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from common.config import ConfigError, load_settings
from dashboard import create_app
from dashboard.auth import recheck
from data_access import users
from data_access.models import User
from tests.conftest import TEST_PASSWORD

ORIGIN = {"Origin": "http://localhost"}
DEAD_SQL = "postgresql+psycopg://postgres@127.0.0.1:9/test"  # the discard port: refused


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
    # the answer kept is shared afresh, so each worker is not held up by SQL on every request
    assert redis_client.exists(settings.key(recheck.kiosk_key(kiosk_id)))
    users.revoke_kiosk(db, kiosk_id)  # while SQL was up, with the CLI's forget
    recheck.forget(settings, recheck.kiosk_key(kiosk_id))
    down.set_cookie("cc_kiosk", client.get_cookie("cc_kiosk").value)
    assert down.get("/auth/ping").status_code == 503  # no answer to keep: not let in


# --- 13: rate limits and the password hash ---


@pytest.fixture
def limited(settings):
    return create_app(settings.with_(rate_limit_api="3/minute", rate_limit_export="2/minute"))


def test_the_api_is_limited_per_caller_with_a_json_429(
    limited, db, settings, auth_header, redis_client
):
    users.create_user(db, "script", TEST_PASSWORD, "staff")
    _, token = users.create_token(db, "script", "t")
    client = limited.server.test_client()
    for _ in range(3):
        assert client.get("/api/v1/overdue", headers=auth_header).status_code == 200
    refused = client.get("/api/v1/openapi.json", headers=auth_header)  # one limit for /api/v1
    assert refused.status_code == 429
    assert refused.get_json()["error"] and int(refused.headers["Retry-After"]) > 0
    # another worker counts in the same place (Redis)
    other_worker = create_app(limited.server.config["CC_SETTINGS"]).server.test_client()
    assert other_worker.get("/api/v1/overdue", headers=auth_header).status_code == 429
    # another caller from the same address is not held back
    own = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/overdue", headers=own).status_code == 200
    assert redis_client.keys(settings.key("ratelimit:*"))  # counted under the project's prefix


def test_exports_are_limited_but_pages_callbacks_and_pings_are_not(limited, make_user):
    client = limited.server.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    assert _login(client, make_user("wall")).status_code == 302
    for _ in range(2):
        assert client.get("/export/incidents.csv").status_code == 200
    refused = client.get("/export/disputes.csv")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    for _ in range(10):  # a wall asks for these all day
        for path in ("/auth/ping", "/wall", "/_dash-layout"):
            assert client.get(path).status_code == 200, path


def test_rate_limits_are_settings_checked_at_start(tmp_path):
    env = {"CC_DATA_DIR": str(tmp_path), "CC_SECRET_KEY": "k"}
    cfg = load_settings({**env, "CC_RATE_LIMIT_API": "10 per second"})
    assert (cfg.rate_limit_api, cfg.rate_limit_export) == ("10 per second", "20/minute")
    with pytest.raises(ConfigError, match="CC_RATE_LIMIT_EXPORT"):
        load_settings({**env, "CC_RATE_LIMIT_EXPORT": "lots"})


def test_passwords_are_hashed_at_owasp_cost_and_old_hashes_upgraded(app, db):
    users.create_user(db, "fresh", TEST_PASSWORD, "staff")
    assert users.find_user(db, "fresh").password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    users.create_user(db, "old", TEST_PASSWORD, "staff")
    with db.begin() as conn:
        old_hash = generate_password_hash(TEST_PASSWORD, method="scrypt")  # before argon2id
        conn.execute(update(User).where(User.username == "old").values(password_hash=old_hash))
    client = app.server.test_client()
    assert _login(client, "old", "not the password").status_code == 401
    assert users.find_user(db, "old").password_hash == old_hash
    assert _login(client, "old").status_code == 302
    upgraded = users.find_user(db, "old").password_hash
    assert upgraded.startswith("$argon2id$") and client.get("/").status_code == 200
    assert _login(app.server.test_client(), "old").status_code == 302  # the new hash verifies
