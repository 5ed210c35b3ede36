"""What a real wall page sends, recorded once in headless Chromium, so a load generator
replays the browser's own requests and Dash payloads instead of hand-written ones.

`capture(base, code)` pairs a kiosk, opens /wall and records every same-origin request
(method, path, body, content type) until the page has rendered its panels twice (the
first full render and one partial update after a pushed version) and pinged its session.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from dashboard.ids import wall as ids
from tests.conftest import CHROMIUM_ARGS

CALLBACK_PATH = "/_dash-update-component"
RENDER_OUTPUT = f"{ids.RENDERED}.data"
# Headers the replay sets itself (per connection or per client) rather than copying.
OWN_HEADERS = frozenset({"cookie", "host", "content-length", "connection", "accept-encoding"})


@dataclass
class Recorded:
    method: str
    path: str  # with the query string
    body: str | None
    headers: dict[str, str]

    @property
    def output(self) -> str:
        """A callback POST's output spec (Dash's 'output' field); '' for anything else."""
        if self.path.split("?")[0] != CALLBACK_PATH or not self.body:
            return ""
        return json.loads(self.body).get("output", "")


@dataclass
class Session:
    """One wall page's requests: the page load in order, then the live requests."""

    load: list[Recorded] = field(default_factory=list)
    renders: list[Recorded] = field(default_factory=list)  # render_wall POSTs, in order
    stream: Recorded | None = None
    ping: Recorded | None = None


def is_render(request: Recorded) -> bool:
    return RENDER_OUTPUT in request.output


def capture(base: str, code: str, lang: str = "en", timeout_s: float = 120) -> Session:
    """Record a freshly paired wall page; the simulator must be publishing (a pushed
    version is what makes the page send its partial-update POST)."""
    seen: list[Recorded] = []
    origin = urlsplit(base).netloc

    def on_request(request) -> None:
        parts = urlsplit(request.url)
        if parts.netloc != origin:
            return
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in OWN_HEADERS}
        seen.append(Recorded(request.method, path, request.post_data, headers))

    with sync_playwright() as p:
        browser, page = _open(p, base, code, lang, on_request)
        try:
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline and not _complete(seen):
                page.wait_for_timeout(250)
        finally:
            browser.close()
    if not _complete(seen):
        raise RuntimeError("the wall page did not render twice and ping within the timeout")
    return _split(seen)


def _open(p, base: str, code: str, lang: str, on_request):
    """A kiosk pairing that lands on /wall (as bench.stack.open_wall does), with the
    recorder attached before the first request, in a fresh profile (empty cache)."""
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.on("request", on_request)
    page.request.post(  # the pairing form's POST (its GET only shows the form)
        f"{base}/kiosk/pair", form={"code": code}, headers={"Origin": base}, max_redirects=0
    )
    page.goto(f"{base}/wall?lang={lang}")
    page.wait_for_selector(".wall-county", timeout=60_000)
    return browser, page


def _complete(seen: list[Recorded]) -> bool:
    renders = [r for r in seen if is_render(r)]
    return len(renders) >= 2 and any(r.path.startswith("/auth/ping") for r in seen)


def _split(seen: list[Recorded]) -> Session:
    session = Session()
    first_render = next(i for i, r in enumerate(seen) if is_render(r))
    for index, request in enumerate(seen):
        if request.path.startswith("/live/stream"):
            session.stream = session.stream or request
        elif request.path.startswith("/auth/ping"):
            session.ping = session.ping or request
        elif is_render(request):
            session.renders.append(request)
        elif index < first_render and not request.path.startswith("/kiosk/pair"):
            session.load.append(request)
    return session
