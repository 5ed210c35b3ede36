"""Test-only: callers with a scope, by name, without storing one (scope-accounts stores
them; these tests are about what a wall shows under a scope, not how it is kept).

`scoped_callers(monkeypatch, scopes)` gives callers a scope by name (a user's username,
a kiosk's `kiosk:<id>`), read on every resolution, so a test can change it meanwhile; the
gate then runs each request under it (dashboard/auth/gate.py).
"""

from __future__ import annotations

import dataclasses

from common.scope import Scope
from dashboard.auth import principal as principals


def scoped_callers(monkeypatch, scopes: dict[str, Scope]) -> None:
    for name in ("from_session", "from_kiosk_cookie"):
        resolve = getattr(principals, name)

        def scoped(cfg, resolve=resolve):
            found = resolve(cfg)
            if found is None or found.name not in scopes:
                return found
            return dataclasses.replace(found, scope=scopes[found.name])

        monkeypatch.setattr(principals, name, scoped)
