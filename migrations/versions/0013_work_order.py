"""The contract's second edition: the work order's facts on `incidents` (first dispatch,
signed and contacted after it, returns, applied extensions, solved, merged_into, reopened
after closing, the acknowledgement of an overdue incident); the open incidents' partial
index recreated for the new open set (signed and returned are open); SLA rules with a
channel and a limit `Nh` or `Nwd` (`sla_limits`, replacing `sla_rules`' hours).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

A first-edition database has no event of the new statuses (they were dead-lettered), so
only first_dispatch_at and reopened are filled here from the stored events, set-based;
ingest's fold keeps every column from then on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_BEFORE = "status IN ('reported', 'dispatched', 'in_progress', 'reopened')"
OPEN = (
    "status IN ('reported', 'dispatched', 'signed', 'in_progress', 'returned', 'reopened')"
)
INDEX_COLUMNS = [
    "deadline", "reported_day", "reported_at", "town", "status", "closed_at",
    "category", "channel", "department", "grid",
]  # fmt: skip


def _columns() -> list[sa.Column]:
    return [
        sa.Column("first_dispatch_at", sa.DateTime(), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("contacted_at", sa.DateTime(), nullable=True),
        sa.Column("returns", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("extensions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("merged_into", sa.String(96), nullable=True),
        sa.Column("reopened", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(128), nullable=True),
    ]


BACKFILL = """
UPDATE incidents SET
  first_dispatch_at = (
    SELECT min(e.ts) FROM incident_events e
    WHERE e.incident_id = incidents.id AND e.status = 'dispatched'),
  reopened = EXISTS (
    SELECT 1 FROM incident_events r JOIN incident_events c ON c.incident_id = r.incident_id
    WHERE r.incident_id = incidents.id AND r.status = 'reopened'
      AND c.status IN ('resolved', 'closed')
      AND (c.ts < r.ts OR (c.ts = r.ts AND c.seq < r.seq)))
"""


def _open_index(predicate: str) -> None:
    op.drop_index("ix_incidents_open_deadline", "incidents")
    op.create_index(
        "ix_incidents_open_deadline",
        "incidents",
        INDEX_COLUMNS,
        postgresql_where=sa.text(predicate),
        sqlite_where=sa.text(predicate),
    )


def _limit(hours: float) -> str:
    return f"{int(hours)}h" if float(hours).is_integer() else f"{hours}h"


def upgrade() -> None:
    for column in _columns():
        op.add_column("incidents", column)
    bind = op.get_bind()
    if bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        op.execute(BACKFILL)
    _open_index(OPEN)
    limits = op.create_table(
        "sla_limits",
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("limit", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("category", "priority", "channel", name="pk_sla_limits"),
    )
    rules = bind.execute(sa.text("SELECT category, priority, hours FROM sla_rules")).all()
    if rules:
        op.bulk_insert(
            limits,
            [{"category": c, "priority": p, "channel": "*", "limit": _limit(h)} for c, p, h in rules],
        )
    op.drop_table("sla_rules")


def downgrade() -> None:
    rules = op.create_table(
        "sla_rules",
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("category", "priority", name="pk_sla_rules"),
    )
    bind = op.get_bind()
    limits = bind.execute(
        sa.text("SELECT category, priority, \"limit\" FROM sla_limits WHERE channel = '*'")
    ).all()
    kept = [
        {"category": c, "priority": p, "hours": float(limit[:-1])}
        for c, p, limit in limits
        if limit.endswith("h") and not limit.endswith("wd")
    ]
    if kept:
        op.bulk_insert(rules, kept)
    op.drop_table("sla_limits")
    _open_index(OPEN_BEFORE)
    for column in _columns():
        op.drop_column("incidents", column.name)
