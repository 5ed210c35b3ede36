"""The leader page's grid map in headless Chromium (zh, 1920x1080): choosing 重复报告
colours the grids by repeat reports (data_access.repeats) in the warm palette with a
note saying what they are, the busiest grids starred with their counts; choosing 受理量
goes back. The tiles count the merged reports as 重复件. Screenshots go to artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from common import clock
from common.config import PROJECT_ROOT
from common.duplicates import THRESHOLD
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.sla import Sla
from tests.factories import TZ, entry, reported
from worker.apply import apply_events
from worker.contract import parse_entry

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
ARTIFACTS = PROJECT_ROOT / "artifacts"
expect.set_options(timeout=30_000)
# (town, grid, its centre, how many times its problem came back after closing)
PLACES = (
    ("Chengdong", "CD-001", 31.900585, 120.305612, 3),
    ("Chengdong", "CD-002", 31.891431, 120.317136, 1),
    ("Chengnan", "CN-023", 31.859316, 120.336751, 2),
    ("Chengnan", "CN-024", 31.873548, 120.330045, 1),
)
SAID = {
    "title": "小区垃圾未及时清运",
    "description": "市民来电反映：5幢附近垃圾未及时清运，气味很大。",
}


def _entries(now) -> list[dict]:
    """Per place: a problem reported 5 days ago and closed, then reported again in the
    last days (the first again merged into it, the others found as its candidates); and
    a received report elsewhere with no repeat."""
    local = now.astimezone(TZ)

    def ts(days: float) -> str:
        return (local - timedelta(days=days)).isoformat(timespec="seconds")

    entries = []
    for town, grid, lat, lon, again in PLACES:
        where = {"town": town, "grid": grid, "lat": str(lat), "lon": str(lon), **SAID}
        entries += [reported(f"{grid}-0", ts(5.5), **where), entry(f"{grid}-0", "closed", ts(5))]
        for n in range(1, again + 1):
            entries.append(reported(f"{grid}-{n}", ts(2 - n * 0.1), **where))
        entries.append(entry(f"{grid}-1", "merged", ts(1), into=f"{grid}-0"))
    return entries + [reported("X-1", ts(1), town="Chengdong", grid="CD-003", title="路灯不亮")]


@pytest.fixture
def county(settings, app):
    engine = make_engine(settings.database_url)
    load_masterdata(engine, settings.masterdata_dir)
    now = clock.now()
    events = [parse_entry(f"{i + 1}-0", e, TZ, now) for i, e in enumerate(_entries(now))]
    apply_events(engine, events, Sla(), TZ, now, duplicates_from=THRESHOLD)
    engine.dispose()


def _counted(page) -> list[str]:
    """The grids' hover texts ("name: count") where the count is not 0."""
    hovers = page.evaluate(
        "() => document.querySelector('#leader-map .js-plotly-plot').data[0].text"
    )
    return sorted(h for h in hovers if not h.endswith(": 0"))


def test_the_map_shows_repeat_reports_per_grid(signed_in_page, county):
    page = signed_in_page("leader", "/?lang=zh&period=7d")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_selector("#leader-map .js-plotly-plot", timeout=60_000)
    expect(page.locator("#leader-map-note")).to_have_text("")
    # the merged reports: the duplicates tile, listing the incident list's set
    duplicates = page.locator("[data-tile=duplicates] .cc-tile__value")
    expect(duplicates).to_have_text("4")
    assert "duplicates" in duplicates.get_attribute("href")
    page.wait_for_function(
        "() => document.querySelector('#leader-map .js-plotly-plot').data[1].text.length > 0"
    )
    # received: the merged reports are not received
    assert _counted(page) == sorted(
        ["春晖社区第1网格: 3", "紫荆社区第1网格: 1", "紫荆社区第2网格: 1", "长安社区第4网格: 2",
         "长安社区第5网格: 1"]
    )  # fmt: skip

    panel = page.locator(".cc-panel--map")
    panel.get_by_text("重复报告", exact=True).click()
    expect(page.locator("#leader-map-note")).to_contain_text("办结未解决")
    page.wait_for_function(
        "() => document.querySelector('#leader-map .js-plotly-plot').data[1].text.length == 4"
    )
    assert _counted(page) == sorted(
        ["春晖社区第1网格: 3", "紫荆社区第1网格: 1", "长安社区第4网格: 2", "长安社区第5网格: 1"]
    )
    fills = page.evaluate(
        "() => document.querySelector('#leader-map .js-plotly-plot').layout.shapes"
        ".map(s => s.fillcolor).filter(Boolean)"
    )
    assert "#63200a" in fills  # the warm palette's darkest: the grid with most repeats
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "leader-map-repeats-zh.png"))
    page.screenshot(path=str(ARTIFACTS / "leader-map-repeats-page-zh.png"), full_page=True)
    panel.screenshot(path=str(ARTIFACTS / "leader-map-repeats-panel-zh.png"))

    panel.get_by_text("受理量", exact=True).click()
    expect(page.locator("#leader-map-note")).to_have_text("")
    page.wait_for_function(
        "() => document.querySelector('#leader-map .js-plotly-plot').data[1].text.length == 5"
    )
    assert errors == []
