"""The escalation ladder (CC_ESCALATION_LADDER, CONTRACT section 2, second edition): a
partial index of the open incidents by escalation level, then deadline, from which
worker.ladder reads each rung's overdue candidates (levels below the rung, deadline at
least the rung's limit ago) as a range, whatever the size of the backlog.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

The level itself is `incidents.escalation_level` (the highest `level` seen, manual or
the ladder's), so nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = (
    "status IN ('reported', 'dispatched', 'signed', 'in_progress', 'returned', 'reopened')"
)


def upgrade() -> None:
    op.create_index(
        "ix_incidents_ladder",
        "incidents",
        ["escalation_level", "deadline"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_ladder", "incidents")
