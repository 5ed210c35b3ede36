"""The wall read from six metres: type sizes in its figures, a ticker that says which
case and where, the worst alerts first, a ranking in the order of its figure, rates of
few cases shown as counts, a map with a key and towns, and no English in zh."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from callbacks.wall_figures import (
    LABEL_PX,
    MAP_PX,
    alert_rows,
    map_legend,
    ranking_rows,
    rate_text,
    today_tiles,
    trend_figure,
)
from common.config import Settings
from dashboard.components.format import short_town
from dashboard.components.grid_map import (
    class_ranges,
    grid_map_figure,
    town_labels,
    town_outlines,
)
from dashboard.live_push import ticker_items
from data_access.case_places import case_places
from data_access.kpis import Filters
from data_access.masterdata import Catalog
from data_access.ranking import rank
from data_access.wall import wall_alerts
from tests.factories import TZ, accepted, apply_entries, entry, reported

NAMES = Catalog(
    {
        ("town", "Chengdong"): ("城东街道", "Chengdong Subdistrict"),
        ("town", "Xiaying"): ("夏营镇", "Xiaying Town"),
        ("grid", "CD-001"): ("春晖社区第1网格", "Chunhui Grid 1"),
        ("category", "road_damage"): ("道路破损", "Road damage"),
        ("dispute_kind", "neighbour"): ("邻里纠纷", "Neighbour"),
        ("incident_status", "closed"): ("已办结", "Closed"),
        ("dispute_status", "mediated"): ("调解成功", "Mediated"),
    }
)


def _texts(component) -> list[str]:
    """Every string in a Dash component tree."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [s for c in component for s in _texts(c)]
    children = getattr(component, "children", None)
    return [] if children is None else _texts(children)


def test_trend_type_is_sized_for_distance_and_doubles_at_4k():
    for scale in (1, 2):
        layout = trend_figure([3] * 24, [2] * 24, "zh", scale).layout
        assert layout.font.size >= 24 * scale
        assert layout.xaxis.tickfont.size >= 24 * scale
        assert layout.yaxis.tickfont.size >= 24 * scale
        assert layout.legend.font.size >= 24 * scale


def test_wall_map_names_towns_at_wall_size():
    grids = [
        {"code": "A", "town": "Chengdong", "ring": [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],
         "center": [0.5, 0.5]},
        {"code": "B", "town": "Xiaying", "ring": [[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]],
         "center": [1.5, 0.5]},
    ]  # fmt: skip
    fig = grid_map_figure(grids, {"A": 3}, {}, True, 2, "zh", {"Chengdong": "城东街道"}, LABEL_PX)
    towns = fig.data[-1]
    assert list(towns.text) == ["城东街道", "Xiaying"] and towns.textfont.size == 48
    assert fig.data[1].textfont.size == 48  # the hotspots' labels
    xs, _ = town_outlines(grids)
    assert len([x for x in xs if x is None]) == 7  # six county edges and the shared one


def test_map_key_names_the_counts_of_each_colour():
    assert class_ranges({"A": 0, "B": 1, "C": 100}) == [(0, 0, 0), (1, 1, 1), (6, 100, 100)]
    assert "件数" in _texts(map_legend({"A": 4}, "zh"))


def test_ticker_names_the_case_and_place_of_an_event_that_carries_only_an_id():
    events = [
        {"entity": "incident", "id": "INC-1", "status": "closed", "ts": "2026-12-01T08:00"},
        {"entity": "dispute", "id": "DSP-1", "status": "mediated", "ts": "2026-12-01T07:00"},
    ]
    places = {
        ("incident", "INC-1"): {"what": "road_damage", "town": "Chengdong", "grid": "CD-001"},
        ("dispute", "DSP-1"): {"what": "neighbour", "town": "Xiaying", "grid": None},
    }
    rows = ticker_items(events, NAMES, "zh", places)
    assert [(r["town"], r["what"], r["status"]) for r in rows] == [
        ("城东", "道路破损", "已办结"),  # the town's short name: the wall's type is large
        ("夏营", "邻里纠纷", "调解成功"),
    ]
    assert rows[0]["grid"] == "春晖社区第1网格"
    acknowledged = {**events[0], "status": "acknowledged"}
    assert [r["urgent"] for r in ticker_items([acknowledged, *events], NAMES, "zh", places)] == [
        True,
        False,
        False,
    ]  # the wall draws an acknowledgement past its render throttle (assets/wall.js)


def test_case_places_reads_what_and_where_from_the_cases(engine):
    now = datetime(2026, 12, 1, 12, tzinfo=TZ)
    apply_entries(
        engine,
        [
            reported("INC-1", "2026-12-01T08:00", town="Chengdong", category="road_damage",
                     grid="CD-001"),
            accepted("DSP-1", "2026-12-01T08:00", town="Xiaying"),
        ],
        now,
    )  # fmt: skip
    assert case_places(engine, ["INC-1", "INC-none"], ["DSP-1"]) == {
        ("incident", "INC-1"): {"what": "road_damage", "town": "Chengdong", "grid": "CD-001",
                                "department": None},
        ("dispute", "DSP-1"): {"what": "neighbour", "town": "Xiaying", "grid": None,
                               "department": None},
    }  # fmt: skip


def test_alerts_put_nobodys_first_and_say_who_took_the_others(engine):
    """The duty officer's queue: the unacknowledged most overdue first, each with its
    colour as a shape and a word and how long, then the acknowledged ones with who and
    when; the header counts each colour and the unacknowledged."""
    now = datetime(2026, 12, 1, 12, tzinfo=TZ)
    entries = [
        reported(f"INC-{days}", (now - timedelta(days=days + 1)).isoformat(), town="Chengdong",
                 deadline=(now - timedelta(days=days, hours=1)).isoformat())
        for days in (0, 45, 3, 1)
    ]  # fmt: skip
    entries.append(entry("INC-45", "acknowledged", (now - timedelta(hours=1)).isoformat(),
                         actor="值班员13912345678"))  # fmt: skip
    apply_entries(engine, entries, now)
    data = wall_alerts(engine, Settings(), now, Filters())
    assert [r["id"] for r in data["items"]] == ["INC-3", "INC-1", "INC-0", "INC-45"]
    panel = alert_rows(data, 3, NAMES, "zh", TZ)
    texts = _texts(panel)
    assert "■" in texts and "红色" in texts and "▲" in texts and "黄色" in texts
    assert "超期 45 天" in texts and "城东 · sanitation" in texts
    assert "⚑ 未认领 3" in texts and "■ 红色 3" in texts and "▲ 黄色 1" in texts
    assert "✓ 值班员139****5678 11:00 认领" in texts  # masked, local time
    rows = panel.children[1].children
    assert "wall-alert--unacknowledged" in rows[0].className
    assert "wall-alert--unacknowledged" not in rows[-1].className
    english = _texts(alert_rows(data, 3, NAMES, "en", TZ))
    assert "⚑ 3 unacknowledged" in english and "Red" in english


def test_ranking_is_in_the_order_of_the_figure_it_shows():
    towns = [
        {"key": "Chengdong", "closed": 3, "received": 3, "closure_rate": 1.0},
        {"key": "Xiaying", "closed": 90, "received": 100, "closure_rate": 0.9},
    ]
    ranked, unranked = rank(towns, "closed", "received")
    texts = _texts(ranking_rows(ranked, [], "town", NAMES, "zh"))
    shown = [int(s[1:-1]) for s in texts if s.startswith("≥") and s.endswith("%")]
    assert shown == sorted(shown, reverse=True) and len(shown) == 2
    assert texts.index("夏营") < texts.index("城东")  # 90 of 100 above 3 of 3


def test_a_rate_of_few_cases_shows_its_count():
    few = {"satisfaction_rate": 1.0, "satisfied": 3, "rated": 3}
    assert rate_text(few, "satisfaction_rate", "zh") == ("3/3 件", True)
    many = {"satisfaction_rate": 0.9, "satisfied": 18, "rated": 20}
    assert rate_text(many, "satisfaction_rate", "zh") == ("90.0%", False)


def _figures(received: int, closed: int) -> dict:
    incidents = {
        "received": received, "closed": closed, "closure_rate": closed / received,
        "due": received, "on_time": closed, "on_time_rate": closed / received,
        "rated": received, "satisfied": closed, "satisfaction_rate": closed / received,
    }  # fmt: skip
    disputes = {
        "accepted": 40, "mediated": 30, "adjudicated": 2, "failed": 4, "litigation": 1,
        "resolution_rate": 0.8, "mediation_success_rate": 30 / 37,
    }  # fmt: skip
    return {"incidents": incidents, "disputes": disputes}


def test_no_english_in_zh_tiles():
    compared = {"basis": "yesterday", **_figures(40, 30)}
    texts = _texts(today_tiles(_figures(50, 40), compared, "zh"))
    assert any("个百分点" in s for s in texts)
    assert not any("pt" in s for s in texts)


def test_no_english_in_zh_ticker_statuses():
    event = entry("INC-9", "closed", "2026-12-01T08:00")
    (row,) = ticker_items([event], NAMES, "zh", {})
    assert row["status"] == "已办结"


@pytest.mark.parametrize(
    ("name", "lang", "short"),
    [
        ("城东街道", "zh", "城东"),
        ("夏营镇", "zh", "夏营"),
        ("新镇", "zh", "新镇"),  # one character would be left: kept whole
        ("Chengdong Subdistrict", "en", "Chengdong"),
        ("Xiaying Town", "en", "Xiaying"),
        ("Binjiang", "en", "Binjiang"),
    ],
)
def test_short_town_drops_the_kind_of_town(name, lang, short):
    assert short_town(name, lang) == short


def test_wall_map_spreads_town_names_that_would_overlap_and_keeps_counts_clear():
    """Two towns whose centres are closer than their names are long: one name moves above
    or below; a hotspot's count is placed clear of both names."""
    ring = lambda x: [[x, 0], [x + 0.1, 0], [x + 0.1, 1], [x, 1], [x, 0]]  # noqa: E731
    grids = [
        {"code": "A", "town": "Chengxi", "ring": ring(0.9), "center": [0.95, 0.5]},
        {"code": "B", "town": "Chengdong", "ring": ring(1.0), "center": [1.05, 0.5]},
        {"code": "C", "town": "Far", "ring": ring(0.0), "center": [0.05, 0.5]},
    ]
    names = {"Chengxi": "城西", "Chengdong": "城东", "Far": "远"}
    trace, boxes = town_labels(grids, names, LABEL_PX, MAP_PX)
    assert trace["y"][0] != trace["y"][1]  # the close pair: one moved up or down
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1])
    fig = grid_map_figure(grids, {"A": 5}, {}, True, 1, "zh", names, LABEL_PX, MAP_PX)
    assert list(fig.data[1].text) == ["5"]  # the count stays (the browser test measures)
