"""Dispute summaries by accepted day and month (town, split, outcome, via mediating, bin of
days to outcome), so the mediation figures, flow and resolution times of a long window
read a few thousand rows instead of every dispute (worker.dispute_summaries,
data_access.dispute_counts); an index on `resolved_at` for the few disputes resolved
after now, which the reader corrects; and two indexes on the days to outcome (per
outcome, and over the resolved ones), so a median reads up to its middle rank in order
instead of sorting the window (expressions written per dialect, hence not in the models).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26

Filled from `disputes` here (a set-based rebuild), then kept by ingest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(name: str, when: str) -> None:
    op.create_table(
        name,
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column(when, sa.Date(), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("via", sa.Integer(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension", when, "town", "key", "outcome", "via", "bin", name=f"pk_{name}"
        ),
    )


SPAN = {
    "postgresql": "(resolved_at - accepted_at)",
    "sqlite": "(julianday(resolved_at) - julianday(accepted_at))",
}
READ = ("accepted_day", "accepted_at", "resolved_at", "town")  # what a median's walk tests
RESOLVED = "status IN ('mediated', 'adjudicated')"


def _span_index(name: str, keys: str, where: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {name} ON disputes ({keys}) INCLUDE ({', '.join(READ)}) {where}")
    else:  # no INCLUDE: the columns go in the key, to the same effect
        op.execute(f"CREATE INDEX {name} ON disputes ({keys}, {', '.join(READ)}) {where}")


def upgrade() -> None:
    _table("dispute_daily_by", "day")
    _table("dispute_monthly_by", "month")
    op.create_index("ix_disputes_resolved_at", "disputes", ["resolved_at"])
    span = SPAN[op.get_bind().dialect.name]
    _span_index("ix_disputes_outcome_span", f"status, {span}", "WHERE resolved_at IS NOT NULL")
    _span_index("ix_disputes_resolved_span", span, f"WHERE {RESOLVED}")
    from worker.dispute_summaries import rebuild_in

    bind = op.get_bind()
    rebuild_in(bind)
    if bind.dialect.name == "sqlite" and bind.scalar(sa.text("SELECT 1 FROM disputes LIMIT 1")):
        op.execute("ANALYZE")  # as in 0005


def downgrade() -> None:
    op.execute("DROP INDEX ix_disputes_resolved_span")
    op.execute("DROP INDEX ix_disputes_outcome_span")
    op.drop_index("ix_disputes_resolved_at", "disputes")
    op.drop_table("dispute_monthly_by")
    op.drop_table("dispute_daily_by")
