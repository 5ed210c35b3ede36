"""Hardening: headers on every response, a CSP that Dash runs under, no tracebacks,
stream text shown as text in a real browser, and bandit's verdict."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from common import clock
from common.config import PROJECT_ROOT
from data_access.db import make_engine
from tests.factories import apply_entries, reported

ORIGIN = {"Origin": "http://localhost"}
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
XSS_TITLE = "<img src=x onerror=window.__xss=1>"
XSS_DESCRIPTION = "<script>window.__xss=2</script>"
XSS_CATEGORY = "<img src=y onerror=window.__xss=3>"


def _requests(client, staff) -> dict:
    """One response of every kind the app gives."""
    return {
        "page": staff.get("/"),
        "redirect to sign-in": client.get("/wall"),
        "sign-in page": client.get("/auth/login"),
        "sign-in refused": client.post("/auth/login", data={"username": "x"}, headers=ORIGIN),
        "api": client.get("/api/v1/kpis", headers={"Authorization": "Bearer test-token"}),
        "api 401": client.get("/api/v1/kpis"),
        "api 404": staff.get("/api/v1/incidents/none"),
        "api 400": staff.get("/api/v1/kpis?start=x&end=y"),
        "health": client.get("/health"),
        "asset": client.get("/assets/style.css"),
        "missing asset": client.get("/assets/none.css"),
        "auth static": client.get("/auth/static/session.js"),
        "dash layout": staff.get("/_dash-layout"),
        "dash 401": client.get("/_dash-layout"),
        "csrf 403": staff.post("/_dash-update-component", json={}, headers={"Origin": "http://x"}),
        "callback error": staff.post("/_dash-update-component", json={"output": "nope.x"}),
    }


def test_every_kind_of_response_has_the_security_headers(client, signed_in_client):
    for kind, response in _requests(client, signed_in_client("staff")).items():
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (kind, name)
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy, kind
        if not kind.startswith(("asset", "auth static", "missing")):
            assert response.headers["Cache-Control"] == "no-store", kind


def _directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {policy}")


def test_csp_allows_exactly_dashs_inline_scripts(signed_in_client):
    response = signed_in_client("wall").get("/")
    scripts = _directive(response.headers["Content-Security-Policy"], "script-src")
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    html = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)
    inline = [
        body
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        if "src=" not in attrs and "application/json" not in attrs
    ]
    assert inline, "Dash's renderer starts from an inline script"
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts


def test_callback_errors_show_no_traceback(signed_in_client):
    staff = signed_in_client("staff")
    response = staff.post("/_dash-update-component", json={"output": "nope.children"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad callback request: no such callback output"}
    assert "Traceback" not in response.get_data(as_text=True)


def test_debug_is_off(app):
    assert app.server.debug is False
    assert app._dev_tools.ui is not True


@pytest.fixture
def xss_incident(settings, app, redis_client):
    """An incident whose free text and open codes carry HTML, applied as ingest would,
    with the wall's ticker rebuilt from it."""
    from worker.live_state import LiveState

    engine = make_engine(settings.database_url)
    at = clock.now().astimezone(settings.tz).replace(tzinfo=None)
    apply_entries(
        engine,
        [
            reported(
                "XSS-1",
                at.isoformat(timespec="seconds"),
                category=XSS_CATEGORY,
                title=XSS_TITLE,
                description=XSS_DESCRIPTION,
            )
        ],
        clock.now(),
    )
    LiveState(redis_client, settings).rebuild(engine, settings.tz)
    engine.dispose()
    return "XSS-1"


def _watch(page) -> list[str]:
    """Collect what would betray script execution or a CSP violation."""
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(f"dialog {d.message}"), d.dismiss()))
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_stream_text_is_shown_as_text_on_the_wall_and_in_the_api(
    signed_in_page, live_server, xss_incident
):
    page = signed_in_page("staff", "/wall")
    seen = _watch(page)
    ticker = page.locator("#wall-ticker")
    ticker.get_by_text(XSS_CATEGORY).wait_for(timeout=45_000)
    assert ticker.locator("img, script").count() == 0
    assert page.evaluate("window.__xss") is None

    page.goto(f"{live_server}/api/v1/incidents/{xss_incident}")
    body = page.locator("body").inner_text()
    assert XSS_TITLE in body and XSS_DESCRIPTION in body  # the JSON, shown as text
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert seen == []


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pages_run_under_the_csp_without_violations(signed_in_page):
    page = signed_in_page("admin", "/")
    seen = _watch(page)
    page.wait_for_selector(".cc-page", timeout=45_000)  # Dash rendered the layout
    page.wait_for_selector(".main-svg", timeout=45_000)  # Plotly drew a chart
    page.goto(page.url.split("?")[0].rstrip("/") + "/wall")
    page.wait_for_selector(".wall .main-svg", timeout=45_000)
    page.wait_for_timeout(500)
    assert seen == []


def test_bandit_finds_no_high_severity_issue():
    bandit = Path(sys.executable).parent / "bandit"
    folders = [
        f
        for f in ("common", "data_access", "worker", "dashboard", "callbacks")
        if (PROJECT_ROOT / f).is_dir()
    ]
    result = subprocess.run(
        [str(bandit), "-q", "-r", *folders, "-lll"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
