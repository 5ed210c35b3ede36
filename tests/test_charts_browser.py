"""The leader page's charts in headless Chromium, in zh: today's axis is one day named in
Chinese (not 23:59:59.9996), the modebar speaks zh-CN and offers no cloud, and the tab's
title follows the page's language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_leader_browser import county  # noqa: F401 - the page's data

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
expect.set_options(timeout=20_000)

DAILY = "#leader-daily"


def test_today_in_chinese_one_day_tick_a_local_modebar_and_title(signed_in_page, county):  # noqa: F811
    page = signed_in_page("leader", "/?lang=zh&period=today")
    ticks = page.locator(f"{DAILY} .xtick text")
    expect(ticks).to_have_count(1, timeout=90_000)  # a cold page on a busy machine
    assert re.fullmatch(r"\d{1,2}月\d{1,2}日", ticks.text_content())
    expect(page.locator(f"{DAILY} .bars .point path")).not_to_have_count(0)
    assert page.locator(f"{DAILY} .y2tick text").all_text_contents()[-1] == "100%"

    page.hover(DAILY)
    buttons = page.locator(f"{DAILY} .modebar-btn")
    expect(buttons.first).to_be_visible()
    titles = buttons.evaluate_all("bs => bs.map(b => b.getAttribute('data-title'))")
    assert "下载图表为PNG格式" in titles
    assert not any("Cloud" in (t or "") or "Share" in (t or "") for t in titles)
    expect(page).to_have_title("运行指标 · 社会治理指挥中心")

    page.locator(".cc-page-lang").click()  # the page's own switch: a navigation
    expect(page).to_have_title("Key figures · Social Governance Command Centre")
