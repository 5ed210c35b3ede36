"""The sign-in page, sign-out, the kiosk pairing page and the session ping.

Server-rendered (Jinja, autoescaped), no script, in zh and en (?lang=), sized for touch.
Only POSTs act (the gate checks their origin); a GET of sign-out or pairing shows the
form that posts, so a link or an image on another site cannot sign anyone out or pair.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, jsonify, redirect, render_template, request, session

from dashboard.auth import cookies, ratelimit, recheck
from dashboard.auth.principal import current_principal, kiosk_cookie_value, start_session
from dashboard.context import engine, settings
from dashboard.i18n import lang_or_default, t
from data_access import users
from data_access.audit import audit

auth_bp = Blueprint(
    "auth",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/auth/static",
)

KIOSK_HOME = "/wall"
MAX_PING_SECONDS = 20.0


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` if it is a path on this site, else `default` (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return default
    parts = urlsplit(value)
    return default if parts.scheme or parts.netloc else value


def _lang() -> str:
    return lang_or_default(request.values.get("lang"), settings().lang)


def _page(template: str, heading: str, status: int = 200, **values):
    lang = _lang()
    query = {k: v for k, v in request.args.items() if k in ("next",)}
    switch = f"{request.path}?{urlencode({**query, 'lang': 'en' if lang == 'zh' else 'zh'})}"
    body = render_template(
        template,
        lang=lang,
        heading=heading,
        switch_url=switch,
        t=lambda key: t(key, lang),
        **values,
    )
    return body, status


def _client_ip() -> str:
    return request.remote_addr or "?"


@auth_bp.route("/auth/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return _page("login.html", "auth.heading", next=next_url, username="", error=None)
    cfg, ip = settings(), _client_ip()
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")[:1024]

    def refuse(error: str, status: int, action: str):
        audit(engine(), username or "?", action, ip)
        return _page(
            "login.html", "auth.heading", status, next=next_url, username=username, error=error
        )

    if not ratelimit.admit(cfg, username, ip):  # counts this attempt before any check
        return refuse("auth.locked", 429, "sign_in_locked")
    user = users.find_user(engine(), username) if username else None
    if not users.verify_password(user, password):
        return refuse("auth.failed", 401, "sign_in_failed")
    ratelimit.succeeded(cfg, username, ip)
    if users.needs_rehash(user.password_hash):
        users.rehash_password(engine(), user, password)
    start_session(user)
    audit(engine(), user.username, "sign_in", ip, f"role={user.role}", user.scope)
    return redirect(next_url)


@auth_bp.route("/auth/logout", methods=["GET", "POST"])
def logout():
    """POST ends the person's sessions in SQL, so a copy of the cookie is worthless too;
    GET only shows the button that posts."""
    if request.method == "GET":
        return _page("logout.html", "auth.sign_out")
    user_id, name = session.get("uid"), session.get("name")
    principal = current_principal()  # the gate let a caller in: resolved before the clear
    session.clear()
    if isinstance(user_id, int):
        users.end_sessions(engine(), user_id)
        recheck.forget(settings(), recheck.user_key(user_id))
        scope = principal.scope if principal is not None else None
        audit(engine(), name or str(user_id), "sign_out", _client_ip(), scope=scope)
    return redirect(f"/auth/login?lang={_lang()}")


@auth_bp.get("/auth/ping")
def ping():
    """Answers 200 while the caller's credential holds (the gate answers 401 otherwise),
    naming its role and scope as they stand now; renews a kiosk's cookie so it never
    reaches the browser's cap on cookie age."""
    principal = current_principal()
    recheck = min(settings().credential_recheck_seconds, MAX_PING_SECONDS)
    response = jsonify(ok=True, role=principal.role, scope=str(principal.scope), recheck=recheck)
    if principal.kind == "kiosk":
        cookies.set_kiosk_cookie(response, request.cookies[cookies.KIOSK_COOKIE])
    return response


@auth_bp.route("/kiosk/pair", methods=["GET", "POST"])
def pair():
    """Opened once on the wall screen with ?code=... (the form, filled in, to press) or
    the code typed into the form; the POST pairs."""
    code = request.values.get("code", "").strip()[:64]
    next_url = safe_next(request.values.get("next"), KIOSK_HOME)
    if request.method == "GET" or not code:
        return _page("pair.html", "kiosk.heading", error=None, code=code, next=next_url)
    cfg, ip = settings(), _client_ip()
    account = f"kiosk-pairing@{ip}"  # bad codes count per address
    paired = users.pair_kiosk(engine(), code) if ratelimit.admit(cfg, account, ip) else None
    if paired is None:
        audit(engine(), "?", "kiosk_pair_failed", ip)
        return _page(
            "pair.html", "kiosk.heading", 400, error="kiosk.bad_code", code="", next=next_url
        )
    ratelimit.succeeded(cfg, account, ip)
    kiosk_id, secret, scope = paired
    audit(engine(), f"kiosk:{kiosk_id}", "kiosk_paired", ip, scope=scope)
    response = redirect(next_url)
    cookies.set_kiosk_cookie(response, kiosk_cookie_value(kiosk_id, secret))
    return response
