"""Comparisons as of an earlier instant read the window's rows closed (or settled) since
then day by day (data_access.as_of): indexes on (reported_day, closed_at) and
(reported_day, settled_at). They replace ix_incidents_settled_span, which read every row
that took over 7 days to settle: with working-day deadlines a third of the table. And
ix_incidents_merged gets reported_at, so a window's duplicates as of an instant are counted
from the index alone (a year at 5 M: 110,000 rows read from the table, 0.2 s).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED = "status = 'merged'"
SETTLED_SPAN = {
    "postgresql": "(settled_at - reported_at)",
    "sqlite": "(julianday(settled_at) - julianday(reported_at))",
}


def upgrade() -> None:
    op.create_index("ix_incidents_day_closed", "incidents", ["reported_day", "closed_at"])
    op.create_index("ix_incidents_day_settled", "incidents", ["reported_day", "settled_at"])
    op.drop_index("ix_incidents_settled_span", table_name="incidents")
    _merged_index(["reported_day", "town", "reported_at"])


def _merged_index(columns: list[str]) -> None:
    op.drop_index("ix_incidents_merged", table_name="incidents")
    where = sa.text(MERGED)
    op.create_index(
        "ix_incidents_merged", "incidents", columns, postgresql_where=where, sqlite_where=where
    )


def downgrade() -> None:
    _merged_index(["reported_day", "town"])
    span = SETTLED_SPAN[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_incidents_settled_span ON incidents ({span}, reported_day)")
    op.drop_index("ix_incidents_day_settled", table_name="incidents")
    op.drop_index("ix_incidents_day_closed", table_name="incidents")
