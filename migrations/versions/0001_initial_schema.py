"""Initial schema: master data, incidents and disputes with their events.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Instants are naive UTC DateTime columns (data_access.models.UTCDateTime's impl).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(64)
OPEN_SQL = "status IN ('reported', 'dispatched', 'in_progress', 'reopened')"


def names(*columns: str) -> list[sa.Column]:
    return [sa.Column(name, sa.String(128), nullable=False) for name in columns]


def upgrade() -> None:
    op.create_table(
        "towns",
        sa.Column("code", CODE, nullable=False),
        *names("name_zh", "name_en"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_towns")),
    )
    op.create_table(
        "communities",
        sa.Column("code", CODE, nullable=False),
        sa.Column("town", CODE, nullable=False),
        *names("name_zh", "name_en"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_communities")),
    )
    op.create_index(op.f("ix_communities_town"), "communities", ["town"])
    op.create_table(
        "grids",
        sa.Column("code", CODE, nullable=False),
        sa.Column("town", CODE, nullable=False),
        sa.Column("community", CODE, nullable=True),
        *names("name_zh", "name_en"),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("center_lat", sa.Float(), nullable=True),
        sa.Column("center_lon", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_grids")),
    )
    op.create_index(op.f("ix_grids_town"), "grids", ["town"])
    op.create_table(
        "departments",
        sa.Column("code", CODE, nullable=False),
        *names("name_zh", "name_en"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_departments")),
    )
    op.create_table(
        "code_names",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("code", CODE, nullable=False),
        *names("name_zh", "name_en"),
        sa.PrimaryKeyConstraint("kind", "code", name=op.f("pk_code_names")),
    )
    op.create_table(
        "sla_rules",
        sa.Column("category", CODE, nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("category", "priority", name=op.f("pk_sla_rules")),
    )

    op.create_table(
        "incidents",
        sa.Column("id", sa.String(96), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("reported_day", sa.Date(), nullable=False),
        sa.Column("channel", CODE, nullable=False),
        sa.Column("category", CODE, nullable=False),
        sa.Column("town", CODE, nullable=False),
        sa.Column("grid", CODE, nullable=True),
        sa.Column("department", CODE, nullable=True),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("deadline_day", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("satisfaction", sa.SmallInteger(), nullable=True),
        sa.Column("escalation_level", sa.SmallInteger(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reporter_phone", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_reported_day", "incidents", ["reported_day", "town"])
    op.create_index("ix_incidents_deadline_day", "incidents", ["deadline_day"])
    op.create_index("ix_incidents_town_day", "incidents", ["town", "reported_day"])
    op.create_index(
        "ix_incidents_open_deadline",
        "incidents",
        ["deadline"],
        postgresql_where=sa.text(OPEN_SQL),
        sqlite_where=sa.text(OPEN_SQL),
    )
    op.create_table(
        "incident_events",
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("incident_id", sa.String(96), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ts", sa.DateTime(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_incident_events")),
    )
    op.create_index(
        "ix_incident_events_incident", "incident_events", ["incident_id", "ts", "seq"]
    )

    op.create_table(
        "disputes",
        sa.Column("id", sa.String(96), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_day", sa.Date(), nullable=False),
        sa.Column("kind", CODE, nullable=False),
        sa.Column("town", CODE, nullable=False),
        sa.Column("grid", CODE, nullable=True),
        sa.Column("mediation_type", sa.String(16), nullable=True),
        sa.Column("mediator", CODE, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("judicial_confirmation", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_index("ix_disputes_accepted_day", "disputes", ["accepted_day", "town"])
    op.create_table(
        "dispute_events",
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("dispute_id", sa.String(96), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ts", sa.DateTime(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_dispute_events")),
    )
    op.create_index("ix_dispute_events_dispute", "dispute_events", ["dispute_id", "ts", "seq"])


def downgrade() -> None:
    for table in (
        "dispute_events",
        "disputes",
        "incident_events",
        "incidents",
        "sla_rules",
        "code_names",
        "departments",
        "grids",
        "communities",
        "towns",
    ):
        op.drop_table(table)  # drops its indexes with it
