"""The audit log: who signed in (or failed to), who saw unmasked personal data, who
exported what, who escalated what, and with which scope. Append-only; anyone in the
project records an act with `audit()`; the audit page and CLI read it by person and day.

A record's scope is its caller's: given by the caller, else the scope the running request
works under (common.scope), else none (an act with no caller, such as a failed sign-in).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, case, func, insert, select

from common import clock
from common.scope import Scope, current
from data_access.models import AuditEntry

PERSONAL_DATA_ACTION = "view_personal_data"
EXPORT_ACTION = "export"
_COLUMNS = AuditEntry.__table__.columns


def _scope_text(given: Scope | None) -> str | None:
    if given is not None:
        return str(given)
    try:
        return str(current())
    except LookupError:  # no caller: the record says so rather than guess the county
        return None


def audit(
    engine: Engine,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    scope: Scope | None = None,
) -> None:
    """Append one row (values are cut to the columns' sizes rather than refused)."""
    row = {
        "at": clock.now(),
        "actor": (actor or "?")[:128],
        "action": action[:64],
        "target": (target or "")[:256],
        "detail": detail or "",
        "scope": _scope_text(scope),
    }
    with engine.begin() as conn:
        conn.execute(insert(AuditEntry).values(**row))


def recent(engine: Engine, action: str | None = None, limit: int = 100) -> list[dict]:
    """The newest rows first, optionally of one action."""
    query = select(*_COLUMNS).order_by(AuditEntry.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def people_on(engine: Engine, day: date, tz: ZoneInfo) -> list[dict]:
    """Who has records on a local day: {actor, records, personal_data, exports}, by actor."""
    lo, hi = clock.day_bounds(day, day, tz)

    def count_of(action: str):
        return func.sum(case((AuditEntry.action == action, 1), else_=0))

    query = (
        select(
            AuditEntry.actor,
            func.count().label("records"),
            count_of(PERSONAL_DATA_ACTION).label("personal_data"),
            count_of(EXPORT_ACTION).label("exports"),
        )
        .where(AuditEntry.at >= lo, AuditEntry.at < hi)
        .group_by(AuditEntry.actor)
        .order_by(AuditEntry.actor)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def day_of(engine: Engine, actor: str, day: date, tz: ZoneInfo, limit: int = 5000) -> list[dict]:
    """One person's records on a local day, oldest first (at most `limit`)."""
    lo, hi = clock.day_bounds(day, day, tz)
    query = (
        select(*_COLUMNS)
        .where(AuditEntry.actor == actor, AuditEntry.at >= lo, AuditEntry.at < hi)
        .order_by(AuditEntry.at, AuditEntry.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
