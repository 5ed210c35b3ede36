"""Who is asking: a person's session, a kiosk's cookie or an API bearer token.

A person's session is a signed cookie holding their id, their session_version and when
they were last seen; it ends after `session_idle_hours` without a request, or when the
person is disabled, reset or changes role (session_version grows). A kiosk's cookie holds
`<kiosk id>.<secret>` and never expires by idleness; only revocation ends it. Bearer
tokens count on /api/ only, so they never become browser credentials.

Every principal carries the scope stored with its person or kiosk, read through the
shared status (dashboard.auth.recheck) with the role or secret, so a changed scope applies
on every host within credential_recheck_seconds, at once after the CLI drops the copy.
"""

from __future__ import annotations

import hmac
import logging
import secrets

from flask import g, request, session

from common import clock
from common.config import Settings
from common.scope import Scope, ScopeError, parse_scope
from dashboard.auth import recheck
from dashboard.auth.cookies import KIOSK_COOKIE, kiosk_credentials
from dashboard.auth.roles import Principal
from dashboard.context import engine, settings
from data_access import users

log = logging.getLogger(__name__)

API_TOKEN_ROLE = "wall"  # CC_API_TOKEN reads with personal data masked (CONTRACT 3)
SEEN_RESOLUTION_SECONDS = 60  # rewrite the cookie's last-seen at most once a minute


def start_session(user: users.UserRecord) -> None:
    session.clear()
    session.permanent = True
    session.update(uid=user.id, name=user.username, v=user.session_version)
    session["sid"] = secrets.token_urlsafe(12)  # this browser's: dashboard/stream_limits.py
    session["seen"] = int(clock.now().timestamp())


def _user_status(user_id: int) -> str | None:
    """`role version scope` of an enabled person, else None (GONE)."""
    try:
        user = users.user_by_id(engine(), user_id)
    except ScopeError:
        log.error("user %s has an unreadable scope: refused", user_id)
        return None
    if user is None or user.disabled:
        return None
    return f"{user.role} {user.session_version} {user.scope}"


def _kiosk_status(kiosk_id: int) -> str | None:
    """`secret-hash scope` of a paired, unrevoked kiosk, else None (GONE)."""
    try:
        found = users.kiosk_credential(engine(), kiosk_id)
    except ScopeError:
        log.error("kiosk %s has an unreadable scope: refused", kiosk_id)
        return None
    return None if found is None else f"{found[0]} {found[1]}"


def _scope(text: str) -> Scope | None:
    try:
        return parse_scope(text)
    except ScopeError:
        return None


def from_session(cfg: Settings) -> Principal | None:
    user_id, seen = session.get("uid"), session.get("seen")
    if not isinstance(user_id, int) or not isinstance(seen, int):
        return None
    at = int(clock.now().timestamp())
    if at - seen > cfg.session_idle_hours * 3600:
        session.clear()
        return None
    value = recheck.status(cfg, recheck.user_key(user_id), lambda: _user_status(user_id))
    role, version, scope_text = (value.split(" ", 2) + ["", ""])[:3]
    scope = _scope(scope_text)
    if value == recheck.GONE or version != str(session.get("v")) or scope is None:
        session.clear()
        return None
    if at - seen >= SEEN_RESOLUTION_SECONDS:
        session["seen"] = at
    return Principal("user", str(session.get("name", user_id)), role, scope)


def kiosk_cookie_value(kiosk_id: int, secret: str) -> str:
    return f"{kiosk_id}.{secret}"


def from_kiosk_cookie(cfg: Settings) -> Principal | None:
    found = kiosk_credentials(request.cookies.get(KIOSK_COOKIE, ""))
    if found is None:
        return None
    number, secret = found
    value = recheck.status(cfg, recheck.kiosk_key(number), lambda: _kiosk_status(number))
    expected, _, scope_text = value.partition(" ")
    scope = _scope(scope_text)
    if value == recheck.GONE or scope is None:
        return None
    if not hmac.compare_digest(expected, users.hash_secret(secret)):
        return None
    return Principal("kiosk", f"kiosk:{number}", "wall", scope)


def from_bearer(cfg: Settings) -> Principal | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if cfg.api_token and hmac.compare_digest(token.encode(), cfg.api_token.encode()):
        return Principal("token", "CC_API_TOKEN", API_TOKEN_ROLE)
    for number, (known, scope) in enumerate(cfg.scoped_tokens, start=1):
        if hmac.compare_digest(token.encode(), known.encode()):
            return Principal("token", f"CC_SCOPED_TOKENS #{number}", API_TOKEN_ROLE, scope)
    try:
        found = users.user_for_token(engine(), token)
    except ScopeError:
        log.error("a token's user has an unreadable scope: refused")
        return None
    if found is None:
        return None
    token_id, user = found
    return Principal("token", f"{user.username} (token {token_id})", user.role, user.scope)


def current_principal() -> Principal | None:
    """The request's caller, resolved once per request; None when not signed in.
    Raises recheck.StoreUnavailable when neither Redis nor SQL can tell."""
    if "principal" not in g:
        cfg = settings()
        found = from_bearer(cfg) if request.path.startswith("/api/") else None
        g.principal = found or from_session(cfg) or from_kiosk_cookie(cfg)
    return g.principal
