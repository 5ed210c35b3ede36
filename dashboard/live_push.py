"""Server-Sent Events that tell live pages "the version changed" (docs/architecture.md).

Each message is small JSON: the live version, the age of ingest's heartbeat, whether
Redis answered and the newest wall update already built (dashboard/wall_prebuild.py).
A message goes out on every version change (Redis pub/sub, through one subscription per
worker: dashboard/live_hub.py) and at least every PING_SECONDS, so a page can tell a
quiet night (fresh heartbeat, same version) from a stopped pipeline (stale heartbeat) or
a lost connection (no message at all).

Scopes (common.scope): the pulse is the county's (a change anywhere may redraw a wall;
it says nothing of what changed), but the ticker a wall is sent holds only the events of
cases inside its caller's scope. A stream resolves its caller again every
RESCOPE_SECONDS: a caller no longer signed in (revoked, disabled) ends it; a changed
scope is sent (`scope`), and the page reloads under it (assets/live.js).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import redis
from flask import Blueprint, Response, g, request, session, stream_with_context
from sqlalchemy.exc import SQLAlchemyError

from common.config import PROJECT_ROOT, Settings
from common.scope import Scope, contains, current
from common.vocabulary import ACKNOWLEDGED
from dashboard import live_hub, stream_limits
from dashboard.auth.principal import current_principal
from dashboard.auth.recheck import StoreUnavailable
from dashboard.auth.roles import Principal
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
SCOPED_DEPTH = 200  # events a scoped ticker picks its own from: all ingest keeps
# (worker.live_state.TICKER_SIZE); a scope quiet for that long shows fewer, or none
RESCOPE_SECONDS = 30.0  # with credential_recheck_seconds (30 s): within a minute
URGENT = (ACKNOWLEDGED,)  # acts a wall shows at once: a duty officer took an alert in hand
TICKERS_KEPT = 32  # per worker: a few versions times scopes and two languages
TICKER_SECONDS = 10.0  # a version number seen again after Redis was emptied is not reused
_tickers: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
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
    """The cases of `events` (case_places); {} when SQL is unavailable (the ticker then
    shows what the events say)."""
    if not events:
        return {}
    ids = {
        entity: [e.get("id") for e in events if e.get("entity", "incident") == entity]
        for entity in ("incident", "dispute")
    }
    try:
        return case_places(read_engine(), ids["incident"], ids["dispute"])
    except SQLAlchemyError:
        log.warning("ticker cases not named: SQL unavailable", exc_info=True)
        return {}


def in_scope(event: dict, places: dict, scope: Scope) -> bool:
    """Whether an event's case lies inside `scope`: by the case's town and department now
    (`places`), else by what the event says; an event that says neither is left out. A
    department scope sees no disputes."""
    entity = event.get("entity", "incident")
    if entity == "dispute" and not scope.sees_disputes:
        return False
    case = places.get((entity, event.get("id")), event)
    return contains(scope, case.get("town"), case.get("department"))


def shared_ticker(cfg: Settings, version: int, lang: str, scope: Scope) -> list[dict]:
    """The ticker of a live version for callers of `scope`, read and named once per
    worker, not once per open page: at 600x every wall is pushed up to four versions a
    second. Single-flight: the streams a version change wakes together wait for the first
    one's read."""
    key = (cfg.redis_url, cfg.stream_prefix, version, lang, str(scope))
    items = _kept(key)
    if items is None:
        with _ticker_reading:
            items = _kept(key)
            if items is None:
                events, places = _events(cfg, version, scope)
                items = ticker_items(events, catalog(), lang, places)
                _keep(key, items)
    return items


def _events(cfg: Settings, version: int, scope: Scope) -> tuple[list[dict], dict]:
    """The newest TICKER_ROWS events inside `scope` and their cases. The county's are the
    newest of all (cases read only for events that do not name them); a scope's, the
    newest of SCOPED_DEPTH that lie inside it, those read and placed once per version for
    every scope."""
    if scope.is_county:
        events = live.ticker(cfg, TICKER_ROWS)
        return events, _places([e for e in events if not (e.get("category") or e.get("kind"))])
    key = (cfg.redis_url, cfg.stream_prefix, version)
    found = _kept(key)
    if found is None:
        events = live.ticker(cfg, SCOPED_DEPTH)
        found = (events, _places(events))
        _keep(key, found)
    events, places = found
    return [e for e in events if in_scope(e, places, scope)][:TICKER_ROWS], places


def _kept(key: tuple):
    with _tickers_lock:
        made, value = _tickers.get(key, (0.0, None))
    return None if time.monotonic() - made > TICKER_SECONDS else value


def _keep(key: tuple, value) -> None:
    with _tickers_lock:
        _tickers[key] = (time.monotonic(), value)
        while len(_tickers) > TICKERS_KEPT:
            _tickers.popitem(last=False)


def status_message(
    cfg: Settings,
    lang: str | None = None,
    shown: int | None = None,
    pulse: Pulse | None = None,
    scope: Scope | None = None,
) -> dict:
    """The state a live page needs to decide fresh or stale; with a `lang` and the
    caller's `scope`, that scope and its ticker too whenever the version differs from the
    `shown` one. `pulse`: the hub's (read from Redis when not given). Never raises."""
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
        if lang is not None and scope is not None:
            message["scope"] = str(scope)
            if shown is None or version != shown:
                message["ticker"] = shared_ticker(cfg, version, lang, scope)
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
    scope: Scope | None = None,
    caller: Callable[[], Principal | None] | None = None,
):
    """The first message read from Redis, then this worker's hub's (dashboard/live_hub.py)
    on every version change and at least every `ping_seconds`; renews `lease` meanwhile.
    With a `lang`, the ticker of `scope`. Every RESCOPE_SECONDS, `caller()` says who the
    caller is now: None (no longer signed in) ends the stream; another scope is followed
    from then on (the page, told, reloads)."""
    yield f"retry: {RETRY_MS}\n\n"
    started = checked = time.monotonic()
    with live_hub.hub(cfg).reading() as hub:
        seq, shown = hub.seq, None
        message = status_message(cfg, lang, scope=scope)
        while True:
            if "ticker" in message:
                shown = message["version"]
            yield _sse(message)
            if lease is not None:
                lease.renew()
            if time.monotonic() - started > MAX_STREAM_SECONDS:
                return
            seq, pulse = hub.wait(seq, ping_seconds)
            if caller is not None and time.monotonic() - checked >= RESCOPE_SECONDS:
                checked = time.monotonic()
                try:
                    principal = caller()
                except StoreUnavailable:  # an outage never ends a wall's stream (recheck.py)
                    log.warning("live stream's caller not rechecked: credentials unavailable")
                else:
                    if principal is None:
                        return
                    if scope is not None and principal.scope != scope:
                        scope, shown = principal.scope, None  # its own ticker at once
            message = status_message(cfg, lang, shown, pulse, scope) if pulse else _unavailable()


def caller_now() -> Principal | None:
    """The stream's caller resolved again, as a new request would be (its credential's
    status is at most credential_recheck_seconds old: dashboard/auth/recheck.py); None
    when no longer signed in. Needs the stream's request context (stream_with_context)."""
    g.pop("principal", None)
    return current_principal()


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
    """?lang=zh|en also streams the ticker of the request's scope, named in that
    language, on every change."""
    cfg = settings()
    lang = request.args.get("lang") if request.args.get("lang") in LANGS else None
    scope = current() if lang is not None else None  # only the ticker shows cases
    lease = stream_limits.take(cfg, stream_owner())
    if not isinstance(lease, stream_limits.Lease):
        return _refused(lease)
    stream = event_stream(cfg, lang, lease=lease, scope=scope, caller=caller_now)
    response = Response(
        stream_with_context(stream),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    response.call_on_close(lease.release)  # the server closes every response it started
    return response
