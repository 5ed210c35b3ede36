"""CC_LANG: the demo runs in zh (a Chinese county); sign-in, pairing and a paired wall
follow CC_LANG rather than coming up in English."""

from __future__ import annotations

import os
import subprocess

import pytest
from playwright.sync_api import expect

from common.config import PROJECT_ROOT
from dashboard.i18n import t
from data_access import users
from data_access.db import make_engine
from tests.servers import pair_kiosk

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings(settings):
    return settings.with_(lang="zh")


def _demo_lang(env: dict) -> str:
    """CC_LANG as scripts/run.sh (`make run`) exports it, its other steps left out."""
    script = PROJECT_ROOT / "scripts" / "run.sh"
    exports = [line for line in script.read_text().splitlines() if "CC_LANG" in line]
    run = subprocess.run(  # noqa: S603 - bash with the script's own lines
        ["/bin/bash", "-c", "\n".join([*exports, 'echo "$CC_LANG"'])],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return run.stdout.strip()


def test_the_demo_runs_in_chinese_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k != "CC_LANG"}
    assert _demo_lang(env) == "zh"
    assert _demo_lang({**env, "CC_LANG": "en"}) == "en"


@SQLITE
def test_sign_in_and_pairing_pages_follow_cc_lang(client):
    login = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in login and t("auth.heading", "zh") in login
    pair = client.get("/kiosk/pair").get_data(as_text=True)
    assert '<html lang="zh-CN">' in pair and t("kiosk.heading", "zh") in pair
    assert t("auth.heading", "en") in client.get("/auth/login?lang=en").get_data(as_text=True)


@SQLITE
@pytest.mark.browser
def test_a_paired_wall_follows_cc_lang(browser, live_server, settings):
    engine = make_engine(settings.database_url)
    _, code = users.create_kiosk(engine, "hall-left", "admin")
    engine.dispose()
    context = browser.new_context()
    try:
        page = context.new_page()
        pair_kiosk(context, live_server, code)
        page.goto(f"{live_server}/wall")
        expect(page.locator(".wall-title")).to_have_text(t("wall.title", "zh"), timeout=30_000)
    finally:
        context.close()
