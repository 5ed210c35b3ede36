"""The work order's own figures (CONTRACT section 2, second edition), hand-computed on both
databases, as of now and as of an earlier instant, through the summaries' path and straight
from `incidents`: a holiday inside an extension, a make-up Saturday, an unknown-year
deadline, a return before the first sign, a merge then reopen, solved given on closed then
changed on visited. Sign limit 1wd, contact limit 24h (the defaults); times local
(Asia/Shanghai, 2026's calendar: National Day 1-7 October, make-up Saturday 10 October)."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlalchemy import func, select

from common import clock
from dashboard.openapi import document
from data_access import work_order
from data_access.as_of import RECENT
from data_access.db import make_engine
from data_access.incident_list import IncidentQuery, incident_page, incident_total
from data_access.kpis import (
    Filters,
    Window,
    incident_conditions,
    incident_figures,
    incident_figures_by,
    ranked_units,
)
from data_access.listing import Sort
from data_access.models import Incident, IncidentDaily
from data_access.schema import alembic_config, migrate
from tests.factories import TZ, apply_entries, entry, reported
from worker.summaries import SUMMARIES, rebuild


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ).astimezone(UTC)


WINDOW = Window(date(2026, 9, 28), date(2026, 10, 20))
NOW = local(2026, 10, 20, 12)
EARLIER = local(2026, 10, 16, 12)
FILTERS = (Filters(), Filters(towns=("T1",)), Filters(categories=("sanitation",)))

ENTRIES = [
    # A: signed and contacted at once; extended by 5 working days over National Day (its
    # 30 Sep 10:00 deadline becomes 14 Oct 00:00), closed 13 Oct: on time, solved
    reported("A", "2026-09-30T09:00:00", deadline="2026-09-30T10:00:00"),
    entry("A", "dispatched", "2026-09-30T09:10:00", department="D1"),
    entry("A", "signed", "2026-09-30T09:30:00"),
    entry("A", "extended", "2026-09-30T09:45:00", working_days=5),
    entry("A", "contacted", "2026-09-30T11:00:00"),
    entry("A", "closed", "2026-10-13T18:00:00", satisfaction=5, solved="true"),
    # B: dispatched Friday 9 Oct, 1 working day is the make-up Saturday (due 11 Oct 00:00):
    # signed Sunday is late
    reported("B", "2026-10-09T09:00:00"),
    entry("B", "dispatched", "2026-10-09T10:00:00", department="D1"),
    entry("B", "contacted", "2026-10-09T12:00:00"),
    entry("B", "signed", "2026-10-11T09:00:00"),
    entry("B", "closed", "2026-10-12T09:00:00"),
    # C: returned before its first sign, dispatched again, signed on time; never contacted
    reported("C", "2026-10-12T08:00:00"),
    entry("C", "dispatched", "2026-10-12T08:30:00", department="D1"),
    entry("C", "returned", "2026-10-12T09:00:00", reason="not ours"),
    entry("C", "dispatched", "2026-10-12T10:00:00", department="D2"),
    entry("C", "signed", "2026-10-12T11:00:00"),
    # D: merged, reopened (no closing before: not a reopen), closed, reopened (one)
    reported("D", "2026-10-14T08:00:00"),
    entry("D", "merged", "2026-10-14T09:00:00", into="A"),
    entry("D", "reopened", "2026-10-14T10:00:00"),
    entry("D", "closed", "2026-10-15T10:00:00"),
    entry("D", "reopened", "2026-10-15T12:00:00"),
    # E: solved on closing, then not solved on the visit; contacted after its 24 h
    reported("E", "2026-10-16T08:00:00"),
    entry("E", "dispatched", "2026-10-16T08:10:00", department="D1"),
    entry("E", "signed", "2026-10-16T08:20:00"),
    entry("E", "closed", "2026-10-16T17:00:00", satisfaction=5, solved="true"),
    entry("E", "contacted", "2026-10-17T09:00:00"),
    entry("E", "visited", "2026-10-17T10:00:00", satisfaction=2, solved="false"),
    # F: an extension after its deadline changes nothing; never signed nor contacted
    reported("F", "2026-10-18T08:00:00", deadline="2026-10-18T12:00:00"),
    entry("F", "dispatched", "2026-10-18T08:05:00", department="D1"),
    entry("F", "extended", "2026-10-18T13:00:00", working_days=3),
    # G: dispatched this morning: neither limit has passed
    reported("G", "2026-10-20T09:00:00"),
    entry("G", "dispatched", "2026-10-20T09:30:00", department="D1"),
]
SHOWN = {
    # as of NOW: received A-G (7), closed A B E, closed once A B D E
    NOW: {
        "dispatched": 6, "sign_due": 5, "signed_on_time": 3, "timely_sign_rate": 3 / 5,
        "contact_due": 5, "contacted_in_time": 2, "contact_rate": 2 / 5,
        "returned": 1, "return_rate": 1 / 6, "extended": 1, "extension_rate": 1 / 7,
        "reopened": 1, "reopen_rate": 1 / 4,
        "solved_known": 2, "solved": 1, "solved_rate": 1 / 2, "duplicates": 0,
    },
    # as of 16 Oct 12:00: received A-E (5), closed A B (E closed at 17:00), closed once
    # A B D; E signed, not yet owed a contact
    EARLIER: {
        "dispatched": 4, "sign_due": 4, "signed_on_time": 3, "timely_sign_rate": 3 / 4,
        "contact_due": 3, "contacted_in_time": 2, "contact_rate": 2 / 3,
        "returned": 1, "return_rate": 1 / 4, "extended": 1, "extension_rate": 1 / 5,
        "reopened": 1, "reopen_rate": 1 / 3,
        "solved_known": 1, "solved": 1, "solved_rate": 1.0, "duplicates": 0,
    },
}  # fmt: skip


MIGRATED = (
    "sign_due_at", "contact_due_at", "returned_at", "extended_at", "reopened_at",
    "closed_once_at",
)  # fmt: skip


def figures(*args, **kwargs) -> dict:
    return incident_figures(*args, **kwargs, work_order=True)


def _rows(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r.id: r._asdict() for r in conn.execute(select(Incident))}


def test_the_rows_keep_the_instants_the_figures_read(engine):
    apply_entries(engine, ENTRIES, NOW)
    rows = _rows(engine)
    assert rows["A"]["deadline"] == local(2026, 10, 14)  # the contract's own example
    assert rows["A"]["sign_due_at"] == local(2026, 10, 9)  # 1 wd after 30 Sep: 8 Oct
    assert rows["A"]["extended_at"] == local(2026, 9, 30, 9, 45)
    assert rows["B"]["sign_due_at"] == local(2026, 10, 11)  # the make-up Saturday
    assert rows["B"]["contact_due_at"] == local(2026, 10, 10, 10)
    assert (rows["C"]["returned_at"], rows["C"]["signed_at"]) == (
        local(2026, 10, 12, 9),
        local(2026, 10, 12, 11),
    )
    assert rows["D"]["status"] == "reopened" and rows["D"]["merged_into"] is None
    assert (rows["D"]["closed_once_at"], rows["D"]["reopened_at"]) == (
        local(2026, 10, 15, 10),
        local(2026, 10, 15, 12),
    )
    assert rows["E"]["solved"] is False
    assert (rows["F"]["extended_at"], rows["F"]["extensions"]) == (None, 0)


def test_figures_as_of_now_and_earlier(engine):
    apply_entries(engine, ENTRIES, NOW)
    for at, expected in SHOWN.items():
        as_of = None if at == NOW else at
        for filters in FILTERS:
            for fast in (True, False):
                found = figures(engine, WINDOW, filters, NOW, as_of=as_of, use_summaries=fast)
                assert {k: found[k] for k in expected} == expected, (at, filters, fast)
        assert "closed_once" not in figures(engine, WINDOW, Filters(), NOW, as_of=as_of)


def test_breakdowns_carry_the_figures(engine):
    apply_entries(engine, ENTRIES, NOW)
    for use_summaries in (True, False):
        by = incident_figures_by(
            engine,
            "department",
            WINDOW,
            Filters(),
            NOW,
            use_summaries=use_summaries,
            work_order=True,
        )
        by = {r["key"]: r for r in by}
        # C ends with D2 (its latest dispatch); D was never dispatched
        assert (by["D2"]["returned"], by["D2"]["return_rate"], by["D2"]["sign_due"]) == (1, 1.0, 1)
        assert (by["D1"]["dispatched"], by["D1"]["sign_due"], by["D1"]["signed_on_time"]) == (
            5,
            4,
            2,
        )
        assert by[None]["dispatched"] == 0 and by[None]["reopened"] == 1
    plain = incident_figures_by(engine, "department", WINDOW, Filters(), NOW)
    assert "dispatched" not in plain[0]  # only those who show them pay for them


def test_through_the_summaries_as_of_random_instants_equals_the_rows(engine):
    """The summaries count each row by its eventual state and the rows settled after the
    instant are corrected: equal to the window's rows read directly, as of instants that
    cut through every event (now anywhere, the instant up to RECENT before it, or up to
    a month before it: the window's last days and its rows slow to settle)."""
    apply_entries(engine, ENTRIES + MERGED, NOW)
    chance = random.Random(1603)
    start = local(2026, 9, 30)
    span = (NOW + timedelta(days=1) - start).total_seconds()
    windows = (WINDOW, Window(date(2026, 10, 12), date(2026, 10, 16)))
    for _ in range(40):
        now = start + timedelta(seconds=chance.uniform(0, span))
        before = RECENT if chance.random() < 0.5 else timedelta(days=30)
        as_of = now - timedelta(seconds=chance.uniform(0, before.total_seconds()))
        for window in windows:
            for filters in FILTERS[:2]:
                args = (engine, window, filters, now)
                fast, rows = (figures(*args, as_of=as_of, use_summaries=u) for u in (True, False))
                assert fast == rows, (now, as_of, window, filters)
                by = (
                    incident_figures_by(
                        engine, "department", *args[1:], as_of=as_of, use_summaries=u,
                        work_order=True,
                    )
                    for u in (True, False)
                )  # fmt: skip
                assert next(by) == next(by), (now, as_of, window, filters)


def _ids(engine, condition) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(Incident.id).where(condition)).scalars())


def test_signed_late_and_not_contacted(engine):
    apply_entries(engine, ENTRIES, NOW)
    received = incident_conditions(WINDOW, NOW, 24.0)["received"]
    assert _ids(engine, work_order.signed_late(received, NOW)) == {"B", "F"}
    assert _ids(engine, work_order.not_contacted(received, NOW)) == {"C", "F"}
    received = incident_conditions(WINDOW, EARLIER, 24.0)["received"]
    assert _ids(engine, work_order.signed_late(received, EARLIER)) == {"B"}
    assert _ids(engine, work_order.not_contacted(received, EARLIER)) == {"C"}


def test_a_deadline_in_an_unknown_year_counts_monday_to_friday(engine):
    """2027 is unknown to the package: New Year's Day (a Friday) is a working day, so a
    sign the afternoon of 1 January is within 1 working day of a 31 December dispatch."""
    now = local(2027, 1, 4, 12)
    apply_entries(
        engine,
        [
            reported("H", "2026-12-31T09:00:00"),
            entry("H", "dispatched", "2026-12-31T10:00:00", department="D1"),
            entry("H", "signed", "2027-01-01T15:00:00"),
        ],
        now,
    )
    assert _rows(engine)["H"]["sign_due_at"] == local(2027, 1, 2)
    window = Window(date(2026, 12, 31), date(2027, 1, 4))
    for use_summaries in (True, False):
        found = figures(engine, window, Filters(), now, use_summaries=use_summaries)
        owed = (found["sign_due"], found["signed_on_time"], found["timely_sign_rate"])
        assert owed == (1, 1, 1.0)


def test_the_migration_fills_the_instants_as_the_fold_does(db_url, engine):
    apply_entries(engine, ENTRIES, NOW)
    folded = _rows(engine)
    command.downgrade(alembic_config(db_url), "0014")
    migrate(db_url)
    filled = _rows(engine)
    for ident, row in folded.items():
        for name in (*MIGRATED, "settled_at"):
            assert filled[ident][name] == row[name], (ident, name)
    assert filled["A"]["extended_at"] is not None and filled["C"]["returned_at"] is not None


CONTRACT_KEYS = [
    "dispatched",
    "sign_due",
    "signed_on_time",
    "timely_sign_rate",
    "contact_due",
    "contacted_in_time",
    "contact_rate",
    "returned",
    "return_rate",
    "extended",
    "extension_rate",
    "reopened",
    "reopen_rate",
    "solved_known",
    "solved",
    "solved_rate",
    "duplicates",
]


def test_api_kpis_and_openapi_give_the_contracts_figures(client, auth_header, settings):
    engine = make_engine(settings.database_url)
    now = clock.now()
    start = (now.astimezone(settings.tz) - timedelta(hours=3)).replace(tzinfo=None)

    def ago(hours: float) -> str:
        return (start + timedelta(hours=hours)).isoformat(timespec="seconds")

    apply_entries(
        engine,
        [
            reported("K-1", ago(0)),
            entry("K-1", "dispatched", ago(0.5), department="D1"),
            entry("K-1", "returned", ago(1), reason="wrong department"),
            entry("K-1", "dispatched", ago(1.5), department="D2"),
            entry("K-1", "signed", ago(2)),
        ],
        now,
    )
    engine.dispose()
    body = client.get("/api/v1/kpis", headers=auth_header).get_json()["incidents"]
    assert set(CONTRACT_KEYS) <= set(body)
    assert "closed_once" not in body
    assert (body["dispatched"], body["sign_due"], body["signed_on_time"]) == (1, 1, 1)
    assert (body["returned"], body["return_rate"], body["contact_due"]) == (1, 1.0, 0)
    assert (body["contact_rate"], body["reopen_rate"], body["solved_rate"]) == (None, None, None)
    schema = document()["components"]["schemas"]["IncidentFigures"]
    assert set(CONTRACT_KEYS) <= set(schema["required"])
    assert [k for k in schema["properties"] if k in CONTRACT_KEYS] == CONTRACT_KEYS


MERGED = [
    reported("M", "2026-10-19T08:00:00"),
    entry("M", "merged", "2026-10-19T09:00:00", into="A"),
]


def test_the_lists_filter_by_the_work_orders_states_and_sets(engine):
    apply_entries(engine, ENTRIES + MERGED, NOW)

    def listed(**query) -> set[str]:
        q = IncidentQuery(**query)
        page = incident_page(engine, q, NOW, 24.0, Sort("id"), "en", 0, 100)
        assert incident_total(engine, q, NOW, 24.0) == len(page)
        return {r["id"] for r in page}

    assert listed(work=("returned",)) == {"C"}
    assert listed(work=("merged",)) == {"M"}
    assert listed(work=("extended",)) == {"A"}
    assert listed(work=("signed_late",)) == {"B", "F"}
    assert listed(work=("not_contacted",)) == {"C", "F"}
    assert listed(work=("returned", "extended")) == {"A", "C"}  # any of
    assert listed(work=("signed_late",), filters=Filters(departments=("D2",))) == set()
    # each tile's set lists exactly the cases its figure counts
    found = figures(engine, WINDOW, Filters(), NOW)
    for name in work_order.SETS:
        cases = listed(sets=(name,), window=WINDOW)
        if name == "signed_late":
            assert len(cases) == found["sign_due"] - found["signed_on_time"]
        elif name == "not_contacted":
            assert cases == {"C", "F"}
        elif name == "closed_once":  # reopen_rate's denominator, not shown itself
            assert cases == {"A", "B", "D", "E"}
        else:
            assert len(cases) == found[name], name


def test_the_export_has_the_work_orders_columns(signed_in_client, settings):
    engine = make_engine(settings.database_url)
    now = clock.now()
    start = (now.astimezone(settings.tz) - timedelta(hours=3)).replace(tzinfo=None)
    at = start.isoformat(timespec="seconds")
    apply_entries(
        engine,
        [
            reported("X-1", at),
            entry("X-1", "dispatched", at, department="D1"),
            entry("X-1", "returned", at, reason="wrong department"),
            entry("X-1", "closed", at, solved="false"),
            reported("X-2", at),
        ],
        now,
    )
    engine.dispose()
    client = signed_in_client("leader")
    response = client.get("/export/incidents.csv?work=returned&lang=zh")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    header, *body = list(csv.reader(io.StringIO(text[1:])))
    assert [r[0] for r in body] == ["X-1"]
    row = dict(zip(header, body[0], strict=True))
    assert (row["退回次数"], row["延期次数"], row["实际解决"], row["签收时间"]) == (
        "1",
        "0",
        "未解决",
        "",
    )
    assert client.get("/export/incidents.csv?work=lost").status_code == 400


def _summaries(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for summary in SUMMARIES:
            rows = conn.execute(select(summary.model.__table__)).all()
            out[summary.table] = sorted(tuple(r) for r in rows if any(r[len(summary.keys) :]))
    return out


def test_incremental_summaries_equal_a_rebuild_with_the_new_events(engine):
    entries = ENTRIES + MERGED
    shuffled = random.Random(16).sample(entries, len(entries))  # late, out of order
    for start in range(0, len(shuffled), 7):
        apply_entries(engine, shuffled[start : start + 7], NOW)
    incremental = _summaries(engine)
    assert incremental["incident_daily"], "the events must have produced counts"
    with engine.connect() as conn:
        daily = conn.execute(select(func.sum(IncidentDaily.dispatched))).scalar_one()
    assert daily == 6, "the work order's counts are in the summaries"
    rebuild(engine)
    assert _summaries(engine) == incremental
    assert figures(engine, WINDOW, Filters(), NOW)["returned"] == 1


def test_departments_rank_on_timely_signing_and_returns(engine):
    apply_entries(engine, ENTRIES, NOW)
    signing = ranked_units(engine, "department", "timely_sign", WINDOW, Filters(), NOW)
    assert [(r["key"], r["numerator"], r["denominator"]) for r in signing["ranked"]] == [
        ("D2", 1, 1),  # C, signed on time after its return
        ("D1", 2, 4),  # A and E on time; B late, F unsigned past its limit
    ]
    returns = ranked_units(engine, "department", "return", WINDOW, Filters(), NOW, units=("D3",))
    assert {r["key"]: r["rate"] for r in returns["ranked"]} == {"D1": 0.0, "D2": 1.0}
    assert returns["ranked"][0]["key"] == "D1" and returns["no_cases"] == ["D3"]
