"""In real headless Chromium, signed in as staff: an incident's possible duplicates with
their reasons, merged with one click; the merge travels through the stream and ingest
back onto the page, which then says it is merged and offers to unmerge. Screenshots go
to artifacts/."""

from __future__ import annotations

import pytest

from common.config import PROJECT_ROOT
from data_access.db import dispose_all
from tests.servers import publish
from tests.test_duplicate_actions import rubbish

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_ROOT / "artifacts"
WAIT_MS = 20_000
FIRST_LOAD_MS = 60_000  # a page's first load on a loaded 2-core machine


@pytest.fixture(autouse=True)
def _close_pools():
    yield
    dispose_all()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_merge_a_duplicate_from_its_page(signed_in_page, ingest_thread, redis_client, settings):
    phone = {"reporter_phone": "13800001234"}
    publish(
        redis_client,
        settings.stream_key,
        [
            rubbish("INC-A", -30, **phone),
            rubbish("INC-B", -2, lat="31.9003", **phone),
            rubbish("INC-C", -1, lat="31.9012", title="垃圾未清运"),
        ],
    )
    errors: list[str] = []
    page = signed_in_page("staff", "/incidents/INC-B?lang=zh")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1600, "height": 1000})
    item = page.locator(".cc-duplicates__item")
    item.first.wait_for(timeout=FIRST_LOAD_MS)
    text = item.first.inner_text()
    assert "INC-A" in text and "同一来电人" in text and "相距33米" in text
    assert not page.locator("#incident-dup-unmerge").is_visible()  # not merged
    page.screenshot(path=str(ARTIFACTS / "incident-duplicates-zh.png"), full_page=True)

    page.click("button:has-text('本件合并到 INC-A')")
    # the outcome, not the passing "sent" message (once ingest applies the merge, the
    # page redraws as merged and that message may already be gone)
    page.wait_for_selector("#incident-duplicates:has-text('本件已作为重复件合并到')")
    page.wait_for_selector("#incident-dup-unmerge", state="visible")
    page.screenshot(path=str(ARTIFACTS / "incident-duplicates-merged-zh.png"), full_page=True)
    assert errors == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_list_of_possible_duplicates(signed_in_page, ingest_thread, redis_client, settings):
    publish(
        redis_client,
        settings.stream_key,
        [rubbish("INC-A", -30), rubbish("INC-B", -2), rubbish("INC-C", -1, lat="31.9012")],
    )
    page = signed_in_page("staff", "/duplicates?lang=en")
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1600, "height": 1000})
    items = page.locator(".cc-duplicates__item")
    items.first.wait_for(timeout=FIRST_LOAD_MS)
    assert items.count() == 3
    page.screenshot(path=str(ARTIFACTS / "duplicates-list-en.png"), full_page=True)
    page.click("button:has-text('Merge INC-B into INC-A')")
    page.wait_for_selector("#duplicates-message:has-text('Merge sent')")
    # once ingest applied it, B is merged and leaves the list with its pairs (the list is
    # read again at once, and every 30 s in case ingest had not applied it by then)
    items.nth(1).wait_for(state="detached", timeout=45_000)
    assert items.count() == 1
