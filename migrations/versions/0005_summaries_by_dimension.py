"""Daily summaries split by category, channel, department, grid (and reported hour), so
the leader pages' rankings, mix, matrix, map and heatmap read summaries, not incidents.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Filled from `incidents` here (a set-based rebuild of every summary), then kept by ingest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(name: str, *counts: str) -> None:
    op.create_table(
        name,
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in counts),
        sa.PrimaryKeyConstraint("dimension", "day", "town", "key", name=f"pk_{name}"),
    )


def upgrade() -> None:
    # closes stamped after "now" (the contract allows 24 h of clock skew) are few; the
    # summary path finds them through this index to count them as the definition does
    op.create_index("ix_incidents_closed_at", "incidents", ["closed_at"])
    _table("incident_daily_by", "received", "closed", "rated", "satisfied")
    _table("incident_due_daily_by", "due", "on_time")
    from data_access.models import IncidentDailyBy, IncidentDueDailyBy
    from worker.summaries import rebuild_in

    rebuild_in(op.get_bind(), (IncidentDailyBy, IncidentDueDailyBy))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        # SQLite plans without statistics until ANALYZE (PostgreSQL's autovacuum keeps its
        # own): without them it reads a year of incidents for the few open ones. Not on an
        # empty database, whose statistics would say "empty" long after it is not.
        op.execute("ANALYZE")


def downgrade() -> None:
    op.drop_index("ix_incidents_closed_at", "incidents")
    op.drop_table("incident_due_daily_by")
    op.drop_table("incident_daily_by")
