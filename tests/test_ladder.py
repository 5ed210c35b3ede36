"""The escalation ladder (CC_ESCALATION_LADDER, CONTRACT section 2): parsing, the rungs'
exact instants, one event per rung whatever retries or processes do, a level raised by
hand kept, no ladder when unset, and two real ingest processes adding each event once."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from common import clock
from common.config import ConfigError, Settings, load_settings
from common.ladder import Rung, due_levels, parse_ladder
from common.workdays import Calendar, Limit
from data_access.db import make_engine
from data_access.models import Incident
from tests.factories import TZ, apply_entries, entry, reported
from tests.servers import (
    drain,
    fast_ingest,
    free_port,
    ingest_process,
    publish,
    stop_process_group,
    wait_for,
    web_process,
)
from worker import ladder

LADDER = parse_ladder("1:0h,2:24h,3:72h")
OPEN_INDEXES = ("ix_incidents_ladder", "ix_incidents_open_deadline")
DEADLINE = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a tick's start
SECOND = timedelta(seconds=1)


def at(hours: float) -> datetime:
    return DEADLINE + timedelta(hours=hours)


# -- parsing --------------------------------------------------------------------------


def test_a_ladder_is_parsed_into_rungs_by_level() -> None:
    assert parse_ladder("1:0h, 2:24h,3:72h") == (
        Rung(1, Limit(0, "h")),
        Rung(2, Limit(24, "h")),
        Rung(3, Limit(72, "h")),
    )
    assert parse_ladder("3:2wd,1:1.5h") == (Rung(1, Limit(1.5, "h")), Rung(3, Limit(2, "wd")))
    assert parse_ladder(None) == parse_ladder("  ") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1-0h", "is not level:limit"),
        ("1:0h,,2:24h", "is not level:limit"),
        ("one:0h", "whole number"),
        ("0:1h", "1-99"),
        ("100:1h", "1-99"),
        ("1:1d", "is not Nh or Nwd"),
        ("1:1.5wd", "whole"),
        ("1:0h,1:24h", "given twice"),
        ("1:24h,2:12h", "must come later"),
        ("1:2wd,2:2wd", "must come later"),
    ],
)
def test_a_bad_ladder_is_refused_with_a_message(text: str, message: str, tmp_path) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ladder(text)
    env = {"CC_DATA_DIR": str(tmp_path), "CC_ESCALATION_LADDER": text}
    with pytest.raises(ConfigError, match=f"CC_ESCALATION_LADDER: .*{message}"):
        load_settings(env)


def test_the_setting_is_read_and_off_when_unset(tmp_path) -> None:
    env = {"CC_DATA_DIR": str(tmp_path)}
    assert load_settings(env).escalation_ladder == ()
    ladder_env = {**env, "CC_ESCALATION_LADDER": "1:0h,2:24h,3:72h"}
    assert load_settings(ladder_env).escalation_ladder == LADDER


# -- the rungs' instants ----------------------------------------------------------------


def test_each_rung_is_reached_at_its_exact_instant() -> None:
    cal = Calendar()
    assert due_levels(LADDER, DEADLINE, 0, DEADLINE - SECOND, cal, TZ) == []
    assert due_levels(LADDER, DEADLINE, 0, DEADLINE, cal, TZ) == [1]
    assert due_levels(LADDER, DEADLINE, 1, at(24) - SECOND, cal, TZ) == []
    assert due_levels(LADDER, DEADLINE, 1, at(24), cal, TZ) == [2]
    assert due_levels(LADDER, DEADLINE, 2, at(72) - SECOND, cal, TZ) == []
    assert due_levels(LADDER, DEADLINE, 0, at(72), cal, TZ) == [1, 2, 3]
    assert due_levels(LADDER, DEADLINE, 3, at(1000), cal, TZ) == []


def test_a_working_day_rung_counts_the_official_calendar() -> None:
    # CONTRACT 2's example: 2026-09-30 10:00 plus 5 working days is 2026-10-14T00:00+08:00
    # (the National Day holiday and the make-up Saturday 2026-10-10 as the calendar says)
    deadline = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    reached = datetime(2026, 10, 14, 0, 0, tzinfo=TZ)
    wd = parse_ladder("1:5wd")
    assert due_levels(wd, deadline, 0, reached - SECOND, Calendar(), TZ) == []
    assert due_levels(wd, deadline, 0, reached, Calendar(), TZ) == [1]


# -- ticks against SQL and Redis ----------------------------------------------------------


@pytest.fixture
def ladder_settings(settings):
    return settings.with_(escalation_ladder=LADDER)


def _incident(engine, ident: str, deadline: datetime = DEADLINE, *more: dict) -> None:
    first = reported(ident, (deadline - timedelta(days=1)).isoformat(), deadline=deadline)
    apply_entries(engine, [first, *more], deadline)


def _tick(engine, r, settings, now: datetime) -> int | None:
    return ladder.tick(engine, r, settings, Calendar(), now, "test")


def _sent(r, settings) -> list[dict[str, str]]:
    return [
        {k.decode(): v.decode() for k, v in fields.items()}
        for _, fields in r.xrange(settings.stream_key)
    ]


def _ingest(engine, r, settings, now: datetime) -> None:
    """Apply what the ladder added, as ingest would."""
    apply_entries(engine, _sent(r, settings), now)


def _level(engine, ident: str) -> int:
    with engine.connect() as conn:
        query = select(Incident.escalation_level).where(Incident.id == ident)
        return conn.execute(query).scalar_one()


def test_each_rung_is_one_system_event_even_before_ingest_applies_it(
    engine, redis_client, ladder_settings
) -> None:
    r, cfg = redis_client, ladder_settings
    _incident(engine, "INC-1")
    assert _tick(engine, r, cfg, DEADLINE - SECOND) == 0
    assert _tick(engine, r, cfg, DEADLINE) == 1
    assert _sent(r, cfg) == [
        {
            "event_id": "ladder:INC-1:1",
            "entity": "incident",
            "id": "INC-1",
            "status": "escalated",
            "ts": "2026-11-20T10:00:00+08:00",
            "actor": "system",
            "level": "1",
        }
    ]
    # the next ticks, before ingest applied it (the level in SQL is still 0): nothing more
    assert _tick(engine, r, cfg, DEADLINE + 5 * SECOND) == 0
    assert _tick(engine, r, cfg, at(23)) == 0
    _ingest(engine, r, cfg, at(23))
    assert _level(engine, "INC-1") == 1
    assert _tick(engine, r, cfg, at(24) - SECOND) == 0
    assert _tick(engine, r, cfg, at(24)) == 1
    assert _tick(engine, r, cfg, at(80)) == 1  # level 2 not yet applied: only rung 3
    _ingest(engine, r, cfg, at(80))
    assert _tick(engine, r, cfg, at(200)) == 0
    assert [e["event_id"] for e in _sent(r, cfg)] == [f"ladder:INC-1:{n}" for n in (1, 2, 3)]
    assert _level(engine, "INC-1") == 3


def test_one_process_acts_per_tick(engine, redis_client, ladder_settings) -> None:
    _incident(engine, "INC-1")
    assert _tick(engine, redis_client, ladder_settings, at(1)) == 1
    assert _tick(engine, redis_client, ladder_settings, at(1) + SECOND) is None  # same tick


def test_a_case_past_several_rungs_gets_each_in_order(
    engine, redis_client, ladder_settings
) -> None:
    _incident(engine, "INC-1")
    _incident(engine, "INC-2", at(81))  # not due yet
    assert _tick(engine, redis_client, ladder_settings, at(80)) == 3
    levels = [e["level"] for e in _sent(redis_client, ladder_settings)]
    assert levels == ["1", "2", "3"]


def test_a_level_raised_by_hand_is_kept(engine, redis_client, ladder_settings) -> None:
    cfg = ladder_settings.with_(escalation_ladder=parse_ladder("1:0h,2:24h,3:72h,4:96h"))
    manual = entry("INC-1", "escalated", at(-2).isoformat(), level=3, actor="duty-officer")
    _incident(engine, "INC-1", DEADLINE, manual)
    assert _level(engine, "INC-1") == 3
    for hours in (0, 24, 72, 95):
        assert _tick(engine, redis_client, cfg, at(hours)) == 0
    assert _tick(engine, redis_client, cfg, at(96)) == 1
    assert [e["level"] for e in _sent(redis_client, cfg)] == ["4"]
    _ingest(engine, redis_client, cfg, at(96))
    assert _level(engine, "INC-1") == 4


def test_only_open_incidents_climb(engine, redis_client, ladder_settings) -> None:
    closed = entry("INC-1", "closed", at(-1).isoformat())
    late = entry("INC-2", "resolved", at(30).isoformat())
    _incident(engine, "INC-1", DEADLINE, closed)
    _incident(engine, "INC-2", DEADLINE)
    apply_entries(engine, [late], at(30))
    assert _tick(engine, redis_client, ladder_settings, at(100)) == 0
    assert _sent(redis_client, ladder_settings) == []


def test_no_ladder_when_unset(engine, redis_client, settings) -> None:
    _incident(engine, "INC-1")
    assert settings.escalation_ladder == ()
    assert _tick(engine, redis_client, settings, at(100)) is None
    assert _sent(redis_client, settings) == []


def _overdue_entry(ident: str, deadline: datetime) -> dict:
    return reported(ident, (deadline - timedelta(hours=2)).isoformat(), deadline=deadline)


@pytest.mark.parametrize("ladder_text", ["", "1:0h,2:0.5h"])
def test_ingest_runs_the_ladder_only_when_set(db_url, settings, redis_client, ladder_text) -> None:
    cfg = settings.with_(escalation_ladder=parse_ladder(ladder_text))
    publish(redis_client, cfg.stream_key, [_overdue_entry("INC-1", clock.now() - 3600 * SECOND)])
    ingest = fast_ingest(cfg)
    try:
        drain(ingest)  # its first tick came before the incident was applied
        until = time.monotonic() + ladder.TICK_SECONDS + 1  # so a later tick sees it
        while time.monotonic() < until:
            ingest.step()
        drain(ingest)
    finally:
        ingest.close()
    engine = make_engine(db_url)
    assert _level(engine, "INC-1") == (2 if ladder_text else 0)
    assert redis_client.xlen(cfg.stream_key) == (3 if ladder_text else 1)


# -- two real ingest processes ----------------------------------------------------------


@pytest.mark.slow
def test_two_ingest_processes_and_two_web_hosts_add_each_rung_once(
    db_url, settings, redis_client, tmp_path, monkeypatch
):
    """Real subprocesses on one stream, every one configured with the ladder: an incident
    long overdue (both rungs at once) and one crossing both rungs while they run; exactly
    one event per rung, within 60 s."""
    monkeypatch.setenv("CC_ESCALATION_LADDER", "1:0h,2:0.003h")  # rung 2 10.8 s late
    procs = [
        ingest_process(settings, tmp_path / f"ingest{i}.log", "--block-ms", "100") for i in range(2)
    ]
    webs = []
    try:
        webs = [web_process(settings, free_port(), tmp_path / f"web{i}.log") for i in range(2)]
        wait_for(lambda: len(redis_client.xinfo_consumers(settings.stream_key, "ingest")) == 2,
                 60, what="two consumers")  # fmt: skip
        soon = clock.now() + 3 * SECOND
        old = _overdue_entry("INC-OLD", clock.now() - 3600 * SECOND)
        publish(redis_client, settings.stream_key, [old, _overdue_entry("INC-NEW", soon)])
        engine = make_engine(db_url)
        wait_for(lambda: _level(engine, "INC-NEW") == 2, 60, what="INC-NEW at level 2")
        reached = clock.now()
        time.sleep(2 * ladder.TICK_SECONDS)  # a few more ticks by both processes
    finally:
        for web in webs:
            stop_process_group(web)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
    assert [p.returncode for p in procs] == [0, 0]
    escalated = [e for e in _sent(redis_client, settings) if e["status"] == "escalated"]
    expected = {f"ladder:{i}:{n}" for i in ("INC-OLD", "INC-NEW") for n in (1, 2)}
    assert sorted(e["event_id"] for e in escalated) == sorted(expected)  # each once
    assert {e["actor"] for e in escalated} == {"system"}
    assert reached - (soon + timedelta(hours=0.003)) < 60 * SECOND
    assert _level(engine, "INC-OLD") == 2
    logs = [(tmp_path / f"ingest{i}.log").read_text() for i in range(2)]
    assert not any("Traceback" in log for log in logs), logs


def test_sql_narrows_working_day_rungs_without_losing_one(
    engine, redis_client, ladder_settings
) -> None:
    # deadline 2026-09-30 10:00; 5 working days later is 2026-10-14T00:00+08:00, 13.6
    # days on: read as a candidate from 4 days on, escalated only at that instant
    cfg = ladder_settings.with_(escalation_ladder=parse_ladder("1:5wd"))
    deadline = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    reached = datetime(2026, 10, 14, 0, 0, tzinfo=TZ)
    _incident(engine, "INC-1", deadline)
    with engine.connect() as conn:
        assert ladder.candidates(conn, cfg.escalation_ladder, deadline + timedelta(days=3)) == []
        assert len(ladder.candidates(conn, cfg.escalation_ladder, reached - SECOND)) == 1
    assert _tick(engine, redis_client, cfg, reached - SECOND) == 0
    assert _tick(engine, redis_client, cfg, reached) == 1


def test_each_rung_is_read_through_an_open_index_on_its_levels(engine) -> None:
    """The open statuses must reach SQL as literals and the levels as equalities, or no
    partial index on the open incidents can serve the query and every tick scans them:
    the plan reads the ladder's index, or the open incidents' index (which holds the level
    too since migration 0024), with the levels among the index's conditions."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.startswith("SELECT"):
            statements.append((statement, parameters))

    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if not sqlite:  # a tiny table: make the planner use an index whenever it can
            conn.exec_driver_sql("SET enable_seqscan = off")
        event.listen(conn, "before_cursor_execute", capture)
        ladder.candidates(conn, parse_ladder("2:0h,5:24h"), at(1))
        event.remove(conn, "before_cursor_execute", capture)
        assert len(statements) == 2
        for statement, parameters in statements:
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = conn.exec_driver_sql(explain + statement, parameters)
            plan = [str(row) for row in rows]
            assert any(name in plan[0] for name in OPEN_INDEXES), plan
            conditions = plan[0] if sqlite else " ".join(p for p in plan if "Index Cond" in p)
            assert "escalation_level" in conditions, plan


def test_the_timeline_names_the_ladders_actor_in_the_pages_language() -> None:
    from dashboard.components.timeline import timeline
    from data_access.masterdata import Catalog
    from tests.test_dispute_page import _text

    fields = ladder.escalated_fields("INC-1", 2, DEADLINE, Settings())
    event = {**fields, "ts": DEADLINE}
    assert "系统" in _text(timeline([event], Catalog({}), "zh", TZ, True))
    assert "system" not in _text(timeline([event], Catalog({}), "zh", TZ, True))
    assert "By: system" in _text(timeline([event], Catalog({}), "en", TZ, True))
