"""The seeder's progress record, so a long history build can stop and resume.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Empty until demo.seed starts a build; a database seeded before it has history rows and
no record, which the seeder reads as a finished build.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seed_progress",
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("history_until", sa.DateTime(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("stage", name=op.f("pk_seed_progress")),
    )


def downgrade() -> None:
    op.drop_table("seed_progress")
