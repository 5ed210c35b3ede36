"""The audit log: who signed in (or failed to), who saw unmasked personal data, who
escalated what. Append-only; anyone in the project records an act with `audit()`."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select

from common import clock
from data_access.models import AuditEntry


def audit(engine: Engine, actor: str, action: str, target: str = "", detail: str = "") -> None:
    """Append one row (values are cut to the columns' sizes rather than refused)."""
    row = {
        "at": clock.now(),
        "actor": (actor or "?")[:128],
        "action": action[:64],
        "target": (target or "")[:256],
        "detail": detail or "",
    }
    with engine.begin() as conn:
        conn.execute(insert(AuditEntry).values(**row))


def recent(engine: Engine, action: str | None = None, limit: int = 100) -> list[dict]:
    """The newest rows first, optionally of one action."""
    query = select(*AuditEntry.__table__.columns).order_by(AuditEntry.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
