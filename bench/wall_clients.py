"""One wall screen as a coroutine: the requests a real /wall page sends (recorded by
bench.wall_capture), replayed with the page's own timing rules.

- page load: GET /wall, then the recorded assets, _dash-layout, _dash-dependencies and
  the page's first callback POSTs, in the recorded order (consecutive GETs, or POSTs, go
  together, as the browser sends them, over at most 6 connections like Chromium);
- the SSE connection /live/stream?lang=..., reconnected after RETRY_MS when it ends;
- the render_wall POST whenever `version:minute` changes (assets/wall.js `trigger`,
  single flight: the next only after the previous one answered; throttled: at most one
  every `render_every` seconds; busy: the update the push names as built, else the
  newest version at least READY_SECONDS old),
  checked on each pushed message and each 1 s tick; the first with `rendered` false (full
  figures), then patches;
- the session ping (dashboard/auth/static/session.js): 2 s after load, then every
  `recheck` seconds the server names.

Every request carries `X-Bench-Kind` so gunicorn's access log can be split by kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp

from bench.wall_capture import Recorded, Session, is_render
from dashboard.ids import wall as ids
from dashboard.live_push import MAX_STREAM_SECONDS, RETRY_MS
from dashboard.wall_prebuild import READY_SECONDS

KIND_HEADER = "X-Bench-Kind"
END_ID = re.compile(r'"end_id"\s*:\s*"([^"]+)"')
SSE_STALL_SECONDS = 10.0  # assets/live.js shows "disconnected" after 10 s without a message
TIMEOUT = aiohttp.ClientTimeout(total=30)
# The server closed a kept-alive connection as the request went out (gunicorn's keep-alive
# is 2 s): Chromium sends such a request again, once, and so do we (counted apart).
RETRIED = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


@dataclass
class Stats:
    """Client-side observations shared by every client (one asyncio thread: no locks)."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    size: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sse_messages: int = 0
    sse_reconnects: int = 0  # the server's planned end of a stream after MAX_STREAM_SECONDS
    retries: int = 0  # requests sent again after a closed kept-alive connection

    def error(self, what: str) -> None:
        self.errors[what] += 1


def kind_of(request: Recorded) -> str:
    path = request.path.split("?")[0]
    if request.output:
        return "render" if is_render(request) else "cb:" + request.output.strip(".").split(".")[0]
    if path in ("/_dash-layout", "/_dash-dependencies"):
        return path.lstrip("/")
    return "page" if path == "/wall" else "static"


class Wall:
    """One paired kiosk showing /wall until `stop_at` (time.monotonic())."""

    def __init__(self, http: aiohttp.ClientSession, script: Session, stats: Stats, origin: str,
                 render_every: float) -> None:  # fmt: skip
        self.http, self.script, self.stats, self.origin = http, script, stats, origin
        self.render_every = render_every
        self.end_id = ""
        self.seen: list[tuple[object, float, bool]] = []  # (version, seen at, after quiet)
        self.wall_ready: str | None = None  # the newest update built, as the push names it
        self.changed = asyncio.Event()

    async def request(self, kind: str, recorded: Recorded, path: str | None = None,
                      body: str | None = None) -> bytes | None:  # fmt: skip
        """Send one recorded request (path/body overridable); None on any failure."""
        headers = {**recorded.headers, KIND_HEADER: kind}
        if recorded.method == "POST":
            headers["Origin"] = self.origin
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                async with self.http.request(
                    recorded.method, path or recorded.path, data=body or recorded.body,
                    headers=headers, allow_redirects=False, timeout=TIMEOUT,
                ) as response:  # fmt: skip
                    content = await response.read()
                break
            except RETRIED as exc:
                if attempt == 1:  # as Chromium does when a kept-alive connection was closed
                    self.stats.retries += 1
                    continue
                self.stats.error(f"{kind}: {type(exc).__name__}")
                return None
            except (aiohttp.ClientError, TimeoutError) as exc:
                self.stats.error(f"{kind}: {type(exc).__name__}")
                return None
        self.stats.latency[kind].append((time.perf_counter() - started) * 1000)
        self.stats.size[kind].append(int(response.headers.get("Content-Length", len(content))))
        if not 200 <= response.status < 400:
            self.stats.error(f"{kind}: HTTP {response.status}")
            return None
        return content

    async def pair(self, code: str) -> bool:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        pair = Recorded("POST", "/kiosk/pair", urlencode({"code": code}), form)
        return await self.request("pair", pair) is not None

    async def load(self) -> None:
        """The page load, batched as recorded: runs of GETs, then runs of POSTs."""
        batches: list[list[Recorded]] = []
        for recorded in self.script.load:
            if batches and batches[-1][0].method == recorded.method:
                batches[-1].append(recorded)
            else:
                batches.append([recorded])
        for batch in batches:
            await asyncio.gather(*(self._load_one(r) for r in batch))

    async def _load_one(self, recorded: Recorded) -> None:
        kind = kind_of(recorded)
        content = await self.request(kind, recorded, self._with_end_id(recorded.path))
        if kind == "page" and content:
            found = END_ID.search(content.decode("utf-8", "replace"))
            self.end_id = found.group(1) if found else ""

    def _with_end_id(self, path: str) -> str:
        """This page load's own endId (Dash signs one per page load) on callback POSTs."""
        if "endId=" not in path or not self.end_id:
            return path
        return re.sub(r"endId=[^&]*", f"endId={self.end_id}", path)

    async def stream(self, stop_at: float) -> None:
        """EventSource: read pushed messages, reconnect after RETRY_MS when the stream ends."""
        recorded = self.script.stream
        headers = {**recorded.headers, KIND_HEADER: "sse"}
        timeout = aiohttp.ClientTimeout(total=None, sock_read=SSE_STALL_SECONDS)
        while time.monotonic() < stop_at:
            opened = time.monotonic()
            try:
                async with self.http.get(recorded.path, headers=headers, timeout=timeout) as resp:
                    if resp.status != 200:
                        self.stats.error(f"sse: HTTP {resp.status}")
                    else:
                        await self._read_stream(resp, opened)
                if time.monotonic() - opened >= MAX_STREAM_SECONDS - 5:
                    self.stats.sse_reconnects += 1
                elif time.monotonic() < stop_at:
                    self.stats.error("sse: dropped")
            except (aiohttp.ClientError, TimeoutError) as exc:
                if time.monotonic() < stop_at:
                    self.stats.error(f"sse: dropped ({type(exc).__name__})")
            await asyncio.sleep(RETRY_MS / 1000)

    async def _read_stream(self, resp: aiohttp.ClientResponse, opened: float) -> None:
        first = True
        async for line in resp.content:
            if not line.startswith(b"data: "):
                continue
            if first:
                self.stats.latency["sse first message"].append((time.monotonic() - opened) * 1000)
                first = False
            self.stats.sse_messages += 1
            message = json.loads(line[6:])
            self.wall_ready = message.get("wall_ready")
            version = message.get("version")
            version = "none" if version is None else version  # as assets/wall.js names it
            if not self.seen or version != self.seen[-1][0]:
                now = time.monotonic()
                quiet = not self.seen or now - self.seen[-1][1] >= self.render_every
                self.seen = [*self.seen[-19:], (version, now, quiet)]
                self.changed.set()

    def _next(self) -> str | None:
        """assets/wall.js: the newest version after a quiet spell, else the update the push
        names as built, else the newest version at least READY_SECONDS old (None: none)."""
        minute = f":{int(time.time() // 60)}"
        if not self.seen or self.seen[-1][2]:
            return f"{self.seen[-1][0] if self.seen else 'none'}{minute}"
        if self.wall_ready:
            return self.wall_ready
        now = time.monotonic()
        ready = [version for version, at, _ in self.seen if now - at >= READY_SECONDS]
        return f"{ready[-1]}{minute}" if ready else None

    async def renders(self, stop_at: float) -> None:
        """assets/wall.js `trigger` + render_wall, single flight and throttled."""
        current, rendered, sent_at = None, False, -self.render_every
        first, patch = self.script.renders[0], self.script.renders[-1]
        while time.monotonic() < stop_at:
            trigger = self._next()
            due = time.monotonic() - sent_at >= self.render_every
            if trigger is not None and trigger != current and due:
                current, sent_at = trigger, time.monotonic()
                recorded = patch if rendered else first
                body = _render_body(recorded.body, trigger, rendered)
                kind = "render (patch)" if rendered else "render (first)"
                content = await self.request(kind, recorded, self._with_end_id(recorded.path), body)
                if content is not None and self._rendered_ok(kind, content):
                    rendered = trigger
            self.changed.clear()
            with contextlib.suppress(TimeoutError):  # the page's 1 s tick
                await asyncio.wait_for(self.changed.wait(), timeout=1.0)

    def _rendered_ok(self, kind: str, content: bytes) -> bool:
        """render_wall answers 200 even when its data is unavailable: that is an error."""
        response = json.loads(content).get("response", {}) if content else {}
        if response.get(ids.ERROR, {}).get("data"):
            self.stats.error(f"{kind}: wall says data unavailable")
            return False
        return True

    async def pings(self, stop_at: float) -> None:
        delay = 2.0
        while time.monotonic() + delay < stop_at:
            await asyncio.sleep(delay)
            content = await self.request("ping", self.script.ping)
            delay = float(json.loads(content).get("recheck") or 20) if content else 20.0


def _render_body(recorded: str, trigger: str, rendered) -> str:
    """The recorded render_wall POST with this screen's trigger and rendered values."""
    body = json.loads(recorded)
    for item in body["inputs"]:
        if item["id"] == ids.TRIGGER:
            item["value"] = trigger
    for item in body["state"]:
        if item["id"] == ids.RENDERED:
            item["value"] = rendered
    return json.dumps(body, separators=(",", ":"))


async def run_wall(base: str, code: str, script: Session, stats: Stats, stop_at: float,
                   render_every: float) -> None:  # fmt: skip
    """Pair, load the page, then stream, render and ping until `stop_at`."""
    jar = aiohttp.CookieJar(unsafe=True)  # the kiosk cookie is set for 127.0.0.1
    # Chromium's 6 connections a host, kept between requests; idle ones dropped before the
    # Procfile's 10 s keep-alive ends, so a request rarely goes out on a connection the
    # server is closing (a wall asks every 1-2 s, so its connections seldom idle that long).
    connector = aiohttp.TCPConnector(limit=6, keepalive_timeout=8.0)
    async with aiohttp.ClientSession(base, cookie_jar=jar, connector=connector) as http:
        wall = Wall(http, script, stats, base, render_every)
        if not await wall.pair(code):
            return
        await wall.load()
        jobs = (wall.stream, wall.renders, wall.pings)
        tasks = [asyncio.create_task(job(stop_at)) for job in jobs]
        await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
