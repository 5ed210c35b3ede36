"""One module per page: each turns data_access answers into figures and components and
declares its callbacks (callbacks.declared); `register(app)` puts them all on an app."""

from __future__ import annotations

import dash

from callbacks import (
    alerts,
    bulletins,
    disputes,
    duplicates,
    export,
    incident,
    incident_duplicates,
    incidents,
    leader,
    mediation,
    shell,
    wall,
)

PAGES = (
    alerts,
    bulletins,
    disputes,
    duplicates,
    export,
    incident,
    incident_duplicates,
    incidents,
    leader,
    mediation,
    shell,
    wall,
)


def register(app: dash.Dash) -> None:
    """Every page's callbacks on `app` (called once, by the app factory)."""
    for page in PAGES:
        page.register(app)
