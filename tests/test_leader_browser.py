"""The leader KPI page in headless Chromium: change the period, filter a town, click a
tile through to its cases, reproduce the view from the URL, download a ranking's CSV;
and the mediation page renders; all without console errors."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from common import clock
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from tests.factories import accepted, apply_entries, entry, reported

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

TILE = "[data-tile={}] .cc-tile__value"
expect.set_options(timeout=20_000)  # a page runs a dozen callbacks; CI machines are busy


@pytest.fixture
def county(settings, app):
    """Master data, and incidents: today 2 in Chengdong (one closed) and 1 in Chengbei;
    20 days ago 1 more in Chengbei; and two disputes this week."""
    engine = make_engine(settings.database_url)
    load_masterdata(engine, settings.masterdata_dir)
    now = clock.now()
    local = now.astimezone(settings.tz).replace(tzinfo=None)
    today = max(local - timedelta(hours=1), local.replace(hour=0, minute=1))
    ts = today.isoformat(timespec="seconds")
    old = (local - timedelta(days=20)).isoformat(timespec="seconds")
    apply_entries(
        engine,
        [
            reported("K-1", ts, town="Chengdong", grid="CD-001"),
            entry("K-1", "closed", ts, satisfaction=5),
            reported("K-2", ts, town="Chengdong", category="noise"),
            reported("K-3", ts, town="Chengbei", channel="wechat"),
            reported("K-4", old, town="Chengbei"),
            accepted("M-1", ts, town="Chengdong"),
            entry("M-1", "mediating", ts, entity="dispute"),
            entry("M-1", "mediated", ts, entity="dispute"),
            accepted("M-2", ts, town="Chengbei", kind="family"),
        ],
        now,
    )
    engine.dispose()


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _query(page) -> dict:
    return _query_of(page.url)


def _query_of(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_period_town_filter_click_through_and_url_reproduces(signed_in_page, county, live_server):
    page = signed_in_page("leader", "/?lang=en")
    errors = _watch(page)
    received = page.locator(TILE.format("received"))
    received.wait_for()
    expect(received).to_have_text("4")
    assert _query(page)["period"] == ["30d"]
    assert "Closed ÷ received" in page.get_attribute("[data-tile=closure_rate]", "title")

    page.get_by_text("7 days", exact=True).click()
    expect(received).to_have_text("3")
    assert _query(page)["period"] == ["7d"]

    page.click("#leader-towns")
    page.keyboard.type("Chengdong")
    page.keyboard.press("Enter")
    expect(received).to_have_text("2")
    assert _query(page)["town"] == ["Chengdong"]
    expect(page.locator("[data-tile=closure_rate] .cc-tile__detail")).to_have_text("1 of 2")

    shared = page.url
    again = page.context.new_page()
    again_errors = _watch(again)
    again.goto(shared)
    expect(again.locator(TILE.format("received"))).to_have_text("2")
    assert again.locator("#leader-period input:checked").get_attribute("value") == "7d"
    assert "Chengdong" in again.locator("#leader-towns").inner_text()

    with page.expect_download() as download:
        page.locator("button", has_text="Download CSV").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("#,Unit,Closure rate")
    assert "Chengdong Subdistrict" in text

    # the work order's tiles, and a department's return rate in the department ranking
    returns = page.locator(TILE.format("return_rate"))
    expect(returns).to_have_text("—")  # none dispatched yet
    assert _query_of(returns.get_attribute("href"))["set"] == ["dispatched"]
    assert page.locator("[data-tile=return_rate] .cc-change").count() == 2
    page.locator("#leader-measure").get_by_text("Return rate", exact=True).click()
    expect(page.locator("#leader-rank-department")).to_contain_text("Return rate")

    assert errors == [] and again_errors == []
    received.click()
    page.wait_for_url(re.compile(r"/incidents\?"))
    query = _query(page)
    assert query["set"] == ["received"] and query["town"] == ["Chengdong"]
    assert query["start"] and query["end"]


def test_mediation_page_shows_flow_and_tables_in_chinese(signed_in_page, county):
    page = signed_in_page("leader", "/mediation?lang=zh&period=7d")
    errors = _watch(page)
    expect(page.locator(TILE.format("disputes_accepted"))).to_have_text("2")
    expect(page.locator(TILE.format("resolution_rate"))).to_have_text("50.0%")
    page.locator("#mediation-flow .sankey").wait_for()
    assert page.locator(".cc-breakdowns table").count() == 4
    assert page.locator("h1").inner_text() == "矛盾纠纷调处"
    assert errors == []
