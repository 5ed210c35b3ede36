"""The work order's counts in the summaries (CONTRACT section 2, second edition;
data_access.work_order): `incident_daily`, `incident_daily_by` and `incident_monthly_by`
count them by each row's eventual state, and `incidents.settled_at` says from when a row
counts so as of an instant (data_access.kpis corrects the rows settled after it, found by
ix_incidents_settled_at, or of a window's older rows by ix_incidents_settled_span: the
time to settle, then the reported day, an expression each dialect writes its own way).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03

settled_at is filled in Python by the function the fold uses (data_access.work_order),
then the summaries are rebuilt set-based, as ingest keeps them from then on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("incident_daily", "incident_daily_by", "incident_monthly_by")
SPAN = {
    "postgresql": "(settled_at - reported_at)",
    "sqlite": "(julianday(settled_at) - julianday(reported_at))",
}


def _settle(bind) -> None:
    from data_access.models import Incident, UTCDateTime
    from data_access.work_order import COLUMNS, settled_at

    names = ("id", "reported_at", "status", "closed_at", *COLUMNS)
    query = sa.select(*(getattr(Incident, n) for n in names)).execution_options(yield_per=10_000)
    update = sa.text("UPDATE incidents SET settled_at = :at WHERE id = :id").bindparams(
        sa.bindparam("at", type_=UTCDateTime)
    )
    batch = []
    for row in bind.execute(query).mappings():
        batch.append({"id": row["id"], "at": settled_at(row)})
        if len(batch) == 10_000:
            bind.execute(update, batch)
            batch = []
    if batch:
        bind.execute(update, batch)


def upgrade() -> None:
    from data_access.work_order import COUNTS

    op.add_column("incidents", sa.Column("settled_at", sa.DateTime(), nullable=True))
    op.create_index("ix_incidents_settled_at", "incidents", ["settled_at"])
    for table in TABLES:
        for name in COUNTS:
            column = sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)
            op.add_column(table, column)
    bind = op.get_bind()
    span = SPAN[bind.dialect.name]
    op.execute(f"CREATE INDEX ix_incidents_settled_span ON incidents ({span}, reported_day)")
    if bind.scalar(sa.text("SELECT 1 FROM incidents LIMIT 1")):
        from data_access.models import IncidentDaily, IncidentDailyBy, IncidentMonthlyBy
        from worker.summaries import rebuild_in

        _settle(bind)
        rebuild_in(bind, (IncidentDaily, IncidentDailyBy, IncidentMonthlyBy))
        if bind.dialect.name == "sqlite":
            op.execute("ANALYZE")  # as in 0005


def downgrade() -> None:
    from data_access.work_order import COUNTS

    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for name in COUNTS:
                batch.drop_column(name)
    op.drop_index("ix_incidents_settled_span", table_name="incidents")
    op.drop_index("ix_incidents_settled_at", table_name="incidents")
    op.drop_column("incidents", "settled_at")
