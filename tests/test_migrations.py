"""The Alembic revisions build exactly data_access.models, and can be undone and redone."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from common.config import PROJECT_ROOT
from data_access.models import Base
from data_access.schema import alembic_config, autogenerate_includes, migrate


def _differences(engine: Engine) -> list:
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": autogenerate_includes}
        context = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(context, Base.metadata)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _index_sql(engine: Engine, name: str) -> str:
    query = {
        "sqlite": "SELECT sql FROM sqlite_master WHERE name = :name",
        "postgresql": "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND indexname = :name",
    }[engine.dialect.name]
    with engine.connect() as conn:
        return conn.execute(text(query), {"name": name}).scalar_one()


def test_upgrade_from_empty_matches_the_models(db_url: str, engine: Engine) -> None:
    # db_url is an empty database that the fixture brought to head with migrate()
    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    assert _revision(engine) == head
    assert _differences(engine) == []
    assert "WHERE" in _index_sql(engine, "ix_incidents_open_deadline").upper()
    assert "reported_at" in _index_sql(engine, "ix_incidents_close_span")  # not in the models
    assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, "alembic_version"}


def test_version_table_lands_in_the_urls_schema(db_url: str, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("schemas are PostgreSQL's")
    with engine.connect() as conn:
        schema = conn.execute(
            text(
                "SELECT table_schema FROM information_schema.tables"
                " WHERE table_name = 'alembic_version' AND table_schema = current_schema()"
            )
        ).scalar_one()
    assert schema.startswith("t_")


def test_migrate_is_idempotent(db_url: str, engine: Engine) -> None:
    migrate(db_url)
    assert _differences(engine) == []


def test_downgrade_to_base_then_upgrade_again(db_url: str, engine: Engine) -> None:
    command.downgrade(alembic_config(db_url), "base")
    assert _revision(engine) is None
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}

    migrate(db_url)
    assert _differences(engine) == []


@pytest.mark.slow
def test_concurrent_migrations_do_not_collide(db_url: str, engine: Engine) -> None:
    # every ingest process migrates at start, so several may race on an empty database
    command.downgrade(alembic_config(db_url), "base")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    code = "import sys; from data_access.schema import migrate; migrate(sys.argv[1])"
    racers = [
        subprocess.Popen([sys.executable, "-c", code, db_url], cwd=PROJECT_ROOT) for _ in range(4)
    ]
    assert [racer.wait(60) for racer in racers] == [0] * 4
    assert _differences(engine) == []


def test_via_mediating_is_filled_from_the_dispute_events(db_url: str, engine: Engine) -> None:
    """Revision 0008 sets the flag of the disputes stored before it from their events."""
    command.downgrade(alembic_config(db_url), "0007")
    dispute = (
        "INSERT INTO disputes (id, accepted_at, accepted_day, kind, town, status, status_at,"
        " updated_at) VALUES (:id, :at, :day, 'neighbour', 'T1', :status, :at, :at)"
    )
    event = (
        "INSERT INTO dispute_events (event_id, dispute_id, status, ts, seq, fields)"
        " VALUES (:e, :id, :status, :at, :seq, '{}')"
    )
    at, day = "2026-11-20 08:00:00", "2026-11-20"
    with engine.begin() as conn:
        for ident, statuses in (
            ("D-1", ("accepted", "mediating", "mediated")),
            ("D-2", ("accepted", "adjudicated")),
        ):
            conn.execute(text(dispute), {"id": ident, "at": at, "day": day, "status": statuses[-1]})
            for seq, status in enumerate(statuses):
                params = {
                    "e": f"{ident}-{seq}",
                    "id": ident,
                    "status": status,
                    "at": at,
                    "seq": seq,
                }
                conn.execute(text(event), params)
    migrate(db_url)
    with engine.connect() as conn:
        flags = dict(conn.execute(text("SELECT id, via_mediating FROM disputes")).all())
    assert {k: bool(v) for k, v in flags.items()} == {"D-1": True, "D-2": False}


def test_work_order_columns_and_sla_limits_from_the_first_edition(
    db_url: str, engine: Engine
) -> None:
    """Revision 0013 fills first_dispatch_at and reopened from the stored events, and
    turns the first edition's SLA hours into limits for any channel."""
    command.downgrade(alembic_config(db_url), "0012")
    incident = (
        "INSERT INTO incidents (id, reported_at, reported_day, channel, category, town,"
        " priority, status, status_at, deadline, deadline_day, escalation_level, updated_at)"
        " VALUES (:id, :at, :day, 'wechat', 'noise', 'T1', 'normal', :status, :at, :at, :day,"
        " 0, :at)"
    )
    event = (
        "INSERT INTO incident_events (event_id, incident_id, status, ts, seq, fields)"
        " VALUES (:e, :id, :status, :at, :seq, '{}')"
    )
    day = "2026-11-20"
    with engine.begin() as conn:
        for ident, statuses in (
            ("I-1", ("reported", "dispatched", "dispatched", "resolved", "reopened")),
            ("I-2", ("reported", "reopened", "closed")),
        ):
            conn.execute(
                text(incident),
                {"id": ident, "at": f"{day} 08:00:00", "day": day, "status": statuses[-1]},
            )
            for seq, status in enumerate(statuses):
                params = {
                    "e": f"{ident}-{seq}",
                    "id": ident,
                    "status": status,
                    "at": f"{day} 0{seq}:00:00",
                    "seq": seq,
                }
                conn.execute(text(event), params)
        conn.execute(
            text("INSERT INTO sla_rules VALUES ('noise', 'high', 12.5), ('*', 'low', 100)")
        )
    migrate(db_url)
    assert _differences(engine) == []
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, first_dispatch_at, reopened FROM incidents")).all()
        limits = conn.execute(text('SELECT category, priority, channel, "limit" FROM sla_limits'))
        limits = sorted(tuple(r) for r in limits)
    found = {i: (str(at)[:19] if at else None, bool(r)) for i, at, r in rows}
    assert found == {"I-1": ("2026-11-20 01:00:00", True), "I-2": (None, False)}
    assert limits == [("*", "low", "*", "100h"), ("noise", "high", "*", "12.5h")]
    command.downgrade(alembic_config(db_url), "0012")
    with engine.connect() as conn:
        hours = sorted(tuple(r) for r in conn.execute(text("SELECT * FROM sla_rules")))
    assert hours == [("*", "low", 100.0), ("noise", "high", 12.5)]


def test_people_kiosks_and_audit_rows_from_before_scopes_see_the_county(
    db_url: str, engine: Engine
) -> None:
    """Revision 0022 gives every existing person, kiosk and audit record the county (what
    every account saw before scopes), and new rows the county unless told otherwise."""
    command.downgrade(alembic_config(db_url), "0021")
    at = "2026-11-20 08:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, disabled, session_version,"
                " created_at, updated_at) VALUES ('old', 'x', 'staff', false, 0, :at, :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text("INSERT INTO kiosks (name, created_by, created_at) VALUES ('hall', 'a', :at)"),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, target, detail)"
                " VALUES (:at, 'old', 'view_personal_data', 'incident P-1', 'role=staff')"
            ),
            {"at": at},
        )
    migrate(db_url)
    assert _differences(engine) == []
    with engine.begin() as conn:
        tables = ("users", "kiosks", "audit_log")
        found = [conn.execute(text(f"SELECT scope FROM {t}")).scalar_one() for t in tables]
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, disabled, session_version,"
                " created_at, updated_at) VALUES ('new', 'x', 'wall', false, 0, :at, :at)"
            ),
            {"at": at},
        )
        new = conn.execute(text("SELECT scope FROM users WHERE username = 'new'")).scalar_one()
    assert found == ["county", "county", "county"] and new == "county"
    command.downgrade(alembic_config(db_url), "0021")
    assert "scope" not in {c["name"] for c in inspect(engine).get_columns("users")}
