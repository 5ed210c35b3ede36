"""The weekday x hour heatmap moves each (local day, UTC hour) group to its local hour
with the day's offset when the zone keeps one offset all day; that equals converting
each instant, in zones with and without daylight saving and with half-hour offsets."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from data_access.kpis import _instant_on_local_day, _steady_offset_minutes


@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
)
def test_steady_offset_gives_each_instants_local_hour(zone: str) -> None:
    tz = ZoneInfo(zone)
    steady = changing = 0
    for n in range(366):
        day = date(2025, 1, 1) + timedelta(days=n)
        offset = _steady_offset_minutes(day, tz)
        if offset is None:
            changing += 1
            continue
        steady += 1
        for utc_hour in range(24):
            exact = _instant_on_local_day(day, utc_hour, tz).astimezone(tz).hour
            assert (utc_hour * 60 + offset) // 60 % 24 == exact, (day, utc_hour)
    assert steady >= 364
    assert changing == (2 if zone in ("Europe/Berlin", "America/New_York") else 0)
