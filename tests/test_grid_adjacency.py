"""Grids adjacent on the map (data_access.grid_adjacency) and duplicate candidates across
them (issue 19): hand-drawn squares, the demo county's polygons, the scorer's place, and
ingest finding a re-report coded to the neighbouring grid, also across a town boundary,
on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from common.config import PROJECT_ROOT
from common.duplicates import ADJACENT_GRID, SAME_GRID, THRESHOLD, place_score, report, score
from data_access.grid_adjacency import adjacency, grid_map
from data_access.masterdata import read_masterdata
from data_access.models import DuplicateCandidate, Grid
from data_access.sla import Sla
from tests.factories import TZ, reported
from worker.apply import apply_events
from worker.contract import parse_entry

D = 0.01  # about 1 km


def square(x: float, y: float, size: float = D) -> list[tuple[float, float]]:
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


LON, LAT = 120.3, 31.9
RINGS = {
    "A": square(LON, LAT),
    "B": square(LON + D, LAT),  # shares A's east edge
    "C": square(LON + 2 * D, LAT),  # B's east edge; not A's
    "K": square(LON + 3 * D, LAT + D),  # C's north-east corner only
    "N": [(LON + D / 2, LAT - D)] + square(LON + D / 2, LAT - D)[1:],  # A and B, half each
    # west of A, drawn by hand 2 m off A's edge: touches; 100 m off: does not
    "W": square(LON - D - 0.00002, LAT),
    "F": square(LON - D, LAT + 2 * D),
}


def test_touching_polygons_are_adjacent_and_only_those():
    found = adjacency(RINGS)
    assert found["A"] == {"B", "N", "W"}
    assert found["B"] == {"A", "C", "N"}
    assert found["C"] == {"B", "K"}
    assert found["K"] == {"C"}
    assert found["F"] == frozenset()
    assert all(a in found[b] for a in found for b in found[a])  # symmetric


def test_the_demo_county_grids_each_touch_a_few():
    grids = read_masterdata(PROJECT_ROOT / "masterdata").grids
    found = grid_map((g["code"], g["town"], g["geometry"]["coordinates"][0]) for g in grids)
    sizes = [len(v) for v in found.adjacent.values()]
    assert len(sizes) == len(grids) and min(sizes) >= 3 and max(sizes) <= 8
    grids_near, towns = found.around("CD-001")
    assert "CD-001" in grids_near and "CD-002" in grids_near and len(grids_near) == 9
    assert "Chengdong" in towns and len(towns) > 1  # it lies on a town boundary
    assert found.around(None) == ([], [])
    assert found.around("NOT-A-GRID") == (["NOT-A-GRID"], [])


def test_an_adjacent_grid_without_points_is_weaker_than_the_same_grid():
    assert place_score(None, False, adjacent_grid=True) == ADJACENT_GRID < SAME_GRID
    assert place_score(None, False) == 0
    assert place_score(400.0, False, adjacent_grid=True) == 0  # points decide when known
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    text = ("路面坑洼破损", "人民路与中山路交叉口路面坑洼破损，夜间通行存在隐患。")
    a = report("a", at, "A", None, None, *text, phone="13800001234")
    b = report("b", at + timedelta(hours=2), "B", None, None, *text)
    assert score(a, b).score == 0
    assert 0 < score(a, b, adjacent_grids=True).score < THRESHOLD  # not shown alone
    same_caller = report("c", at + timedelta(hours=2), "B", None, None, *text, "138-0000-1234")
    assert score(a, same_caller, adjacent_grids=True).score >= THRESHOLD


NOW = datetime(2026, 12, 1, 12, tzinfo=TZ).astimezone(UTC)
POTHOLE = {
    "title": "路面坑洼破损",
    "description": "市民来电反映：人民路路面坑洼破损，夜间通行存在隐患。",
}


def test_ingest_finds_a_re_report_coded_to_the_neighbouring_grid(engine):
    towns = {"A": "T1", "B": "T1", "C": "T1", "K": "T1", "N": "T2", "W": "T1", "F": "T1"}
    rows = [
        {"code": code, "town": towns[code], "name_zh": code, "name_en": code,
         "geometry": json.dumps({"type": "Polygon", "coordinates": [ring]})}
        for code, ring in RINGS.items()
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Grid), rows)

    def said(ident: str, hours: float, grid: str, town: str = "T1", **more) -> dict:
        at = (NOW + timedelta(hours=hours)).astimezone(TZ).isoformat()
        return reported(ident, at, town=town, grid=grid, **POTHOLE, **more)

    phone = {"reporter_phone": "13800001234"}
    entries = [
        said("A1", -5, "A", **phone),
        said("B1", -4, "B", **phone),  # the next grid, the same caller: shown
        said("N1", -3, "N", town="T2", **phone),  # adjacent, across the town boundary
        said("C1", -3, "C", **phone),  # next to B, two grids from A: B1's only
        said("F1", -2, "F", **phone),  # far
        said("B2", -1, "B"),  # another caller: B1's in its grid; A1's next door is too weak
    ]
    events = [parse_entry(f"{i + 1}-0", e, TZ, NOW) for i, e in enumerate(entries)]
    apply_events(engine, events, Sla(), TZ, NOW, duplicates_from=THRESHOLD)
    with engine.connect() as conn:
        found = {(r.incident_id, r.candidate_id) for r in conn.execute(select(DuplicateCandidate))}
    assert found == {("B1", "A1"), ("N1", "A1"), ("N1", "B1"), ("C1", "B1"), ("B2", "B1")}


def test_the_plant_can_code_re_reports_without_points_to_the_next_grid():
    from bench.duplicate_plant import planted

    plain, truth = planted(seed=7, incidents=300, days=7, share=0.3, now=NOW)
    moved, same_truth = planted(
        seed=7, incidents=300, days=7, share=0.3, now=NOW, neighbour_share=1
    )
    assert same_truth == truth and len(moved) == len(plain)
    grids = read_masterdata(PROJECT_ROOT / "masterdata").grids
    around = grid_map((g["code"], g["town"], g["geometry"]["coordinates"][0]) for g in grids)
    recoded = [(a, b) for a, b in zip(plain, moved, strict=True) if a != b]
    assert recoded, "some re-reports have no point"
    for a, b in recoded:
        assert "lat" not in a and a["actor"] == "re-report"
        assert b["grid"] in around.adjacent[a["grid"]] and b["town"] == around.towns[b["grid"]]
        assert {k: v for k, v in b.items() if k not in ("grid", "town")} == {
            k: v for k, v in a.items() if k not in ("grid", "town")
        }
