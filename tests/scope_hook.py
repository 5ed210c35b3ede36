"""Test-only: the request's scope, until the app factory sets it (scope-enforce's hook).

`install(server)` puts a before_request hook right after the gate that runs the request
under its caller's scope (`current_principal().scope`, common.scope), as the product's
own gate will; once it does, this hook sets the same scope again (harmless; remove it).
`scoped_callers(monkeypatch, scopes)` gives callers a scope by name (a user's username,
a kiosk's `kiosk:<id>`), read on every resolution, so a test can change it meanwhile.
"""

from __future__ import annotations

import contextlib
import dataclasses

from flask import Flask, g

from common.scope import Scope, enter, leave
from dashboard.auth import principal as principals
from dashboard.auth.gate import gate


def _hook() -> None:
    caller = g.get("principal")  # the gate resolved it for every route that needs one
    if caller is not None:
        g.test_scope_token = enter(caller.scope)


def _teardown(_exc: BaseException | None) -> None:
    token = g.pop("test_scope_token", None)
    if token is not None:
        with contextlib.suppress(ValueError):  # a stream may end in another context
            leave(token)


def install(server: Flask) -> None:
    funcs = server.before_request_funcs.setdefault(None, [])
    funcs.insert(funcs.index(gate) + 1, _hook)
    server.teardown_request(_teardown)


def scoped_callers(monkeypatch, scopes: dict[str, Scope]) -> None:
    for name in ("from_session", "from_kiosk_cookie"):
        resolve = getattr(principals, name)

        def scoped(cfg, resolve=resolve):
            found = resolve(cfg)
            if found is None or found.name not in scopes:
                return found
            return dataclasses.replace(found, scope=scopes[found.name])

        monkeypatch.setattr(principals, name, scoped)
