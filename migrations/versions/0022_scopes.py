"""Scopes (CONTRACT 2, second edition): every person and kiosk has one, and every audit
record names its caller's.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03

Existing people and kiosks keep seeing the county (`county`, the column's default), and
the audit rows written before this revision get `county` too: until now every account saw
the county. The audit's new index lists one person's day (the audit page and CLI).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTY = sa.text("'county'")


def upgrade() -> None:
    for table in ("users", "kiosks"):
        op.add_column(table, sa.Column("scope", sa.Text(), server_default=COUNTY, nullable=False))
    op.add_column("audit_log", sa.Column("scope", sa.Text(), nullable=True))
    op.execute("UPDATE audit_log SET scope = 'county'")
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor_at", table_name="audit_log")
    for table in ("audit_log", "kiosks", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("scope")
