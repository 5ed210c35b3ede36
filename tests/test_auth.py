"""Sign-in, sessions, roles and API tokens (dashboard.auth), through the Flask test client."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from common import clock
from dashboard import create_app
from dashboard.auth.views import safe_next
from data_access import users
from data_access.audit import recent
from data_access.models import AuditEntry
from tests.conftest import TEST_PASSWORD, header_request
from tests.factories import apply_entries, reported

ORIGIN = {"Origin": "http://localhost"}
DASH_CALLBACK = header_request()


@pytest.fixture
def cli(settings, app, monkeypatch):
    """cli(*argv, stdin="") -> exit status of `python -m dashboard.auth.cli ...`."""
    from dashboard.auth.cli import main

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin + "\n"))
        return main(list(argv), settings)

    return run


@pytest.fixture
def incident_with_phone(db, settings):
    at = clock.now().astimezone(settings.tz).replace(tzinfo=None)
    apply_entries(
        db,
        [
            reported(
                "P-1",
                at.isoformat(timespec="seconds"),
                reporter_phone="13800001234",
                title="call 13912345678",
            )
        ],
        clock.now(),
    )
    return "P-1"


def _login(client, username: str, password: str = TEST_PASSWORD, **extra):
    return client.post(
        "/auth/login", data={"username": username, "password": password, **extra}, headers=ORIGIN
    )


def _audit_actions(db) -> list[str]:
    with db.connect() as conn:
        return list(conn.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


# --- what needs a caller ---


@pytest.mark.parametrize("path", ["/", "/wall", "/wall?lang=zh", "/no-such-page"])
def test_pages_send_strangers_to_sign_in_with_next(client, path):
    response = client.get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/auth/login?next=")
    assert client.get(location).status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/_dash-layout"),
        ("get", "/_dash-dependencies"),
        ("post", "/_dash-update-component"),
        ("get", "/api/v1/kpis"),
        ("get", "/api/v1/overdue"),
        ("get", "/api/v1/incidents/x"),
        ("get", "/auth/ping"),
        ("get", "/live/stream"),
    ],
)
def test_machine_routes_answer_401_json_to_strangers(client, method, path):
    response = getattr(client, method)(path, json=DASH_CALLBACK, headers=ORIGIN)
    assert response.status_code == 401
    assert response.get_json() == {"error": "authentication required"}


@pytest.mark.parametrize("path", ["/health", "/auth/login", "/kiosk/pair", "/assets/style.css"])
def test_public_routes_need_no_caller(client, path):
    assert client.get(path).status_code == 200


def test_dash_component_suites_are_static(client, signed_in_client):
    page = signed_in_client("wall").get("/").get_data(as_text=True)
    bundle = re.search(r'src="(/_dash-component-suites/[^"]+)"', page).group(1)
    assert client.get(bundle).status_code == 200


# --- signing in ---


def test_sign_in_redirects_to_the_asked_page_and_is_audited(client, db):
    users.create_user(db, "ann", TEST_PASSWORD, "leader")
    response = _login(client, "ann", next="/wall?lang=zh")
    assert response.status_code == 302 and response.headers["Location"] == "/wall?lang=zh"
    assert client.get("/wall").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    row = recent(db, "sign_in")[0]
    assert row["actor"] == "ann" and row["detail"] == "role=leader"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/wall?lang=zh", "/wall?lang=zh"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_must_be_a_local_path(value, expected):
    assert safe_next(value) == expected


def test_wrong_password_and_unknown_user_fail_alike_and_are_audited(client, db):
    users.create_user(db, "bob", TEST_PASSWORD, "staff")
    wrong = _login(client, "bob", "not the password")
    unknown = _login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong username or password" in wrong.data
    assert client.get("/").status_code == 302
    assert _audit_actions(db) == ["sign_in_failed", "sign_in_failed"]


def test_disabled_user_cannot_sign_in_and_is_signed_out(signed_in_client, db, settings):
    from dashboard.auth import recheck

    staff = signed_in_client("staff")
    assert staff.get("/").status_code == 200
    name = users.list_users(db)[0].username
    user_id = users.set_disabled(db, name, True)
    recheck.forget(settings, recheck.user_key(user_id))
    assert staff.get("/").status_code == 302
    assert _login(staff, name).status_code == 401


def test_password_reset_ends_existing_sessions(signed_in_client, db, cli):
    staff = signed_in_client("staff")
    name = users.list_users(db)[0].username
    assert staff.get("/").status_code == 200
    assert cli("reset", name, "--password-stdin", stdin="a new long password") == 0
    assert staff.get("/").status_code == 302
    assert _login(staff, name, "a new long password").status_code == 302


def test_session_ends_after_idle_hours_but_not_while_used(signed_in_client, settings):
    staff = signed_in_client("staff")
    try:
        clock.set_offset(timedelta(hours=settings.session_idle_hours - 1))
        assert staff.get("/").status_code == 200  # used: the idle time starts again
        clock.set_offset(timedelta(hours=2 * settings.session_idle_hours - 1.5))
        assert staff.get("/").status_code == 200
        clock.set_offset(timedelta(hours=3 * settings.session_idle_hours))
        assert staff.get("/").status_code == 302
    finally:
        clock.set_offset(timedelta(0))


def test_sign_out(signed_in_client, db):
    staff = signed_in_client("staff")
    assert staff.post("/auth/logout").status_code == 302
    assert staff.get("/").status_code == 302
    assert "sign_out" in _audit_actions(db)


def test_sign_in_page_speaks_both_languages(client):
    english = client.get("/auth/login?lang=en&next=/wall").get_data(as_text=True)
    chinese = client.get("/auth/login?lang=zh&next=/wall").get_data(as_text=True)
    assert "Sign in" in english and 'lang="en"' in english
    assert "登录" in chinese and 'lang="zh-CN"' in chinese
    assert 'name="next" value="/wall"' in chinese
    assert "lang=en" in chinese  # the switch back keeps next
    assert "next=%2Fwall" in chinese


# --- throttling ---


def test_account_locks_after_repeated_failures_even_for_the_right_password(settings, db, app):
    users.create_user(db, "carol", TEST_PASSWORD, "staff")
    users.create_user(db, "dave", TEST_PASSWORD, "staff")
    client = app.server.test_client()
    for _ in range(settings.login_max_failures):
        assert _login(client, "carol", "guess guess guess").status_code == 401
    locked = _login(client, "carol")
    assert locked.status_code == 429 and b"Too many failed attempts" in locked.data
    assert _login(client, "dave").status_code == 302  # other accounts unaffected
    # the lock lives in Redis: another worker (another app) sees it too
    other_worker = create_app(settings).server.test_client()
    assert _login(other_worker, "carol").status_code == 429
    assert "sign_in_locked" in _audit_actions(db)


def test_address_locks_after_many_failures_across_accounts(settings, db):
    cfg = settings.with_(login_ip_max_failures=4)
    users.create_user(db, "erin", TEST_PASSWORD, "staff")
    client = create_app(cfg).server.test_client()
    for n in range(4):
        assert _login(client, f"guess-{n}", "guess guess guess").status_code == 401
    assert _login(client, "erin").status_code == 429
    elsewhere = client.post(
        "/auth/login",
        data={"username": "erin", "password": TEST_PASSWORD},
        headers=ORIGIN,
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert elsewhere.status_code == 302


# --- roles: what each may see ---


@pytest.mark.parametrize(
    "role, unmasked", [("wall", False), ("leader", False), ("staff", True), ("admin", True)]
)
def test_each_role_sees_phones_only_if_allowed_and_views_are_audited(
    signed_in_client, db, incident_with_phone, role, unmasked
):
    client = signed_in_client(role)
    for path in ("/", "/wall", "/_dash-layout", "/api/v1/kpis", "/api/v1/overdue"):
        assert client.get(path).status_code == 200, path
    body = client.get(f"/api/v1/incidents/{incident_with_phone}").get_json()
    phone = body["incident"]["reporter_phone"]
    assert phone == ("13800001234" if unmasked else "138****1234")
    assert ("13912345678" in str(body)) is unmasked
    assert body["timeline"][0]["reporter_phone"] == phone
    views = recent(db, "view_personal_data")
    if unmasked:
        assert [(v["target"], v["detail"]) for v in views] == [("incident P-1", f"role={role}")]
    else:
        assert views == []


def test_api_token_from_configuration_reads_masked_without_audit(
    client, auth_header, db, incident_with_phone
):
    body = client.get("/api/v1/incidents/P-1", headers=auth_header).get_json()
    assert body["incident"]["reporter_phone"] == "138****1234"
    assert recent(db, "view_personal_data") == []


def test_personal_tokens_carry_their_owners_role_and_can_be_revoked(
    client, db, cli, incident_with_phone
):
    users.create_user(db, "sam", TEST_PASSWORD, "staff")
    users.create_user(db, "lee", TEST_PASSWORD, "leader")
    staff_id, staff_token = users.create_token(db, "sam", "script")
    _, leader_token = users.create_token(db, "lee", "script")

    def get(token: str):
        return client.get("/api/v1/incidents/P-1", headers={"Authorization": f"Bearer {token}"})

    assert get(staff_token).get_json()["incident"]["reporter_phone"] == "13800001234"
    assert get(leader_token).get_json()["incident"]["reporter_phone"] == "138****1234"
    assert recent(db, "view_personal_data")[0]["actor"] == f"sam (token {staff_id})"
    assert cli("token", "--revoke", str(staff_id)) == 0
    revoked = get(staff_token)
    assert revoked.status_code == 401 and revoked.get_json()["error"]
    users.set_disabled(db, "lee", True)
    assert get(leader_token).status_code == 401
    assert get("cct_made-up").status_code == 401


def test_bearer_tokens_do_not_open_pages(client, auth_header):
    assert client.get("/", headers=auth_header).status_code == 302
    assert client.get("/_dash-layout", headers=auth_header).status_code == 401


def test_stored_secrets_are_hashes(db):
    users.create_user(db, "hash-check", TEST_PASSWORD, "wall")
    _, token = users.create_token(db, "hash-check", "t")
    stored = users.find_user(db, "hash-check").password_hash
    assert TEST_PASSWORD not in stored and stored.startswith("$argon2id$")
    with db.connect() as conn:
        dump = str(conn.exec_driver_sql("SELECT * FROM api_tokens").all())
    assert token not in dump


# --- CSRF ---


def test_callback_posts_need_this_sites_origin(signed_in_client):
    staff = signed_in_client("staff")
    ok = staff.post("/_dash-update-component", json=DASH_CALLBACK)
    assert ok.status_code == 200
    for headers in ({"Origin": "http://evil.example"}, {"Origin": ""}, {"Origin": "null"}):
        refused = staff.post("/_dash-update-component", json=DASH_CALLBACK, headers=headers)
        assert refused.status_code == 403, headers
    referer_only = staff.post(
        "/_dash-update-component",
        json=DASH_CALLBACK,
        headers={"Origin": "", "Referer": "http://localhost/wall"},
    )
    assert referer_only.status_code == 200


def test_sign_in_form_refuses_cross_site_posts(client, db):
    users.create_user(db, "fay", TEST_PASSWORD, "staff")
    response = client.post(
        "/auth/login",
        data={"username": "fay", "password": TEST_PASSWORD},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403
    assert client.get("/").status_code == 302


# --- cookies ---


def _cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(db, settings, app):
    users.create_user(db, "gil", TEST_PASSWORD, "staff")
    plain = _cookie_header(_login(app.server.test_client(), "gil"), "cc_session")
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain

    https = app.server.test_client()
    response = https.post(
        "/auth/login",
        data={"username": "gil", "password": TEST_PASSWORD},
        base_url="https://localhost",
        headers={"Origin": "https://localhost"},
    )
    assert "Secure" in _cookie_header(response, "cc_session")
    assert response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("proxies, secure", [(0, False), (1, True)])
def test_forwarded_proto_is_believed_only_from_trusted_proxies(db, settings, proxies, secure):
    users.create_user(db, "hal", TEST_PASSWORD, "staff")
    client = create_app(settings.with_(trusted_proxies=proxies)).server.test_client()
    response = client.post(
        "/auth/login",
        data={"username": "hal", "password": TEST_PASSWORD},
        headers={"X-Forwarded-Proto": "https", **ORIGIN},
    )
    assert ("Secure" in _cookie_header(response, "cc_session")) is secure


# --- the CLI ---


def test_cli_manages_people_and_tokens(cli, db, capsys):
    assert cli("create", "ivy", "--role", "admin", "--password-stdin", stdin=TEST_PASSWORD) == 0
    assert cli("create", "ivy", "--role", "admin", "--password-stdin", stdin=TEST_PASSWORD) == 1
    assert cli("create", "jo", "--role", "staff", "--password-stdin", stdin="short") == 1
    assert cli("token", "ivy", "--name", "export") == 0
    assert cli("disable", "ivy") == 0
    assert cli("enable", "ivy") == 0
    assert cli("list") == 0
    out = capsys.readouterr().out
    token = re.search(r"cct_\S+", out).group(0)
    assert users.user_for_token(db, token)[1].username == "ivy"
    assert re.search(r"ivy\s+admin\s+active", out)
    assert "export" in out and out.count(token) == 1  # shown once, never listed
    assert cli("disable", "nobody") == 1
    actions = _audit_actions(db)
    assert actions == ["user_created", "token_created", "user_disabled", "user_enabled"]
    assert recent(db)[0]["actor"].startswith("cli")


def test_cli_first_admin_only_while_nobody_exists(cli, db, capsys):
    assert cli("first-admin") == 0
    password = re.search(r"with password (\S+)", capsys.readouterr().out).group(1)
    assert users.verify_password(users.find_user(db, "admin"), password)
    assert cli("first-admin", "second") == 0
    assert "nothing created" in capsys.readouterr().out
    assert users.find_user(db, "second") is None
