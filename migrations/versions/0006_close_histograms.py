"""Histograms of time to close and an index on it, so the median of a long window sorts
one bucket of incidents instead of every incident the window closed
(data_access.close_buckets).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Filled from `incidents` here, then kept by ingest. The index is on an expression (the time
to close, then the reported day), which each dialect writes its own way; data_access.kpis
queries the same expression, so the planner can use it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SPAN = {
    "postgresql": "(closed_at - reported_at)",
    "sqlite": "(julianday(closed_at) - julianday(reported_at))",
}


def upgrade() -> None:
    op.create_table(
        "incident_close_hist",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "town", "bucket", name="pk_incident_close_hist"),
    )
    op.create_table(
        "incident_close_hist_all",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "bucket", name="pk_incident_close_hist_all"),
    )
    op.create_table(
        "incident_close_hist_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "bucket", name="pk_incident_close_hist_month"),
    )
    bind = op.get_bind()
    span = SPAN[bind.dialect.name]
    op.execute(f"CREATE INDEX ix_incidents_close_span ON incidents ({span}, reported_day)")
    from data_access.models import IncidentCloseHist, IncidentCloseHistAll, IncidentCloseHistMonth
    from worker.summaries import rebuild_in

    rebuild_in(bind, (IncidentCloseHist, IncidentCloseHistAll, IncidentCloseHistMonth))
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        op.execute("ANALYZE")  # as in 0005: statistics for the new index and tables


def downgrade() -> None:
    op.execute("DROP INDEX ix_incidents_close_span")
    op.drop_table("incident_close_hist_month")
    op.drop_table("incident_close_hist_all")
    op.drop_table("incident_close_hist")
