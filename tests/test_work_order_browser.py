"""In real headless Chromium, signed in as a leader (personal data masked): an incident
with every work-order event shows each in a clerk's words, zh and en, its duplicate links
to it and back, and an open incident under a working-day rule counts its deadline in
working days on its page and in the list. Screenshots go to artifacts/."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from common.config import PROJECT_ROOT
from data_access.db import dispose_all, make_engine
from tests.factories import apply_entries, reported
from tests.test_work_order_pages import PHONE, SLA, work_order

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_ROOT / "artifacts"
WAIT_MS = 20_000
FIRST_LOAD_MS = 60_000  # a page's first load on a loaded 2-core machine


@pytest.fixture(autouse=True)
def _close_pools():
    yield
    dispose_all()


@pytest.fixture
def settings(settings, tmp_path):
    """The county's rules in working days (CC_SLA_RULES), as the tests' SLA."""
    rules = tmp_path / "sla.csv"
    rules.write_text("category,priority,channel,limit\nsanitation,normal,*,5wd\n")
    return dataclasses.replace(settings, sla_rules_path=rules)


@pytest.fixture
def incidents(settings):
    engine = make_engine(settings.database_url)
    # WO-3: 5 working days from Monday 2026-10-12, long overdue by now
    entries = [*work_order(), reported("WO-3", "2026-10-12T10:00:00")]
    apply_entries(engine, entries, datetime.now(UTC), SLA)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_timeline_in_a_clerks_words(incidents, signed_in_page, live_server):
    errors: list[str] = []
    page = signed_in_page("leader", "/incidents/WO-1?lang=zh")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1000})

    events = page.locator(".cc-timeline > li")
    events.first.wait_for(timeout=FIRST_LOAD_MS)
    text = page.locator(".cc-timeline").inner_text()
    for said in ("签收", "退回原因：不属本部门，联系人138****1234", "先行联系",
                 "延期 1 个工作日：原时限 2026-10-14 00:00 → 新时限 2026-10-15 00:00",
                 "未生效：申请时已过时限 2026-10-15 00:00", "督办2级", "认领", "回访",
                 "重办"):  # fmt: skip
        assert said in text
    assert PHONE not in page.content()
    page.wait_for_selector(".cc-facts a[href='/incidents/WO-2?lang=zh']")
    page.screenshot(path=str(ARTIFACTS / "incident-work-order-zh.png"), full_page=True)

    page.goto(f"{live_server}/incidents/WO-1?lang=en")
    page.wait_for_selector(".cc-timeline > li", timeout=FIRST_LOAD_MS)
    text = page.locator(".cc-timeline").inner_text()
    for said in ("Signed for", "Reason: 不属本部门", "Reporter contacted", "Working days added: 1",
                 "Not applied: asked after the deadline", "Taken in hand", "Call-back",
                 "Reopened"):  # fmt: skip
        assert said in text
    page.screenshot(path=str(ARTIFACTS / "incident-work-order-en.png"), full_page=True)

    # the duplicate links to its original, which opens
    page.goto(f"{live_server}/incidents/WO-2?lang=en")
    page.wait_for_selector(".cc-facts .cc-merged a:text('WO-1')")
    assert "Merged into\nWO-1" in page.locator(".cc-facts").inner_text()
    page.wait_for_selector(".cc-clock:text('Merged as a duplicate: no clock')")
    page.click(".cc-facts .cc-merged a")
    page.wait_for_url(f"{live_server}/incidents/WO-1?lang=en")
    page.wait_for_selector(".cc-timeline > li")

    # a deadline under a working-day rule: in working days on the page and in the list
    page.goto(f"{live_server}/incidents/WO-3?lang=zh")
    page.wait_for_selector(".cc-clock:has-text('个工作日')", timeout=FIRST_LOAD_MS)
    assert page.locator(".cc-clock").inner_text().startswith("▲ 超期 ")
    page.screenshot(path=str(ARTIFACTS / "incident-working-days-zh.png"), full_page=True)
    page.goto(f"{live_server}/incidents?q=WO-3&lang=en")
    cell = ".ag-row .ag-cell[col-id=hours_overdue]:has-text('working days overdue')"
    page.wait_for_selector(cell, timeout=FIRST_LOAD_MS)
    page.locator(cell).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "incidents-working-days-en.png"))
    assert errors == []
