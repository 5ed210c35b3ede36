"""The wall read from six metres, in real headless Chromium on a small seeded county:
type sizes measured in the page (getComputedStyle, the charts' SVG text), no scrolling,
no English in zh, and a screenshot of each size and language (CC_WALL_SHOTS, else
artifacts/) to look at."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from common import clock
from common.config import PROJECT_ROOT
from data_access.db import make_engine
from data_access.schema import migrate
from tests.servers import RedisServer, fast_ingest, wait_for
from tests.small_county import seed_small_county

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("CC_WALL_SHOTS") or PROJECT_ROOT / "artifacts")
LABEL_PX, NUMBER_PX = 24, 64  # at 1080 lines; doubled at 2160

# the largest computed font size of each kind of text, in CSS pixels
MEASURE = """() => {
  const size = (el) => parseFloat(getComputedStyle(el).fontSize);
  const all = (sel) => [...document.querySelectorAll(sel)];
  const sizes = (sel) => all(sel).filter((el) => el.offsetParent !== null || el.closest("svg"))
                                 .map(size);
  const svgText = (sel) => all(sel).map((el) => parseFloat(el.style.fontSize || "0"));
  const min = (xs) => (xs.length ? Math.min(...xs) : null);
  return {
    panel_title: min(sizes(".wall-panel__title")),
    tile_label: min(sizes(".wall .cc-tile__label")),
    tile_value: min(sizes(".wall .cc-tile__value")),
    tile_detail: min(sizes(".wall .cc-tile__detail")),
    ticker_row: min(sizes(".wall-tick span")),
    alert_row: min(sizes(".wall-alert > span")),
    rank_row: min(sizes(".wall-rank > span")),
    chart_tick: min(svgText("#wall-trend .xtick text, #wall-trend .ytick text")),
    map_text: min(svgText("#wall-map text")),
    scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
  };
}"""


# Every piece of text on the wall, as drawn: each text node's line boxes (a Range's client
# rects) and each chart's SVG text. Cut: a line outside its element's box (ellipsis or
# clipping), its panel or the screen; overlap: two pieces of text covering each other.
CUTS = """() => {
  const W = innerWidth, H = innerHeight, out = [];
  const shown = (el) => el.getClientRects().length > 0
                        && getComputedStyle(el).visibility !== "hidden";
  const boxOf = (el) => el.closest(".wall-panel, .wall-top, .wall-banner") || document.body;
  const inside = (r, b, slack = 1) => r.left >= b.left - slack && r.right <= b.right + slack
                                     && r.top >= b.top - slack && r.bottom <= b.bottom + slack;
  const pieces = [];
  const walker = document.createTreeWalker(document.querySelector(".wall"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !shown(el) || el.closest("svg")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const what = node.textContent.trim().slice(0, 40);
    const block = el.clientWidth > 0 && getComputedStyle(el).display !== "inline";
    if (block && el.scrollWidth > el.clientWidth + 1)
      out.push(["cut (wider than its box)", what]);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      const panel = boxOf(el).getBoundingClientRect();
      if (!inside(r, panel)) out.push(["cut (outside its panel)", what]);
      if (!inside(r, {left: 0, top: 0, right: W, bottom: H})) out.push(["cut (off screen)", what]);
      // a line box is taller than its glyphs (more so for large type with a tight
      // line-height): compare the middle two thirds, as for the charts' text below
      const pad = r.height / 6;
      pieces.push([{left: r.left, right: r.right, top: r.top + pad, bottom: r.bottom - pad},
                   what, el]);
    }
  }
  for (const el of document.querySelectorAll(".wall svg text")) {
    const r = el.getBoundingClientRect();
    if (!el.textContent.trim() || r.width < 1 || r.height < 1) continue;
    // a chart's text inside its chart
    const chart = el.closest(".js-plotly-plot").getBoundingClientRect();
    if (!inside(r, chart, 2)) out.push(["cut (outside its chart)", el.textContent]);
    // Plotly's line boxes are taller than the glyphs: compare the middle two thirds
    const pad = r.height / 6;
    pieces.push([{left: r.left, right: r.right, top: r.top + pad, bottom: r.bottom - pad},
                 el.textContent, el]);
  }
  for (let i = 0; i < pieces.length; i++) {
    for (let j = i + 1; j < pieces.length; j++) {
      const [a, ta, ea] = pieces[i], [b, tb, eb] = pieces[j];
      if (ea === eb || ea.contains(eb) || eb.contains(ea)) continue;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.push(["overlap", ta + " / " + tb]);
    }
  }
  return out;
}"""


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'wall.sqlite'}"
    migrate(url)
    return url


@pytest.fixture
def settings(settings, tmp_path):
    """A small seeded county on the test's own Redis, with ingest rebuilding its live state."""
    server = RedisServer()
    engine = make_engine(settings.database_url)
    seed_small_county(engine, clock.now())
    engine.dispose()
    yield settings.with_(redis_url=server.url, stale_seconds=30)
    server.close()


@pytest.fixture
def ingest(settings):
    worker = fast_ingest(settings)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    yield worker
    worker.stop.set()
    thread.join(timeout=15)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_wall_reads_from_six_metres_and_cuts_no_text(
    signed_in_page, live_server, ingest, lang, size
):
    page = signed_in_page("wall", f"/wall?lang={lang}")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.reload()
    page.wait_for_selector(".wall-county")
    wait_for(lambda: page.inner_text("#wall-tiles").strip() != "", 90, what="first render")
    wait_for(lambda: page.query_selector(".wall-tick"), 90, what="the ticker")
    wait_for(lambda: page.query_selector("#wall-trend .xtick text"), 90, what="the trend")
    page.wait_for_timeout(1500)
    sizes = page.evaluate(MEASURE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = f"wall-{lang}-{size[0]}x{size[1]}"
    page.screenshot(path=SHOTS / f"{stem}.png", animations="disabled")
    (SHOTS / f"{stem}.json").write_text(json.dumps(sizes, indent=1))
    scale = size[1] / 1080
    assert sizes["scroll"][0] <= size[0] and sizes["scroll"][1] <= size[1], "no scrolling"
    cuts = page.evaluate(CUTS)
    assert cuts == [], f"text cut off or overlapping ({stem}.png): {cuts}"
    for kind in ("panel_title", "tile_label", "ticker_row", "alert_row", "rank_row"):
        if sizes[kind] is not None:  # no ranking rows in the first minutes of a day
            assert sizes[kind] >= LABEL_PX * scale - 0.5, (kind, sizes)
    assert sizes["tile_value"] >= NUMBER_PX * scale - 0.5, sizes
    assert sizes["chart_tick"] >= LABEL_PX * scale - 0.5, sizes
    if lang == "zh":
        text = page.inner_text(".wall")
        assert " pt" not in text and "INC-" not in page.inner_text("#wall-ticker")
