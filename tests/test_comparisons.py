"""Comparisons at equal age (CONTRACT section 2, second edition), on both databases: a
comparison window is computed as of now - L, and the wall and the leader page compare
through the same function, so they show the same change at the same moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from callbacks import leader_data, mediation_data
from callbacks.wall_figures import today_tiles
from common.scope import COUNTY
from dashboard.components.kpi_tiles import INCIDENT_TILES, tile
from dashboard.components.kpi_tiles import Links as TileLinks
from dashboard.links import View
from data_access.kpis import Filters, Window, incident_figures
from data_access.wall import wall_data
from tests.factories import TZ, accepted, apply_entries, entry, reported

NOW = datetime(2026, 12, 2, 17, 30, tzinfo=TZ).astimezone(UTC)
MONTH_AGO = NOW - timedelta(days=30)  # 2026-11-02 17:30: 30 Nov less 31 Oct before now
YEAR_AGO = NOW - timedelta(days=365)  # 2025-12-02 17:30
OCTOBER = Window(date(2026, 10, 1), date(2026, 10, 31))


def _county(engine) -> None:
    """October (last month's previous period) holds O1-O5; as of 2 Nov 17:30 O3 and O4
    were still open (closed 20 and 25 Nov), so closed 2 of 5 then, 4 of 5 now. November
    holds N1; November 2025 (last year) Y1, closed after 2 Dec 2025. A dispute of 30 Oct
    was mediated on 10 Nov. 1 and 2 December: what the wall and "today" compare."""
    apply_entries(
        engine,
        [
            reported("O1", "2026-10-10T09:00:00+08:00"),
            entry("O1", "closed", "2026-10-12T09:00:00+08:00", satisfaction=5),
            reported("O2", "2026-10-30T09:00:00+08:00"),
            entry("O2", "closed", "2026-11-01T10:00:00+08:00", satisfaction=2),
            reported("O3", "2026-10-31T20:00:00+08:00"),  # normal: due 3 Nov 20:00
            entry("O3", "closed", "2026-11-20T10:00:00+08:00", satisfaction=5),
            reported("O4", "2026-10-05T09:00:00+08:00"),  # due 8 Oct: overdue on 2 Nov
            entry("O4", "closed", "2026-11-25T10:00:00+08:00", satisfaction=5),
            reported("O5", "2026-10-20T09:00:00+08:00"),  # due 23 Oct, still open
            reported("N1", "2026-11-10T09:00:00+08:00"),
            entry("N1", "closed", "2026-11-11T09:00:00+08:00"),
            reported("Y1", "2025-11-15T09:00:00+08:00"),
            entry("Y1", "closed", "2025-12-20T09:00:00+08:00"),
            accepted("D1", "2026-10-30T09:00:00+08:00"),
            entry("D1", "mediated", "2026-11-10T09:00:00+08:00", entity="dispute"),
            reported("Y", "2026-12-01T09:00:00+08:00"),  # closed after 1 Dec 17:30
            entry("Y", "closed", "2026-12-01T20:00:00+08:00"),
            reported("T", "2026-12-02T08:00:00+08:00"),
            entry("T", "closed", "2026-12-02T10:00:00+08:00"),
        ],
        NOW,
    )


def test_previous_period_is_computed_as_of_now_less_the_gap(engine, settings):
    """上月 on 2 December: November against October as of 2 Nov 17:30, and against
    November 2025 as of 2 Dec 2025 17:30; as of now they read differently (the old
    basis, under which every older window looked better)."""
    _county(engine)
    found = leader_data.tiles_data.__wrapped__(engine, settings, View(period="last_month"), NOW)
    assert found["window"] == Window(date(2026, 11, 1), date(2026, 11, 30))
    previous, last_year = found["comparisons"]
    assert (previous["basis"], previous["window"], previous["as_of"]) == (
        "previous_month",
        OCTOBER,
        MONTH_AGO,
    )
    inc = previous["incidents"]
    assert (inc["received"], inc["closed"], inc["closure_rate"]) == (5, 2, 0.4)
    assert (inc["rated"], inc["satisfied"], inc["satisfaction_rate"]) == (2, 1, 0.5)
    assert inc["overdue_open"] == 2  # O4 and O5 past their deadlines on 2 Nov
    assert inc["median_hours_to_close"] == 48.5  # O1 48 h, O2 49 h
    assert previous["disputes"]["accepted"] == 1
    assert previous["disputes"]["resolution_rate"] == 0.0  # mediated only on 10 Nov
    as_of_now = incident_figures(engine, OCTOBER, Filters(), NOW)
    assert (as_of_now["closed"], as_of_now["overdue_open"]) == (4, 1)
    assert (last_year["basis"], last_year["as_of"]) == ("last_year", YEAR_AGO)
    assert last_year["window"] == Window(date(2025, 11, 1), date(2025, 11, 30))
    assert (last_year["incidents"]["received"], last_year["incidents"]["closed"]) == (1, 0)
    mediation = mediation_data.tiles_data.__wrapped__(
        engine, settings, View(period="last_month"), NOW
    )
    assert mediation["comparisons"][0]["disputes"] == previous["disputes"]
    assert mediation["comparisons"][0]["as_of"] == MONTH_AGO


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wall_and_leader_today_give_the_same_comparison(engine, settings, lang):
    """At one moment the wall's tiles and the leader page's "today" tiles compare with
    yesterday as of this time yesterday, and say so in the same words."""
    _county(engine)
    wall = wall_data(engine, settings, NOW, COUNTY)
    leader = leader_data.tiles_data.__wrapped__(engine, settings, View(period="today"), NOW)
    previous = leader["comparisons"][0]
    assert previous["basis"] == wall["compared"]["basis"] == "yesterday"
    assert previous["as_of"] == NOW - timedelta(days=1)
    for family in ("incidents", "disputes"):  # the leader's also has the work order's
        wall_figures = wall["compared"][family]
        assert wall_figures == {k: previous[family][k] for k in wall_figures}
    assert "return_rate" in previous["incidents"]
    # Y was reported at 09:00 and closed at 20:00 on 1 Dec: open at 17:30 that day
    assert previous["incidents"]["closure_rate"] == 0.0
    assert leader["current"]["incidents"]["closure_rate"] == 1.0

    # the same tile on both says the same change in the same words (a count: the wall
    # shows a rate of fewer than 20 cases as its count, with no change)
    received = next(s for s in INCIDENT_TILES if s.name == "received")
    links = TileLinks(leader["window"], Filters(), lang)
    compared = tuple((c["basis"], c["incidents"]) for c in leader["comparisons"])
    leader_tile = tile(received, leader["current"]["incidents"], lang, links, compared)
    leader_text = leader_tile.children[2].children  # a count: label, value, then changes
    wall_tiles = today_tiles(wall["today"], wall["compared"], lang)
    wall_text = wall_tiles[0].children[2].children
    assert wall_text == leader_text
    assert ("较昨日同时" if lang == "zh" else "vs same time yesterday") in wall_text
