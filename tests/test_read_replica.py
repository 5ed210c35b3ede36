"""Reads that may lag go to CC_DATABASE_REPLICA_URL (data_access/read_replica.py,
dashboard/context.py `read_engine`): a replica stopped, its reads go to the primary, and
back when it returns; a replica behind is passed over; a session that has just acted
reads the primary; unset, nothing changes."""

from __future__ import annotations

import pytest
from flask import Flask, jsonify
from sqlalchemy import text

from dashboard import context
from data_access import read_replica
from data_access.health import health
from tests.conftest import PG_ADMIN_URL
from tests.servers import PgReplica, PgServer, free_port, wait_for

IN_RECOVERY = text("SELECT pg_is_in_recovery()")


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL primary of our own and its streaming replica."""
    primary = PgServer()
    replica = PgReplica(primary)
    yield primary, replica
    replica.close()
    primary.close()


@pytest.fixture
def fast_retry(monkeypatch):
    monkeypatch.setattr(read_replica, "RETRY_SECONDS", 0.3)
    monkeypatch.setattr(read_replica, "WAIT_SECONDS", 0.3)


def _on_replica(route: read_replica.Route) -> bool:
    """Where a read through the route runs: True on the replica, False on the primary."""
    engine = route.engine if route.caught_up() else route.primary
    with engine.connect() as conn:
        return conn.scalar(IN_RECOVERY)


def test_a_stopped_replica_passes_reads_to_the_primary_and_takes_them_back(cluster, fast_retry):
    primary, replica = cluster
    route = read_replica.Route(primary.url, replica.url)
    try:
        assert _on_replica(route) is True
        replica.stop()
        assert _on_replica(route) is False  # no error: the primary answers
        assert _on_replica(route) is False
        replica.start()
        wait_for(lambda: _on_replica(route), 20, what="reads back on the replica")
    finally:
        route.engine.dispose()


def test_a_replica_behind_is_passed_over_until_it_catches_up(cluster, fast_retry):
    primary, replica = cluster
    route = read_replica.Route(primary.url, replica.url)
    replica_admin = read_replica.make_engine(replica.url, reader=True)
    try:
        with route.primary.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS marks (n int)"))
        wait_for(lambda: _on_replica(route), 20, what="the replica to have the table")
        with replica_admin.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_pause()"))
        with route.primary.begin() as conn:
            conn.execute(text("INSERT INTO marks VALUES (1)"))
        # the replica has not replayed the insert: the read goes to the primary, and sees it
        assert _on_replica(route) is False
        with route.primary.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM marks")) == 1
        with replica_admin.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
        wait_for(lambda: _on_replica(route), 20, what="reads back on the replica")
        with route.engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM marks")) == 1
    finally:
        with replica_admin.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
        replica_admin.dispose()
        route.engine.dispose()


def test_a_replica_on_a_closed_port_reads_the_primary(fast_retry):
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    route = read_replica.Route(PG_ADMIN_URL, closed)
    try:
        with route.engine.connect() as conn:  # the replica's engine, connected to the primary
            assert conn.scalar(text("SELECT current_database()")) == "test"
        assert _on_replica(route) is False
    finally:
        route.engine.dispose()


def _app(settings) -> Flask:
    """A bare Flask app holding `settings`, with routes that act and that read."""
    app = Flask(__name__)
    app.secret_key = "test"
    app.config["CC_SETTINGS"] = settings

    @app.post("/act")
    def act():
        context.mark_written()
        return jsonify(str(context.read_engine().url))

    @app.get("/read")
    def read():
        return jsonify(str(context.read_engine().url))

    return app


def test_unset_every_read_is_the_primary(settings):
    assert _app(settings).test_client().get("/read").json == settings.database_url
    with _app(settings).test_request_context("/read"):
        assert context.read_engine() is context.engine()


def test_a_session_that_acted_reads_the_primary_for_a_while(settings, tmp_path, monkeypatch):
    replica_url = f"sqlite:///{tmp_path / 'replica.sqlite'}"
    cfg = settings.with_(database_replica_url=replica_url)
    client = _app(cfg).test_client()
    assert client.get("/read").json.endswith("replica.sqlite")
    assert client.post("/act").json == settings.database_url  # the acting request itself
    assert client.get("/read").json == settings.database_url  # and the session's next ones
    other = _app(cfg).test_client()
    assert other.get("/read").json.endswith("replica.sqlite")  # another session: the replica
    monkeypatch.setattr(context, "WRITTEN_SECONDS", 0)
    assert client.get("/read").json.endswith("replica.sqlite")  # then the replica again


def test_health_tells_whether_the_replica_answers_and_how_far_behind_it_is(cluster, settings):
    primary, replica = cluster
    cfg = settings.with_(database_replica_url=replica.url)
    admin = read_replica.make_engine(replica.url, reader=True)
    try:
        wait_for(lambda: health(cfg)["replica"] == {"ok": True, "lag_seconds": 0}, 20,
                 what="a replica caught up")  # fmt: skip
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_pause()"))
        with read_replica.make_engine(primary.url).begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS later (n int)"))
            conn.execute(text("INSERT INTO later VALUES (1)"))
        behind = wait_for(lambda: health(cfg)["replica"]["lag_seconds"], 20, what="a lag")
        assert behind > 0
        assert health(cfg)["status"] == health(settings)["status"]  # reads go to the primary
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
        admin.dispose()
    wait_for(lambda: health(cfg)["replica"]["lag_seconds"] == 0, 20, what="caught up again")
    closed = settings.with_(
        database_replica_url=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    )
    assert health(closed)["replica"] == {"ok": False, "lag_seconds": None}


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_pages_and_the_api_answer_while_the_replica_is_down(settings, db_url, auth_header):
    from dashboard import create_app

    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    client = create_app(settings.with_(database_replica_url=closed)).server.test_client()
    assert client.get("/api/v1/kpis", headers=auth_header).status_code == 200
    assert client.get("/api/v1/overdue", headers=auth_header).status_code == 200
    assert client.get("/health").get_json()["replica"] == {"ok": False, "lag_seconds": None}


def test_with_the_primary_down_reads_go_to_it_and_fail(cluster, fast_retry):
    """The replica's data is not shown as current while nothing can be applied: the
    pages say SQL is down, as without a replica; the replica is not blamed."""
    primary, replica = cluster
    route = read_replica.Route(primary.url, replica.url)
    try:
        assert _on_replica(route) is True
        primary.stop()
        assert route.caught_up() is False
        assert not route.passed_over
    finally:
        primary.start()
        route.engine.dispose()
    wait_for(lambda: _on_replica(route), 30, what="reads back on the replica")


def test_a_request_chooses_its_read_engine_once_and_an_act_still_reads_the_primary(
    settings, tmp_path, monkeypatch
):
    """The choice costs a round trip to each server: once per request, not per call."""
    cfg = settings.with_(database_replica_url=f"sqlite:///{tmp_path / 'replica.sqlite'}")
    chosen = []
    real = context.replica_engine
    monkeypatch.setattr(context, "replica_engine", lambda *a: chosen.append(a) or real(*a))
    with _app(cfg).test_request_context("/read"):
        first = context.read_engine()
        assert context.read_engine() is first and len(chosen) == 1
        assert str(first.url).endswith("replica.sqlite")
        context.mark_written()
        assert context.read_engine() is context.engine()  # after an act: the primary
    with _app(cfg).test_request_context("/read"):
        context.read_engine()
    assert len(chosen) == 2  # the next request chooses again
