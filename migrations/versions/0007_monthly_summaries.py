"""Monthly roll-ups of the daily summaries, so a long window reads its whole months from
one row per month rather than thirty per month (data_access.kpis._summary_sums).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Summed here from the daily tables, then kept by ingest like them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(name: str, *counts: str) -> None:
    op.create_table(
        name,
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in counts),
        sa.PrimaryKeyConstraint("dimension", "month", "town", "key", name=f"pk_{name}"),
    )


def upgrade() -> None:
    _table("incident_monthly_by", "received", "closed", "rated", "satisfied")
    _table("incident_due_monthly_by", "due", "on_time")
    from data_access.models import IncidentDueMonthlyBy, IncidentMonthlyBy
    from worker.summaries import rebuild_in

    bind = op.get_bind()
    rebuild_in(bind, (IncidentMonthlyBy, IncidentDueMonthlyBy))
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        op.execute("ANALYZE")  # as in 0005


def downgrade() -> None:
    op.drop_table("incident_due_monthly_by")
    op.drop_table("incident_monthly_by")
