"""assets/live.js alone, in Chromium, with a fake EventSource and a fake Dash: when each
live message is handed to Dash (its coalescing, docs/architecture.md)."""

from __future__ import annotations

import pytest

from common.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><body><div id="live-status-anchor"></div><script>
window.__sources = [];
window.EventSource = function (url) {
  this.url = url;
  this.readyState = 1;
  this.close = function () { this.readyState = 2; };
  window.__sources.push(this);
};
window.__handed = [];
window.dash_clientside = { set_props: function (id, props) {
  window.__handed.push(props.data.version);
} };
</script></body></html>"""

# Fires messages (version, and whether it carries a ticker) and answers how many reached
# Dash before this task ended.
FIRE = """(messages) => {
  const source = window.__sources[window.__sources.length - 1];
  for (const [version, ticker] of messages) {
    const payload = { version: version, heartbeat_age: 0, redis: true };
    if (ticker) { payload.ticker = [{ what: "v" + version }]; }
    source.onmessage({ data: JSON.stringify(payload) });
  }
  return window.__handed.slice();
}"""


@pytest.fixture
def live_page(browser):
    page = browser.new_page()
    page.set_content(PAGE)
    page.add_script_tag(content=(PROJECT_ROOT / "assets" / "live.js").read_text())
    page.wait_for_function("window.__sources.length === 1", timeout=5000)  # its 1 s check
    yield page
    page.close()


def test_a_change_after_a_quiet_spell_reaches_dash_at_once(live_page):
    """Leading edge: no timer between the message and Dash, not even of 0 ms (on a
    CPU-short screen it waited behind the page's other tasks, issue #21)."""
    assert live_page.evaluate(FIRE, [[1, True]]) == [1]


def test_a_burst_reaches_dash_as_its_first_and_then_its_latest_message(live_page):
    assert live_page.evaluate(FIRE, [[1, True], [2, True], [3, True]]) == [1]
    live_page.wait_for_function("window.__handed.length > 1", timeout=10_000)
    live_page.wait_for_timeout(400)  # a third update would show here
    assert live_page.evaluate("window.__handed") == [1, 3]  # one more, the latest


def test_a_ping_does_not_hold_back_the_change_after_it(live_page):
    """A ping (same version, no ticker) goes to Dash but opens no gap: the event that
    follows it within GAP_MS is not kept waiting for the rest of that gap."""
    live_page.evaluate(FIRE, [[1, True]])
    live_page.wait_for_timeout(400)
    live_page.evaluate(FIRE, [[1, False]])
    live_page.wait_for_timeout(30)
    live_page.evaluate(FIRE, [[2, True]])
    live_page.wait_for_timeout(50)  # well inside a gap, had the ping opened one
    assert live_page.evaluate("window.__handed") == [1, 1, 2]
