"""Server-Sent Events that tell live pages "the version changed" (docs/architecture.md).

Each message is small JSON: the live version, the age of ingest's heartbeat, whether
Redis answered and the newest wall update already built (dashboard/wall_prebuild.py).
A message goes out on every version change (Redis pub/sub, through one subscription per
worker: dashboard/live_hub.py) and at least every PING_SECONDS, so a page can tell a
quiet night (fresh heartbeat, same version) from a stopped pipeline (stale heartbeat) or
a lost connection (no message at all).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict

import redis
from flask import Blueprint, Response, request, session, stream_with_context
from sqlalchemy.exc import SQLAlchemyError

from common.config import PROJECT_ROOT, Settings
from common.vocabulary import ACKNOWLEDGED
from dashboard import live_hub, stream_limits
from dashboard.auth.principal import current_principal
from dashboard.components.format import short_town
from dashboard.context import catalog, read_engine, settings
from dashboard.i18n import LANGS
from dashboard.live_hub import Pulse
from data_access import live
from data_access.case_places import case_places

log = logging.getLogger(__name__)
live_bp = Blueprint("live", __name__)

PING_SECONDS = 2.0
MAX_STREAM_SECONDS = 600.0  # then the browser reconnects: spreads load across workers
RETRY_MS = 1500


def _deploy_id() -> str:
    """A fingerprint of the web code and assets: pages reload when it changes (a deploy)."""
    digest = hashlib.sha1(usedforsecurity=False)
    for folder in ("dashboard", "callbacks", "assets", "data_access"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".js", ".css"):
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


DEPLOY_ID = _deploy_id()


TICKER_ROWS = 14
URGENT = (ACKNOWLEDGED,)  # acts a wall shows at once: a duty officer took an alert in hand
TICKERS_KEPT = 8  # per worker: a few versions times two languages
TICKER_SECONDS = 10.0  # a version number seen again after Redis was emptied is not reused
_tickers: OrderedDict[tuple, tuple[float, list[dict]]] = OrderedDict()
_tickers_lock = threading.Lock()
_ticker_reading = threading.Lock()  # one read at a time, so a burst of streams reads once


def ticker_items(events: list[dict], names, lang: str, places: dict | None = None) -> list[dict]:
    """The ticker's rows as named text (personal data is already out of the live state):
    which case (category or kind), where (town, grid) and its status in words, each from
    the event or else from the case (`places`, case_places: a later lifecycle event
    carries only an id); the town's short name, as everywhere on the wall. The browser
    renders them, so a new event needs no round trip."""
    items = []
    for event in events[:TICKER_ROWS]:
        entity = event.get("entity", "incident")
        incident = entity == "incident"
        case = (places or {}).get((entity, event.get("id")), {})
        what = event.get("category") or event.get("kind") or case.get("what")
        status_kind = "incident_status" if incident else "dispute_status"
        items.append(
            {
                "ts": event.get("ts"),
                "status": names.name(status_kind, event.get("status"), lang),
                "town": short_town(
                    names.name("town", event.get("town") or case.get("town"), lang), lang
                ),
                "grid": names.name("grid", event.get("grid") or case.get("grid"), lang),
                "what": names.name("category" if incident else "dispute_kind", what, lang)
                if what
                else event.get("id", ""),
                # the wall draws it past its render throttle (assets/wall.js, urgent)
                "urgent": event.get("status") in URGENT,
            }
        )
    return items


def _places(events: list[dict]) -> dict:
    """The cases of the events that do not say what or where they are; {} when SQL is
    unavailable (the ticker then shows what the events say)."""
    unnamed = [e for e in events[:TICKER_ROWS] if not (e.get("category") or e.get("kind"))]
    if not unnamed:
        return {}
    ids = {
        entity: [e.get("id") for e in unnamed if e.get("entity", "incident") == entity]
        for entity in ("incident", "dispute")
    }
    try:
        return case_places(read_engine(), ids["incident"], ids["dispute"])
    except SQLAlchemyError:
        log.warning("ticker cases not named: SQL unavailable", exc_info=True)
        return {}


def shared_ticker(cfg: Settings, version: int, lang: str) -> list[dict]:
    """The ticker of a live version, read and named once per worker, not once per open
    page: at 600x every wall is pushed up to four versions a second. Single-flight: the
    streams a version change wakes together wait for the first one's read."""
    key = (cfg.redis_url, cfg.stream_prefix, version, lang)
    items = _kept_ticker(key)
    if items is None:
        with _ticker_reading:
            items = _kept_ticker(key)
            if items is None:
                events = live.ticker(cfg, TICKER_ROWS)
                items = ticker_items(events, catalog(), lang, _places(events))
                with _tickers_lock:
                    _tickers[key] = (time.monotonic(), items)
                    while len(_tickers) > TICKERS_KEPT:
                        _tickers.popitem(last=False)
    return items


def _kept_ticker(key: tuple) -> list[dict] | None:
    with _tickers_lock:
        made, items = _tickers.get(key, (0.0, None))
    return None if time.monotonic() - made > TICKER_SECONDS else items


def status_message(
    cfg: Settings, lang: str | None = None, shown: int | None = None, pulse: Pulse | None = None
) -> dict:
    """The state a live page needs to decide fresh or stale; with a `lang`, the ticker too
    whenever the version differs from the `shown` one. `pulse`: the hub's (read from Redis
    when not given). Never raises."""
    try:
        version, heartbeat_age, wall_ready = pulse or live.pulse(cfg)
        message = {
            "version": version,
            "heartbeat_age": heartbeat_age,
            "wall_ready": wall_ready,
            "redis": True,
            "at": time.time(),
            "deploy": DEPLOY_ID,
        }
        if lang is not None and (shown is None or version != shown):
            message["ticker"] = shared_ticker(cfg, version, lang)
        return message
    except redis.RedisError:
        return _unavailable()


def _unavailable() -> dict:
    return {"version": None, "heartbeat_age": None, "redis": False, "at": time.time(),
            "deploy": DEPLOY_ID}  # fmt: skip


def _sse(payload: dict) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def event_stream(
    cfg: Settings,
    lang: str | None,
    ping_seconds: float = PING_SECONDS,
    lease: stream_limits.Lease | None = None,
):
    """The first message read from Redis, then this worker's hub's (dashboard/live_hub.py)
    on every version change and at least every `ping_seconds`; renews `lease` meanwhile."""
    yield f"retry: {RETRY_MS}\n\n"
    started = time.monotonic()
    with live_hub.hub(cfg).reading() as hub:
        seq, shown = hub.seq, None
        message = status_message(cfg, lang)
        while True:
            if "ticker" in message:
                shown = message["version"]
            yield _sse(message)
            if lease is not None:
                lease.renew()
            if time.monotonic() - started > MAX_STREAM_SECONDS:
                return
            seq, pulse = hub.wait(seq, ping_seconds)
            message = status_message(cfg, lang, shown, pulse) if pulse else _unavailable()


def stream_owner() -> str:
    """Whose streams a request's counts against (dashboard/stream_limits.py): the browser
    session (its id from sign-in; the account for a session signed before ids existed) or
    the kiosk credential."""
    principal = current_principal()
    if principal is not None and principal.kind == "user":
        sid = session.get("sid")
        return f"session:{sid}" if isinstance(sid, str) else f"user:{session.get('uid')}"
    return principal.name if principal is not None else "anonymous"


def _refused(status: int) -> Response:
    """429: this caller holds enough streams. 503: this worker's streams are all taken;
    the page's script reconnects after RETRY_MS, most likely to another worker."""
    error = "too many live streams for this session" if status == 429 else "live streams full"
    response = Response(
        f"retry: {RETRY_MS}\n\n: {error}\n\n", status=status, mimetype="text/event-stream"
    )
    response.headers["Retry-After"] = str(max(1, RETRY_MS // 1000))
    response.headers["Cache-Control"] = "no-cache"
    return response


@live_bp.get("/live/stream")
def stream() -> Response:
    """?lang=zh|en also streams the ticker, named in that language, on every change."""
    cfg = settings()
    lease = stream_limits.take(cfg, stream_owner())
    if not isinstance(lease, stream_limits.Lease):
        return _refused(lease)
    lang = request.args.get("lang")
    response = Response(
        stream_with_context(event_stream(cfg, lang if lang in LANGS else None, lease=lease)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    response.call_on_close(lease.release)  # the server closes every response it started
    return response
