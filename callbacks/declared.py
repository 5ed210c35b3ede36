"""Callbacks declared beside their functions and registered on an app only when asked.

Dash's global `dash.callback` registers at import time into a process-wide list, which
the first app to serve a request takes and empties: a second app (every test builds
its own) got none. Here each callbacks module declares its callbacks on its own
`Declared` and the app factory calls the module's `register(app)` (as a Flask
extension's `init_app`), so importing a module registers nothing and every app gets
every callback.
"""

from __future__ import annotations

from collections.abc import Callable

import dash


class Declared:
    """One module's callbacks: `@declared.callback(...)` and `declared.clientside(...)`
    take dash.callback's and dash.clientside_callback's arguments."""

    def __init__(self) -> None:
        self._server: list[tuple[Callable, tuple, dict]] = []
        self._client: list[tuple[tuple, dict]] = []

    def callback(self, *args, **kwargs) -> Callable[[Callable], Callable]:
        def keep(function: Callable) -> Callable:
            self._server.append((function, args, kwargs))
            return function

        return keep

    def clientside(self, *args, **kwargs) -> None:
        self._client.append((args, kwargs))

    def register(self, app: dash.Dash) -> None:
        for function, args, kwargs in self._server:
            app.callback(*args, **kwargs)(function)
        for args, kwargs in self._client:
            app.clientside_callback(*args, **kwargs)
