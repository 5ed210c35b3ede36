"""disputes.via_mediating: whether a `mediating` event came, so the mediation flow counts
the window's disputes without probing dispute_events for each (1.3 s for a year of
300,000 disputes before).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

Filled here from dispute_events, then kept by ingest's fold.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "disputes",
        sa.Column("via_mediating", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(
        "UPDATE disputes SET via_mediating = EXISTS (SELECT 1 FROM dispute_events e "
        "WHERE e.dispute_id = disputes.id AND e.status = 'mediating')"
    )


def downgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("via_mediating")
