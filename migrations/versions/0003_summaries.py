"""Daily summary tables for fast, exact KPI figures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Filled from `incidents` here (a set-based rebuild), then kept by ingest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "incident_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        *_counts("received", "closed", "rated", "satisfied"),
        sa.PrimaryKeyConstraint("day", "town", name="pk_incident_daily"),
    )
    op.create_table(
        "incident_due_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        *_counts("due", "on_time"),
        sa.PrimaryKeyConstraint("day", "town", name="pk_incident_due_daily"),
    )
    from data_access.models import IncidentDaily, IncidentDueDaily
    from worker.summaries import rebuild_in

    rebuild_in(op.get_bind(), (IncidentDaily, IncidentDueDaily))


def downgrade() -> None:
    op.drop_table("incident_due_daily")
    op.drop_table("incident_daily")
