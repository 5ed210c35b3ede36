"""Wall screens: a one-time pairing code becomes a long-lived, revocable kiosk cookie."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from common import clock
from dashboard.auth import recheck
from data_access import users
from data_access.audit import recent
from tests.servers import pair_kiosk

RECHECK_SECONDS = 0.5


@pytest.fixture
def settings(settings):
    """Kiosk revocation is re-checked every half second here (30 s by default)."""
    return settings.with_(credential_recheck_seconds=RECHECK_SECONDS)


ORIGIN = {"Origin": "http://localhost"}


def _pair(client, code: str):
    return client.post("/kiosk/pair", data={"code": code}, headers=ORIGIN)


def _eventually(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_pairing_sets_a_long_lived_read_only_kiosk_cookie(client, db):
    kiosk_id, code = users.create_kiosk(db, "hall-left", "admin")
    response = _pair(client, code.lower()[:4] + "-" + code[4:])  # as typed off a phone
    assert response.status_code == 302 and response.headers["Location"] == "/wall"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("cc_kiosk="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert int(re.search(r"Max-Age=(\d+)", cookie).group(1)) >= 365 * 86400
    for path in ("/wall", "/", "/_dash-layout", "/api/v1/kpis", "/auth/ping"):
        assert client.get(path).status_code == 200, path
    assert client.get("/auth/ping").get_json()["role"] == "wall"
    assert [r["action"] for r in recent(db)] == ["kiosk_paired"]


def test_a_code_pairs_once_and_expires(client, db, app):
    _, code = users.create_kiosk(db, "hall-left", "admin")
    assert _pair(client, code).status_code == 302
    again = _pair(app.server.test_client(), code)
    assert again.status_code == 400 and b"unknown, used or expired" in again.data
    _, late = users.create_kiosk(db, "hall-right", "admin", valid_for=timedelta(hours=1))
    try:
        clock.set_offset(timedelta(hours=2))
        assert _pair(app.server.test_client(), late).status_code == 400
    finally:
        clock.set_offset(timedelta(0))


def test_kiosks_are_never_signed_out_by_idleness(client, db, settings):
    _, code = users.create_kiosk(db, "hall-left", "admin")
    _pair(client, code)
    try:
        clock.set_offset(timedelta(days=90))
        assert client.get("/wall").status_code == 200
        renewed = client.get("/auth/ping")
        assert any(c.startswith("cc_kiosk=") for c in renewed.headers.getlist("Set-Cookie"))
    finally:
        clock.set_offset(timedelta(0))


def test_revocation_in_sql_takes_the_screen_off_within_the_recheck_interval(
    client, db, settings, redis_client
):
    kiosk_id, code = users.create_kiosk(db, "hall-left", "admin")
    _pair(client, code)
    assert client.get("/auth/ping").status_code == 200
    # the status is shared through Redis, so every worker and host re-checks alike, and
    # the shared copy lives no longer than the recheck interval (the bound asserted here
    # rather than a wall-clock time, which a busy machine stretches)
    shared = settings.key(recheck.kiosk_key(kiosk_id))
    assert _eventually(
        lambda: (
            client.get("/auth/ping").status_code == 200
            and 0 < redis_client.pttl(shared) <= RECHECK_SECONDS * 1000
        )
    )
    users.revoke_kiosk(db, kiosk_id)  # SQL only: as if the CLI could not reach Redis
    assert _eventually(lambda: client.get("/auth/ping").status_code == 401, 60)
    assert client.get("/wall").status_code == 302


def test_cli_pairs_lists_and_revokes_kiosks_at_once(client, db, settings, capsys):
    from dashboard.auth.cli import main

    assert main(["kiosk-pair", "hall-left", "--url", "http://cc.local:8050/"], settings) == 0
    out = capsys.readouterr().out
    url = re.search(r"http://cc\.local:8050(/kiosk/pair\?code=(\w+))", out)
    form = client.get(url.group(1))  # shows the form filled in; pressing it pairs
    assert form.status_code == 200 and f'value="{url.group(2)}"' in form.get_data(as_text=True)
    assert _pair(client, url.group(2)).status_code == 302
    assert main(["kiosk-list"], settings) == 0
    assert re.search(r"1 hall-left\s+paired", capsys.readouterr().out)
    kiosk_settings = settings.with_(credential_recheck_seconds=3600)
    assert main(["kiosk-revoke", "1"], kiosk_settings) == 0  # drops the shared status too
    assert client.get("/auth/ping").status_code == 401
    assert main(["kiosk-revoke", "1"], settings) == 1
    actions = [r["action"] for r in recent(db)][::-1]
    assert actions == ["kiosk_created", "kiosk_paired", "kiosk_revoked"]


def test_guessing_pairing_codes_is_throttled(client, db, settings):
    _, code = users.create_kiosk(db, "hall-left", "admin")
    for n in range(settings.login_max_failures):
        assert _pair(client, f"WRONG{n}").status_code == 400
    assert _pair(client, code).status_code == 400  # locked out, even with the right code
    assert len(recent(db, "kiosk_pair_failed")) == settings.login_max_failures + 1


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_paired_screen_shows_the_wall_until_revoked(browser, live_server, db):
    kiosk_id, code = users.create_kiosk(db, "hall-left", "admin")
    context = browser.new_context()
    try:
        page = context.new_page()
        pair_kiosk(context, live_server, code)
        page.goto(f"{live_server}/wall")
        page.wait_for_selector(".wall")
        assert any(c["name"] == "cc_kiosk" for c in context.cookies())
        page.reload()  # a power cycle: still paired, no keyboard needed
        page.wait_for_selector(".wall")
        users.revoke_kiosk(db, kiosk_id)  # SQL only; the page notices by itself
        page.wait_for_url(re.compile(r"/auth/login\?next="), timeout=45_000)
    finally:
        context.close()


def test_the_pairing_link_carries_the_sites_real_address(db, settings, capsys):
    from dashboard.auth.cli import main

    assert main(["kiosk-pair", "hall-right"], settings.with_(host="127.0.0.1", port=8123)) == 0
    assert "http://127.0.0.1:8123/kiosk/pair?code=" in capsys.readouterr().out
    public = settings.with_(public_url="https://cc.county.gov.cn/")
    assert main(["kiosk-pair", "hall-far"], public) == 0
    assert "https://cc.county.gov.cn/kiosk/pair?code=" in capsys.readouterr().out
