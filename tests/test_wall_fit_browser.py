"""assets/wall.js's fit alone, in Chromium: rows that do not fit their panel are hidden
whole after a change in the wall, and the clock's tick every second fits nothing."""

from __future__ import annotations

import pytest

from common.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><head><style>.wall-cut { display: none; }</style></head><body>
<div class="wall-clock">12:00:00</div>
<div class="wall-panel" style="height: 100px; overflow: hidden">
  <ul id="rows" style="margin: 0">
    <li class="wall-fit" style="height: 40px">one</li>
    <li class="wall-fit" style="height: 40px">two</li>
    <li class="wall-fit" style="height: 40px">three</li>
  </ul>
</div>
<script>
window.__fits = 0;  // each fit takes the mark off every row first
new MutationObserver(function (records) {
  records.forEach(function (r) {
    if (r.oldValue && r.oldValue.indexOf("wall-cut") >= 0) { window.__fits += 1; }
  });
}).observe(document.getElementById("rows"),
           { subtree: true, attributes: true, attributeOldValue: true });
</script></body></html>"""

SETTLED = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture
def wall_page(browser):
    page = browser.new_page()
    page.set_content(PAGE)
    page.add_script_tag(content=(PROJECT_ROOT / "assets" / "wall.js").read_text())
    page.wait_for_function("document.querySelectorAll('.wall-cut').length === 1")
    page.evaluate(SETTLED)
    yield page
    page.close()


def test_a_row_that_does_not_fit_is_hidden_and_shown_again_when_it_fits(wall_page):
    assert wall_page.evaluate("document.querySelector('.wall-cut').textContent") == "three"
    wall_page.evaluate("document.querySelector('.wall-fit').remove()")
    wall_page.wait_for_function("document.querySelectorAll('.wall-cut').length === 0")


def test_the_clock_ticking_fits_nothing(wall_page):
    """Each fit forces a layout of every panel; the clock changes every second and
    changes no panel (issue #21: a CPU-short screen's time)."""
    fits = wall_page.evaluate("window.__fits")
    for second in range(1, 4):
        wall_page.evaluate(f"document.querySelector('.wall-clock').textContent = '12:00:0{second}'")
        wall_page.evaluate(SETTLED)
    assert wall_page.evaluate("window.__fits") == fits
    wall_page.evaluate("document.getElementById('rows').firstElementChild.textContent = 'uno'")
    wall_page.wait_for_function(f"window.__fits > {fits}")  # a panel's change still fits
