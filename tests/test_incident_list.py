"""The incident and dispute lists' query on both databases: filters, sorting, paging, and
the click-through guarantee (each KPI set lists exactly the cases kpis.py counts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from dashboard.list_rows import alert_text
from data_access.alert_list import alerts
from data_access.dispute_list import DisputeQuery, dispute_page, dispute_total
from data_access.incident_list import (
    KPI_SETS,
    IncidentQuery,
    incident_counts_by,
    incident_page,
    incident_total,
)
from data_access.kpis import Filters, Window, backlog, dispute_figures, incident_figures
from data_access.listing import Sort
from data_access.models import Town
from tests.factories import TZ, apply_entries, entry, reported
from tests.small_county import seed_small_county

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=TZ).astimezone(UTC)
DAY = date(2026, 11, 25)


BY_ID = Sort("id")


def ids(engine, q: IncidentQuery, sort: Sort = BY_ID, lang: str = "en") -> list[str]:
    return [r["id"] for r in incident_page(engine, q, NOW, 24.0, sort, lang, 0, 1000)]


@pytest.fixture
def county(engine):
    """Six incidents with known answers (12:00 local now, deadlines set explicitly)."""
    apply_entries(
        engine,
        [
            # A: closed on time, satisfied, town T1
            reported("A", "2026-11-24T08:00:00", town="T1", deadline="2026-11-24T20:00:00"),
            entry("A", "dispatched", "2026-11-24T08:10:00", department="D1"),
            entry("A", "closed", "2026-11-24T18:00:00", satisfaction=5),
            # B: closed late, unhappy, T2
            reported("B", "2026-11-23T08:00:00", town="T2", deadline="2026-11-23T12:00:00"),
            entry("B", "dispatched", "2026-11-23T08:10:00", department="D2"),
            entry("B", "closed", "2026-11-24T09:00:00", satisfaction=2),
            # C: open, 50 h overdue, escalated twice, urgent, T1
            reported(
                "C", "2026-11-22T08:00:00", town="T1", priority="urgent",
                deadline="2026-11-23T10:00:00",
            ),
            entry("C", "dispatched", "2026-11-22T08:30:00", department="D2"),
            entry("C", "escalated", "2026-11-24T09:00:00", level=2),
            # D: open, due in 6 h, low, T2, never dispatched
            reported("D", "2026-11-25T09:00:00", town="T2", priority="low",
                     deadline="2026-11-25T18:00:00"),
            # E: rejected
            reported("E", "2026-11-25T09:00:00", town="T1"),
            entry("E", "rejected", "2026-11-25T09:30:00"),
            # F: open, 2 h overdue, high, reported in October
            reported("F", "2026-10-01T08:00:00", town="T3", priority="high",
                     category="noise", channel="wechat", deadline="2026-11-25T10:00:00"),
        ],
        NOW,
    )  # fmt: skip
    return engine


FILTER_CASES = [
    (IncidentQuery(), ["A", "B", "C", "D", "E", "F"]),
    (IncidentQuery(filters=Filters(towns=("T1", "T3"))), ["A", "C", "E", "F"]),
    (IncidentQuery(filters=Filters(departments=("D2",))), ["B", "C"]),
    (IncidentQuery(filters=Filters(categories=("noise",))), ["F"]),
    (IncidentQuery(filters=Filters(channels=("wechat",))), ["F"]),
    (IncidentQuery(priorities=("urgent", "high")), ["C", "F"]),
    (IncidentQuery(statuses=("closed",)), ["A", "B"]),
    (IncidentQuery(reported_from=date(2026, 11, 23)), ["A", "B", "D", "E"]),
    (IncidentQuery(reported_to=date(2026, 11, 22)), ["C", "F"]),
    (
        IncidentQuery(deadline_from=date(2026, 11, 24), deadline_to=date(2026, 11, 24)),
        ["A"],
    ),
    (IncidentQuery(timeliness="on_time"), ["A"]),
    (IncidentQuery(timeliness="late"), ["B", "C", "F"]),
    (IncidentQuery(satisfaction=("4", "5")), ["A"]),
    (IncidentQuery(satisfaction=("2", "none")), ["B", "C", "D", "E", "F"]),
    (IncidentQuery(overdue=("lt1d",)), ["F"]),
    (IncidentQuery(overdue=("1to3d", "3to7d")), ["C"]),
    (IncidentQuery(overdue=("gt7d",)), []),
    (IncidentQuery(escalated=True), ["C"]),
    (IncidentQuery(escalated=False), ["A", "B", "D", "E", "F"]),
    (IncidentQuery(backlog="overdue"), ["C", "F"]),
    (IncidentQuery(backlog="due_soon"), ["D"]),
    (IncidentQuery(backlog="open"), ["C", "D", "F"]),
    (IncidentQuery(sets=("backlog_overdue", "backlog_due_soon")), ["C", "D", "F"]),
    (IncidentQuery(id_prefix="%"), []),
    (IncidentQuery(id_prefix="C"), ["C"]),
    (IncidentQuery(filters=Filters(towns=("T1",)), backlog="overdue"), ["C"]),
]


def test_filters(county):
    for query, expected in FILTER_CASES:
        assert ids(county, query) == expected, query
        assert incident_total(county, query, NOW, 24.0) == len(expected)


def test_kpi_sets_over_a_window(county):
    window = Window(date(2026, 11, 23), DAY)

    def listed(*sets):
        return ids(county, IncidentQuery(sets=sets, window=window))

    assert listed("received") == ["A", "B", "D"]
    assert listed("closed") == ["A", "B"]
    assert listed("due") == ["A", "B", "C", "F"]
    assert listed("on_time") == ["A"]
    assert listed("late") == ["B", "C", "F"]
    assert listed("satisfied") == ["A"] and listed("rated") == ["A", "B"]
    assert listed("overdue_open") == [] and listed("due_soon") == ["D"]
    assert listed("closed", "due_soon") == ["A", "B", "D"]


def test_sorting(county, engine):
    with engine.begin() as conn:
        conn.execute(
            insert(Town),
            [
                {"code": "T1", "name_zh": "乙镇", "name_en": "Zeta", "kind": "town", "sort": 0},
                {"code": "T2", "name_zh": "甲镇", "name_en": "Alpha", "kind": "town", "sort": 1},
            ],
        )
    assert ids(county, IncidentQuery(), Sort("priority")) == ["C", "F", "A", "B", "E", "D"]
    # by the name in the page's language; a code without a name sorts as itself (T3)
    assert ids(county, IncidentQuery(), Sort("town"), "en") == ["B", "D", "F", "A", "C", "E"]
    assert ids(county, IncidentQuery(), Sort("town", True), "en") == ["E", "C", "A", "F", "D", "B"]
    # empty values last in both directions
    assert ids(county, IncidentQuery(), Sort("department"))[-3:] == ["D", "E", "F"]
    assert ids(county, IncidentQuery(), Sort("department", True))[-3:] == ["F", "E", "D"]
    overdue = IncidentQuery(backlog="overdue")
    assert ids(county, overdue, Sort("hours_overdue", True)) == ["C", "F"]
    assert ids(county, IncidentQuery(), Sort("reported_at", True)) == ["E", "D", "A", "B", "C", "F"]
    with pytest.raises(ValueError):
        ids(county, IncidentQuery(), Sort("title; drop table incidents"))


def test_pages_cover_the_list_once(county):
    sort = Sort("town")
    pages = [
        incident_page(county, IncidentQuery(), NOW, 24.0, sort, "en", i, i + 4) for i in (0, 4)
    ]
    assert [len(p) for p in pages] == [4, 2]
    assert [r["id"] for r in pages[0] + pages[1]] == ids(county, IncidentQuery(), sort)


def test_counts_by_department_and_town(county):
    overdue = IncidentQuery(backlog="overdue")
    assert incident_counts_by(county, overdue, NOW, 24.0, "department") == [("D2", 1), (None, 1)]
    assert incident_counts_by(county, overdue, NOW, 24.0, "town") == [("T1", 1), ("T3", 1)]


def test_every_kpi_set_lists_what_kpis_counts(engine):
    """The click-through guarantee, on a seeded county, whole and narrowed to one town."""
    now = datetime.now(UTC)
    seed_small_county(engine, now)
    today = now.astimezone(TZ).date()
    window = Window(today - timedelta(days=13), today)
    town = ids_of_towns(engine, now)[0]
    for filters in (Filters(), Filters(towns=(town,))):
        # the definition itself (the tiles' daily summaries are proven equal to it elsewhere)
        figures = incident_figures(engine, window, filters, now, use_summaries=False)
        counted = {
            s: incident_total(engine, IncidentQuery(filters, sets=(s,), window=window), now, 24.0)
            for s in KPI_SETS
        }
        expected = {s: figures[s] for s in KPI_SETS if s != "late"}
        expected["late"] = figures["due"] - figures["on_time"]
        assert counted == expected
        assert counted["received"] > 0 and counted["due"] > 0
        now_backlog = backlog(engine, filters, now)
        for name in ("open", "overdue", "due_soon"):  # the backlog's listable sets
            value = now_backlog[name]
            q = IncidentQuery(filters, sets=(f"backlog_{name}",))
            assert incident_total(engine, q, now, 24.0) == value
            assert incident_total(engine, IncidentQuery(filters, backlog=name), now, 24.0) == value
        towns = filters.towns
        disputes = dispute_figures(engine, window, towns, now)
        unions = {"resolved": ("mediated", "adjudicated")}
        unions["decided"] = (*unions["resolved"], "failed", "litigation")
        for name in ("accepted", "mediated", "adjudicated", "failed", "litigation", "withdrawn"):
            q = DisputeQuery(towns=towns, sets=(name,), window=window)
            assert dispute_total(engine, q, now) == disputes[name]
        q = DisputeQuery(towns=towns, sets=("pending",), window=window)
        assert dispute_total(engine, q, now) == disputes["pending"]
        for name, members in unions.items():
            total = sum(disputes[m] for m in members)
            q = DisputeQuery(towns=towns, sets=members, window=window)
            assert dispute_total(engine, q, now) == total
            assert (
                dispute_total(engine, DisputeQuery(towns=towns, sets=(name,), window=window), now)
                == total
            )


def ids_of_towns(engine, now) -> list[str]:
    rows = incident_counts_by(engine, IncidentQuery(), now, 24.0, "town")
    return [town for town, _ in rows]


def test_dispute_list_filters_and_sorts(engine):
    apply_entries(
        engine,
        [
            entry("X", "accepted", "2026-11-24T08:00:00", entity="dispute", town="T1",
                  kind="neighbour", mediation_type="people"),
            entry("X", "mediated", "2026-11-24T10:00:00", entity="dispute"),
            entry("Y", "accepted", "2026-11-25T08:00:00", entity="dispute", town="T2",
                  kind="land"),
        ],
        NOW,
    )  # fmt: skip
    sort = Sort("accepted_at", True)

    def listed(q: DisputeQuery) -> list[str]:
        return [r["id"] for r in dispute_page(engine, q, NOW, sort, "en", 0, 100)]

    assert listed(DisputeQuery()) == ["Y", "X"]
    assert listed(DisputeQuery(towns=("T1",))) == ["X"]
    assert listed(DisputeQuery(kinds=("land",))) == ["Y"]
    assert listed(DisputeQuery(statuses=("mediated",))) == ["X"]
    assert listed(DisputeQuery(mediation_types=("people",))) == ["X"]
    assert listed(DisputeQuery(accepted_from=DAY)) == ["Y"]
    assert listed(DisputeQuery(sets=("pending",), window=Window(DAY, DAY))) == ["Y"]


def test_grid_rows_carry_the_title_masked_for_every_role(county):
    from zoneinfo import ZoneInfo

    from dashboard.list_rows import incident_grid_row
    from data_access.masterdata import Catalog

    rows = incident_page(county, IncidentQuery(), NOW, 24.0, BY_ID, "en", 0, 10)
    assert rows and all("title" in r for r in rows)
    row = {**rows[0], "title": "路灯不亮，联系13800001234"}
    shown = incident_grid_row(row, Catalog({}), "zh", ZoneInfo("Asia/Shanghai"), NOW)
    assert shown["title"] == "路灯不亮，联系138****1234"


def test_each_row_carries_its_alert_colour(county):
    """The list shows the alert colour (CONTRACT 2, Alerts) by the alerts' own definition."""
    rows = incident_page(county, IncidentQuery(), NOW, 24.0, BY_ID, "en", 0, 1000, 24.0)
    listed = {r["id"]: r["colour"] for r in rows}
    _total, _counts, items = alerts(county, Filters(), NOW, 24.0, 24.0, limit=1000)
    assert {i["id"]: i["colour"] for i in items} == {k: v for k, v in listed.items() if v}
    assert any(v is None for v in listed.values())
    assert alert_text("red", "zh") == "■ 红色预警" and alert_text(None, "zh") == ""
