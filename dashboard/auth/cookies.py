"""Cookie attributes: HttpOnly and SameSite=Lax always, Secure whenever the request came
over HTTPS (directly, or through a proxy trusted via CC_TRUSTED_PROXIES), so a plain-HTTP
LAN still works and an HTTPS deployment never sends a credential in clear."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from dashboard.auth.static_paths import is_static

SESSION_COOKIE = "cc_session"
KIOSK_COOKIE = "cc_kiosk"
MAX_KIOSK_ID = 2**31 - 1  # the largest id an INTEGER column holds
# Browsers cap a cookie's life at about 400 days; the kiosk's is renewed on every ping.
KIOSK_COOKIE_AGE = timedelta(days=400)


class RequestSecureSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with Secure decided per request, not per app, and
    left alone by static files: a session read while serving one made Flask answer
    `Vary: Cookie` and renew the cookie, whose value then changed with every response, so
    browsers never found Dash's scripts (1.3 MB) in their cache on the next page."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return has_request_context() and request.is_secure

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if has_request_context() and is_static(request.path):
            return
        super().save_session(app, session, response)


def configure_sessions(server: Flask, idle: timedelta) -> None:
    server.session_interface = RequestSecureSessions()
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=idle,
    )


def kiosk_credentials(value: str) -> tuple[int, str] | None:
    """(kiosk id, secret) of a kiosk cookie `<id>.<secret>`, or None when it cannot be one:
    the id is ASCII digits (str.isdigit takes other scripts' digits, which int() refuses)
    within an INTEGER column's range, so no cookie makes the lookup fail."""
    kiosk_id, _, secret = value.partition(".")
    if not (kiosk_id.isascii() and kiosk_id.isdigit() and len(kiosk_id) <= 10) or not secret:
        return None
    number = int(kiosk_id)
    return (number, secret) if number <= MAX_KIOSK_ID else None


def set_kiosk_cookie(response: Response, value: str) -> None:
    response.set_cookie(
        KIOSK_COOKIE,
        value,
        max_age=int(KIOSK_COOKIE_AGE.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
