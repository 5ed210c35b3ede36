"""The paths of static files (scripts, styles, images): open to anyone, the same bytes for
every caller, so they neither need a caller nor carry or renew the session cookie."""

from __future__ import annotations

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/auth/static/", "/_favicon.ico")


def is_static(path: str) -> bool:
    return path.startswith(STATIC_PREFIXES)
