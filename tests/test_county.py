"""The demo county's geometry and master data, and their load into SQL."""

from __future__ import annotations

import filecmp
import random
from datetime import date, datetime

import chinese_calendar
import pytest

from common.config import PROJECT_ROOT
from common.workdays import Limit, load_calendar, missing_next_year
from data_access.masterdata import grid_geometries, load_catalog, load_masterdata, load_sla
from demo.county import (
    CALENDAR_EXAMPLE_YEAR,
    build_county,
    load_model,
    ring_area,
    write_county,
)
from demo.history import SHANGHAI, point_in_ring

SHIPPED = PROJECT_ROOT / "masterdata"


@pytest.fixture(scope="module")
def county():
    return build_county()


def test_grids_tile_the_county_without_gaps_or_overlaps(county):
    rings = [g["geometry"]["coordinates"][0] for g in county.master.grids]
    outline = county.master.county["outline"]
    areas = [ring_area(ring) for ring in rings]
    assert 280 <= len(rings) <= 330
    assert min(areas) > 0  # every ring counter-clockwise and non-degenerate
    assert sum(areas) == pytest.approx(ring_area(outline), rel=1e-6)
    boxes = [
        (min(p[0] for p in r), min(p[1] for p in r), max(p[0] for p in r), max(p[1] for p in r))
        for r in rings
    ]
    x0, y0, x1, y1 = county.master.county["bounds"]
    rng = random.Random(7)
    for _ in range(3000):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        hits = sum(
            1
            for ring, (a, b, c, d) in zip(rings, boxes, strict=True)
            if a <= x <= c and b <= y <= d and point_in_ring(x, y, ring)
        )
        assert hits == (1 if point_in_ring(x, y, outline) else 0), (x, y)


def test_every_grid_belongs_to_a_town_and_community(county):
    master = county.master
    towns = {t["code"] for t in master.towns}
    communities = {c["code"]: c["town"] for c in master.communities}
    codes = [g["code"] for g in master.grids]
    assert len(towns) == 12 and len(set(codes)) == len(codes)
    assert {t["kind"] for t in master.towns} == {"street", "town"}
    for grid in master.grids:
        assert grid["town"] in towns
        assert communities[grid["community"]] == grid["town"]
        assert 300 <= grid["households"] <= 500
    assert {g["town"] for g in master.grids} == towns
    assert 35 <= len(master.departments) <= 60


def test_shipped_masterdata_is_the_generated_county(county, tmp_path):
    write_county(county, tmp_path)
    names = sorted(p.name for p in SHIPPED.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert {"sla.csv", "calendar.csv"} <= set(names)
    match, mismatch, errors = filecmp.cmpfiles(SHIPPED, tmp_path, names, shallow=False)
    assert not mismatch and not errors


def test_model_reads_the_shipped_files():
    model = load_model(SHIPPED)
    assert len(model.grids) == 306
    assert model.channels.items[0] == "hotline_12345"
    assert model.sla.hours("water_power", "urgent") == 4
    assert model.sla.hours("sanitation", "normal") == 5 * 24 * 7 / 5  # 5wd, paced
    assert model.department_table("sanitation", "Xiaying").items  # '@town' resolved
    assert "gov_xiaying" in model.department_table("neighbour", "Xiaying").items


def test_masterdata_loads_idempotently_and_names_codes(engine, tmp_path):
    def counts():
        with engine.connect() as conn:
            return [
                conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                for table in ("towns", "communities", "grids", "departments", "code_names")
            ]

    load_masterdata(engine, SHIPPED)
    first = counts()
    load_masterdata(engine, SHIPPED)
    assert counts() == first == [12, 86, 306, 46, first[4]]

    catalog = load_catalog(engine)
    assert catalog.name("town", "Chengdong", "zh") == "城东街道"
    assert catalog.name("town", "Chengdong", "en") == "Chengdong Subdistrict"
    assert catalog.name("channel", "hotline_12345", "zh").startswith("12345")
    assert catalog.name("department", "urban_mgmt", "en") == "Urban Management Bureau"
    assert catalog.name("mediation_type", "people", "zh") == "人民调解"
    assert catalog.name("category", "space_debris", "zh") == "space_debris"  # unknown: itself
    assert catalog.name("town", "Atlantis") == "Atlantis"
    assert catalog.county_name("zh") == "滨江县"
    assert catalog.county_name("en") == "Binjiang County"
    assert catalog.county_name("en", override="江阴市|Jiangyin") == "Jiangyin"
    assert catalog.county_name("zh", override="江阴市|Jiangyin") == "江阴市"
    assert catalog.county_name("en", override="Demo County") == "Demo County"

    sla = load_sla(engine)
    assert sla.limit("drainage", "urgent", "wechat") == Limit(4, "h")
    assert sla.limit("noise", "normal", "wechat") == Limit(3, "wd")
    assert sla.limit("wage_arrears", "normal", "wechat") == Limit(15, "wd")
    assert sla.limit("noise", "low", "wechat") == Limit(168, "h")  # the default

    shapes = grid_geometries(engine)
    assert len(shapes) == 306
    shape = shapes[0]
    assert shape.ring[0] == shape.ring[-1]
    assert point_in_ring(shape.center[1], shape.center[0], shape.ring)

    # a county's edited file updates names on the next load
    write_county(build_county(), tmp_path)
    towns = (tmp_path / "towns.csv").read_text(encoding="utf-8")
    (tmp_path / "towns.csv").write_text(towns.replace("城东街道", "城东新区"), encoding="utf-8")
    load_masterdata(engine, tmp_path)
    assert load_catalog(engine).name("town", "Chengdong", "zh") == "城东新区"


def test_the_demo_calendar_is_the_official_year_and_leaves_next_year_missing():
    """calendar.csv spells out 2026 as the State Council published it (so it changes no
    deadline) and has no 2027 row: the demo shows the missing-calendar warning."""
    cal = load_calendar(SHIPPED / "calendar.csv")
    assert {day.year for day in cal.county} == {CALENDAR_EXAMPLE_YEAR}
    assert cal.county[date(2026, 10, 1)] is False  # National Day
    assert cal.county[date(2026, 10, 10)] is True  # its make-up Saturday
    assert all(flag == chinese_calendar.is_workday(day) for day, flag in cal.county.items())
    assert missing_next_year(cal, date(2026, 12, 3))
    assert not missing_next_year(cal, date(2026, 11, 30))


def test_the_demo_sla_rules_follow_practice():
    sla = load_model(SHIPPED).sla
    assert sla.limit("noise", "urgent", "hotline_12345") == Limit(4, "h")
    assert sla.limit("noise", "high", "wechat") == Limit(1, "wd")
    assert sla.limit("noise", "normal", "hotline_12345") == Limit(5, "wd")
    assert sla.limit("noise", "normal", "wechat") == Limit(3, "wd")
    assert sla.limit("wage_arrears", "normal", "wechat") == Limit(15, "wd")
    # in working days over the calendar: reported the day before National Day
    reported = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    deadline = sla.deadline(reported, "noise", "normal", "hotline_12345", SHANGHAI)
    assert deadline == datetime(2026, 10, 14, 0, 0, tzinfo=SHANGHAI)
