"""Merged incidents (重复件) are neither received nor due (CONTRACT section 2, second
edition): the merged incidents' partial index, read by `duplicates`; and the incident
summaries rebuilt when any incident is merged, since ingest counted them before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

A first-edition database has no merged incident (the status was dead-lettered), so it
only gains the (empty) index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED = "status = 'merged'"


def upgrade() -> None:
    op.create_index(
        "ix_incidents_merged",
        "incidents",
        ["reported_day", "town"],
        postgresql_where=sa.text(MERGED),
        sqlite_where=sa.text(MERGED),
    )
    bind = op.get_bind()
    if bind.scalar(sa.text(f"SELECT 1 FROM incidents WHERE {MERGED} LIMIT 1")):
        from worker.summaries import rebuild_in

        rebuild_in(bind)


def downgrade() -> None:
    op.drop_index("ix_incidents_merged", "incidents")
