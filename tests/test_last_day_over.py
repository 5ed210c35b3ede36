"""The last deadline day over in every time zone (data_access.kpis.last_day_over): the
summaries answer up to it, `incidents` after it, so it must never be a day still running
somewhere, and should be no earlier than the zone furthest behind UTC allows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from data_access.kpis import last_day_over

ZONES = ["Etc/GMT+12", "America/Los_Angeles", "UTC", "Asia/Shanghai", "Pacific/Kiritimati"]
FURTHEST_BEHIND = ZoneInfo("Etc/GMT+12")  # UTC-12 (the sign of Etc names is inverted)


def _end(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)


def test_the_day_is_over_everywhere_and_the_next_is_not_over_in_utc_minus_12():
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for minutes in range(0, 3 * 24 * 60, 7):
        at = start + timedelta(minutes=minutes)
        day = last_day_over(at)
        assert all(_end(day, ZoneInfo(z)) <= at for z in ZONES), at
        assert _end(day + timedelta(days=1), FURTHEST_BEHIND) > at, at
