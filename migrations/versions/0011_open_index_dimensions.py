"""The open incidents' partial index also holds category, channel, department and grid, so
the breakdowns' open counts (rankings, mix, matrix, map) are index-only too.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('reported', 'dispatched', 'in_progress', 'reopened')"
BASE = ["deadline", "reported_day", "reported_at", "town", "status", "closed_at"]
DIMENSIONS = ["category", "channel", "department", "grid"]


def _open_index(columns: list[str]) -> None:
    op.drop_index("ix_incidents_open_deadline", "incidents")
    op.create_index(
        "ix_incidents_open_deadline",
        "incidents",
        columns,
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def upgrade() -> None:
    _open_index(BASE + DIMENSIONS)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        op.execute("ANALYZE")  # as in 0005


def downgrade() -> None:
    _open_index(BASE)
