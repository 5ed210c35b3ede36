"""The instants the work order's figures are taken as of (CONTRACT section 2, second
edition; data_access.work_order): the sign and contact limits' ends from the first
dispatch, the first `returned`, the first applied `extended`, the first `reopened` after
a closing event and the first closing event.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Filled here from the stored events: set-based where plain SQL says it (returned, closing,
reopened after closing); the limits' ends in Python, since a `Nwd` limit counts in the
working-day calendar (one computation per local day of dispatch); the first applied
extension by worker.fold itself over the few incidents with an `extended` event. Ingest's
fold keeps every column from then on. The summaries count none of them: nothing to rebuild.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "sign_due_at",
    "contact_due_at",
    "returned_at",
    "extended_at",
    "reopened_at",
    "closed_once_at",
)

BACKFILL = """
UPDATE incidents SET
  returned_at = (
    SELECT min(e.ts) FROM incident_events e
    WHERE e.incident_id = incidents.id AND e.status = 'returned'),
  closed_once_at = (
    SELECT min(e.ts) FROM incident_events e
    WHERE e.incident_id = incidents.id AND e.status IN ('resolved', 'closed')),
  reopened_at = (
    SELECT min(r.ts) FROM incident_events r
    WHERE r.incident_id = incidents.id AND r.status = 'reopened'
      AND EXISTS (
        SELECT 1 FROM incident_events c
        WHERE c.incident_id = r.incident_id AND c.status IN ('resolved', 'closed')
          AND (c.ts < r.ts OR (c.ts = r.ts AND c.seq < r.seq))))
"""


def _sla(bind, settings):
    """The SLA rules, calendar and limits ingest folds with (data_access.sla.load_sla)."""
    from common.workdays import calendar_from
    from data_access.sla import Sla, read_rules, rules_of

    if settings.sla_rules_path is not None:
        rows = read_rules(settings.sla_rules_path)
    else:
        query = sa.text('SELECT category, priority, channel, "limit" FROM sla_limits')
        rows = [dict(r) for r in bind.execute(query).mappings()]
    calendar = calendar_from(settings.calendar_file)
    return Sla(rules_of(rows), calendar, settings.sign_limit, settings.contact_limit)


def _instants(statement: str, *names: str) -> sa.TextClause:
    """A statement whose instants bind as the models store them (naive UTC, one format)."""
    from data_access.models import UTCDateTime

    return sa.text(statement).bindparams(*(sa.bindparam(n, type_=UTCDateTime) for n in names))


def _limit_ends(bind, sla, tz) -> None:
    """sign_due_at and contact_due_at from first_dispatch_at (worker.fold's apply_limit);
    a `Nwd` limit ends alike for every instant of a local day but its 00:00."""
    from datetime import time

    from common.workdays import apply_limit
    from data_access.models import Incident

    ends: dict = {}

    def end(limit, start):
        if limit.unit == "h":
            return apply_limit(sla.calendar, limit, start, tz)
        local = start.astimezone(tz)
        key = (limit, local.date(), local.time() == time(0))
        if key not in ends:
            ends[key] = apply_limit(sla.calendar, limit, start, tz)
        return ends[key]

    query = sa.select(Incident.id, Incident.first_dispatch_at).where(
        Incident.first_dispatch_at.is_not(None)
    )
    update = _instants(
        "UPDATE incidents SET sign_due_at = :sign, contact_due_at = :contact WHERE id = :id",
        "sign",
        "contact",
    )
    batch = []
    for ident, start in bind.execute(query).all():
        sign, contact = end(sla.sign_limit, start), end(sla.contact_limit, start)
        batch.append({"id": ident, "sign": sign, "contact": contact})
        if len(batch) == 10_000:
            bind.execute(update, batch)
            batch = []
    if batch:
        bind.execute(update, batch)


def _extended(bind, sla, tz) -> None:
    """extended_at by the fold itself (which extensions applied is its walk's business)."""
    from datetime import UTC, datetime

    from data_access.models import IncidentEvent
    from worker.apply import row_event
    from worker.fold import fold_incident

    extended = sa.select(IncidentEvent.incident_id).where(IncidentEvent.status == "extended")
    query = sa.select(IncidentEvent.__table__).where(IncidentEvent.incident_id.in_(extended))
    by_id: dict[str, list] = {}
    for row in bind.execute(query):
        by_id.setdefault(row.incident_id, []).append(row_event(row, "incident"))
    update = _instants("UPDATE incidents SET extended_at = :at WHERE id = :id", "at")
    now = datetime.now(UTC)
    for ident, events in by_id.items():
        row = fold_incident(events, sla, tz, now)
        if row is not None and row["extended_at"] is not None:
            bind.execute(update, {"id": ident, "at": row["extended_at"]})


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("incidents", sa.Column(name, sa.DateTime(), nullable=True))
    bind = op.get_bind()
    if bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        import os

        from common.config import load_settings

        op.execute(BACKFILL)
        # the limits, calendar and rules ingest folds with; no session key is made for it
        settings = load_settings({"CC_SECRET_KEY": "unused", **os.environ})
        sla = _sla(bind, settings)
        _limit_ends(bind, sla, settings.tz)
        _extended(bind, sla, settings.tz)


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("incidents", name)
