"""The open incidents' partial index also holds escalation_level and acknowledged_at, so
the backlog's alert counts (a colour is red from the ladder's level too; the overdue not
acknowledged) are read from the index alone again, as before alerts added those columns
(22,864 open incidents at 5 M: 27 ms through the table).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('reported', 'dispatched', 'signed', 'in_progress', 'returned', 'reopened')"
COLUMNS = [
    "deadline", "reported_day", "reported_at", "town", "status", "closed_at",
    "category", "channel", "department", "grid",
]  # fmt: skip
ALERTS = ["escalation_level", "acknowledged_at"]


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
    _open_index(COLUMNS + ALERTS)


def downgrade() -> None:
    _open_index(COLUMNS)
