"""Scopes of people, kiosks and personal API tokens (CONTRACT 2, second edition): stored in
SQL, given and changed by the CLI with codes checked against the master data, carried by
every principal, and changed on every host within credential_recheck_seconds (at once
when the CLI drops the shared status)."""

from __future__ import annotations

import io
import re
import time

import pytest

from common import clock
from common.scope import COUNTY, Scope
from dashboard import create_app
from dashboard.auth import recheck
from dashboard.auth.principal import from_bearer
from data_access import users
from data_access.audit import recent
from tests.conftest import TEST_PASSWORD
from tests.factories import accepted, apply_entries, reported

ORIGIN = {"Origin": "http://localhost"}
CHENGDONG = Scope("town", ("Chengdong",))
SHORT_RECHECK = 0.5


@pytest.fixture
def settings(settings):
    """A shared status that outlives every test here: only the CLI's forget renews it."""
    return settings.with_(credential_recheck_seconds=3600)


@pytest.fixture
def cli(settings, app, monkeypatch):
    """cli(*argv, stdin="") -> exit status of `python -m dashboard.auth.cli ...`."""
    from dashboard.auth.cli import main

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin + "\n"))
        return main(list(argv), settings)

    return run


def _scope_of(client) -> str:
    response = client.get("/auth/ping")
    assert response.status_code == 200
    return response.get_json()["scope"]


def _eventually(check, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


# --- the CLI ---


def test_cli_creates_people_with_scopes_and_lists_them(cli, db, capsys):
    create = ("--password-stdin",)
    town, departments = "town:Chengdong", "department:police,housing"
    assert (
        cli("create", "tl", "--role", "leader", "--scope", town, *create, stdin=TEST_PASSWORD) == 0
    )
    assert (
        cli("create", "dh", "--role", "staff", "--scope", departments, *create, stdin=TEST_PASSWORD)
        == 0
    )
    assert cli("create", "dir", "--role", "admin", *create, stdin=TEST_PASSWORD) == 0
    assert users.find_user(db, "tl").scope == CHENGDONG
    assert users.find_user(db, "dh").scope == Scope("department", ("housing", "police"))
    assert users.find_user(db, "dir").scope == COUNTY
    assert cli("token", "tl") == 0
    assert cli("list") == 0
    out = capsys.readouterr().out
    assert re.search(r"^tl\s+leader\s+active\s+town:Chengdong$", out, re.M)
    assert re.search(r"^dh\s+staff\s+active\s+department:housing,police$", out, re.M)
    assert re.search(r"^dir\s+admin\s+active\s+county$", out, re.M)
    assert re.search(r"token\s+1 tl\s+api\s+town:Chengdong", out)  # a token sees its person's
    assert recent(db, "user_created")[-1]["detail"] == "role=leader scope=town:Chengdong"


@pytest.mark.parametrize(
    "scope, message",
    [
        ("town:Nowhere", "unknown town code(s): Nowhere"),
        ("town:Chengdong,Atlantis", "unknown town code(s): Atlantis"),
        ("department:Chengdong", "unknown department code(s): Chengdong"),
        ("village:X", "scope kind must be one of county, town, department"),
        ("town:", "names at least one code"),
        ("county:Chengdong", "the county scope names no codes"),
    ],
)
def test_cli_refuses_scopes_the_master_data_does_not_know(cli, db, capsys, scope, message):
    argv = ("create", "x", "--role", "leader", "--scope", scope, "--password-stdin")
    assert cli(*argv, stdin=TEST_PASSWORD) == 1
    assert message in capsys.readouterr().err
    assert users.find_user(db, "x") is None
    users.create_user(db, "y", TEST_PASSWORD, "leader")
    assert cli("set-scope", "y", scope) == 1
    assert users.find_user(db, "y").scope == COUNTY


def test_set_scope_applies_at_the_next_request_after_the_cli_drops_the_shared_status(
    signed_in_client, cli, db, capsys
):
    leader = signed_in_client("leader")
    name = users.list_users(db)[0].username
    assert _scope_of(leader) == "county"  # shared in Redis for an hour from now on
    assert cli("set-scope", name, "town:Chengdong") == 0
    assert "now sees town:Chengdong" in capsys.readouterr().out
    assert _scope_of(leader) == "town:Chengdong"  # same session, next request
    assert cli("set-scope", name, "county") == 0
    assert _scope_of(leader) == "county"
    assert cli("set-scope", "nobody", "county") == 1
    [changed, _] = recent(db, "scope_changed")
    assert (changed["target"], changed["detail"]) == (name, "town:Chengdong -> county")
    assert changed["scope"] == "county" and changed["actor"].startswith("cli")


def test_a_scope_changed_in_sql_alone_applies_within_the_recheck_interval(
    settings, make_user, db, redis_client
):
    """As on another host, or when the CLI could not reach Redis: the shared status
    (role, version and scope) expires after credential_recheck_seconds."""
    app = create_app(settings.with_(credential_recheck_seconds=SHORT_RECHECK))
    client = app.server.test_client()
    name = make_user("staff")
    login = {"username": name, "password": TEST_PASSWORD}
    assert client.post("/auth/login", data=login, headers=ORIGIN).status_code == 302
    assert _scope_of(client) == "county"
    user_id = users.find_user(db, name).id
    shared = settings.key(recheck.user_key(user_id))
    value = redis_client.get(shared)
    assert value is not None and value.decode().endswith(" county")
    assert 0 < redis_client.pttl(shared) <= SHORT_RECHECK * 1000  # the bound, not a timing
    users.set_scope(db, name, CHENGDONG)  # SQL only
    assert _eventually(lambda: _scope_of(client) == "town:Chengdong")
    assert client.get("/").status_code == 200  # the session goes on


# --- kiosks ---


def test_kiosks_are_paired_with_a_scope_and_changed_by_the_cli(client, cli, db, capsys):
    assert (
        cli("kiosk-pair", "chengdong-hall", "--scope", "town:Chengdong", "--url", "http://x") == 0
    )
    out = capsys.readouterr().out
    assert "(chengdong-hall, town:Chengdong)" in out
    code = re.search(r"code=(\w+)", out).group(1)
    assert client.post("/kiosk/pair", data={"code": code}, headers=ORIGIN).status_code == 302
    assert _scope_of(client) == "town:Chengdong"
    assert recent(db, "kiosk_paired")[0]["scope"] == "town:Chengdong"
    assert cli("kiosk-set-scope", "1", "department:police") == 0
    assert _scope_of(client) == "department:police"  # the wall's next request
    assert cli("kiosk-list") == 0
    assert re.search(r"1 chengdong-hall\s+paired\s+department:police", capsys.readouterr().out)
    assert cli("kiosk-set-scope", "1", "town:Atlantis") == 1
    assert cli("kiosk-pair", "far", "--scope", "department:Atlantis") == 1
    assert cli("kiosk-revoke", "1") == 0
    assert cli("kiosk-set-scope", "1", "county") == 1  # a revoked screen has no scope to change
    assert client.get("/auth/ping").status_code == 401


# --- personal API tokens ---


def test_a_personal_token_carries_its_persons_scope_read_at_each_request(app, db, settings):
    users.create_user(db, "tok", TEST_PASSWORD, "leader", CHENGDONG)
    token_id, token = users.create_token(db, "tok", "script")

    def principal():
        headers = {"Authorization": f"Bearer {token}"}
        with app.server.test_request_context("/api/v1/kpis", headers=headers):
            return from_bearer(settings)

    assert principal().scope == CHENGDONG
    users.set_scope(db, "tok", Scope("department", ("police",)))
    assert principal().scope == Scope("department", ("police",))  # not frozen at creation
    assert principal().name == f"tok (token {token_id})"


# --- the audit names the caller's scope ---


def test_every_unmasked_view_and_export_records_the_callers_scope(client, db, settings):
    at = clock.now().astimezone(settings.tz).replace(tzinfo=None).isoformat(timespec="seconds")
    phone = {"reporter_phone": "13800001234"}
    apply_entries(db, [reported("P-1", at, town="Chengdong", **phone)], clock.now())
    users.create_user(db, "sam", TEST_PASSWORD, "staff", CHENGDONG)
    login = {"username": "sam", "password": TEST_PASSWORD}
    assert client.post("/auth/login", data=login, headers=ORIGIN).status_code == 302
    body = client.get("/api/v1/incidents/P-1").get_json()
    assert body["incident"]["reporter_phone"] == "13800001234"
    assert client.get("/export/incidents.csv?town=Chengdong").status_code == 200
    assert client.get("/export/disputes.csv?town=Chengdong").status_code == 200
    rows = {(r["action"], r["target"].split(" ?")[0]): r for r in recent(db)}
    assert rows[("view_personal_data", "incident P-1")]["scope"] == "town:Chengdong"
    assert rows[("export", "incidents export")]["detail"] == "role=staff, unmasked"
    assert rows[("export", "disputes export")]["detail"] == "role=staff, no personal data"
    assert {r["scope"] for r in recent(db)} == {"town:Chengdong"}  # the sign-in's too


# --- end to end: a stored scope, a real sign-in, the enforced answers ---


def test_a_town_leader_signed_in_sees_only_their_town_in_every_answer(client, db, settings):
    """The stored scope (this module) meets the enforcement (data_access.scoping) with no
    stand-in: what a town's leader gets after signing in with a password."""
    at = clock.now().astimezone(settings.tz).replace(tzinfo=None).isoformat(timespec="seconds")
    apply_entries(
        db,
        [
            reported("OWN-1", at, town="Chengdong"),
            reported("OWN-2", at, town="Chengdong"),
            reported("FAR-1", at, town="Chengxi"),
            accepted("D-FAR", at, town="Chengxi"),
            accepted("D-OWN", at, town="Chengdong"),
        ],
        clock.now(),
    )
    users.create_user(db, "town-lead", TEST_PASSWORD, "leader", CHENGDONG)
    login = {"username": "town-lead", "password": TEST_PASSWORD}
    assert client.post("/auth/login", data=login, headers=ORIGIN).status_code == 302
    kpis = client.get("/api/v1/kpis").get_json()
    assert kpis["incidents"]["received"] == 2
    assert kpis["disputes"]["accepted"] == 1
    refused = client.get("/api/v1/kpis?town=Chengxi")
    assert refused.status_code == 403 and "Chengxi" in refused.get_json()["error"]
    assert client.get("/api/v1/incidents/FAR-1").status_code == 404
    assert client.get("/api/v1/incidents/OWN-1").status_code == 200
    csv = client.get("/export/incidents.csv").get_data(as_text=True)
    assert "OWN-1" in csv and "FAR-1" not in csv
