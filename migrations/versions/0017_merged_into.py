"""An incident's duplicates (重复件, CONTRACT section 1, second edition): a partial index
of `incidents.merged_into`, from which the incident page lists the incidents merged into
the one it shows, without reading every merged incident.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED_INTO = "merged_into IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_incidents_merged_into",
        "incidents",
        ["merged_into"],
        postgresql_where=sa.text(MERGED_INTO),
        sqlite_where=sa.text(MERGED_INTO),
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_merged_into", "incidents")
