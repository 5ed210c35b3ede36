"""The disputes' accepted-day index covers what the mediation figures read (the outcome,
its instants, the flow's flag and the breakdowns' kind, type and mediator), so a long
window is read from the index rather than the table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERING = [
    "accepted_day", "town", "accepted_at", "status", "resolved_at", "via_mediating",
    "kind", "mediation_type", "mediator",
]  # fmt: skip


def _index(columns: list[str]) -> None:
    op.drop_index("ix_disputes_accepted_day", "disputes")
    op.create_index("ix_disputes_accepted_day", "disputes", columns)


def upgrade() -> None:
    _index(COVERING)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text("SELECT 1 FROM disputes LIMIT 1")):
        op.execute("ANALYZE")  # as in 0005


def downgrade() -> None:
    _index(["accepted_day", "town"])
