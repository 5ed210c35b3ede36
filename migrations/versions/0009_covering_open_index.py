"""The open incidents' partial index covers what the backlog and the windows' open counts
read (deadline first, as the overdue list needs, then reported day and instant, town,
status, closed_at), so those counts never visit the table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('reported', 'dispatched', 'in_progress', 'reopened')"
COVERING = ["deadline", "reported_day", "reported_at", "town", "status", "closed_at"]


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
    _open_index(COVERING)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        op.execute("ANALYZE")  # as in 0005: SQLite plans by statistics of the new index


def downgrade() -> None:
    _open_index(["deadline"])
