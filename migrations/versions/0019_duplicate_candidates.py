"""Duplicate candidates (重复件): the pairs ingest finds likely to report one problem, with
the scorer's reasons, and the pairs staff dismissed (issue 19); an index on incidents by
town, category and reported day, which the candidates' query reads (on the town-and-day
index it read every category's rows of the town, about 15 times as many).

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03

Both tables start empty: candidates are found as incidents arrive (worker.duplicates).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_incidents_town_category_day", "incidents", ["town", "category", "reported_day"]
    )
    op.create_table(
        "duplicate_candidates",
        sa.Column("incident_id", sa.String(96), nullable=False),
        sa.Column("candidate_id", sa.String(96), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("text", sa.Float(), nullable=False),
        sa.Column("same_caller", sa.Boolean(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "candidate_id", name="pk_duplicate_candidates"),
    )
    op.create_index(
        "ix_duplicate_candidates_candidate", "duplicate_candidates", ["candidate_id"]
    )
    op.create_index("ix_duplicate_candidates_found_at", "duplicate_candidates", ["found_at"])
    op.create_table(
        "duplicate_dismissals",
        sa.Column("incident_id", sa.String(96), nullable=False),
        sa.Column("candidate_id", sa.String(96), nullable=False),
        sa.Column("dismissed_by", sa.String(128), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "candidate_id", name="pk_duplicate_dismissals"),
    )


def downgrade() -> None:
    op.drop_table("duplicate_dismissals")
    op.drop_table("duplicate_candidates")
    op.drop_index("ix_incidents_town_category_day", "incidents")
