"""Splitting a window into whole months and edge days, for the monthly summaries."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from data_access.months import split

DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))


@given(DAYS, st.integers(min_value=0, max_value=800))
def test_pieces_cover_the_window_once_in_order(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    covered = []
    for monthly, first, last in split(start, end):
        if monthly:
            assert first.day == 1 and last.day == 1
            last = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        covered += [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert covered == [start + timedelta(days=i) for i in range(length + 1)]


def test_whole_months_come_from_the_monthly_pieces() -> None:
    assert split(date(2026, 1, 1), date(2026, 11, 26)) == [
        (True, date(2026, 1, 1), date(2026, 10, 1)),
        (False, date(2026, 11, 1), date(2026, 11, 26)),
    ]
    assert split(date(2026, 10, 28), date(2026, 11, 26)) == [
        (False, date(2026, 10, 28), date(2026, 11, 26))
    ]
    assert split(date(2026, 2, 1), date(2026, 2, 28)) == [
        (True, date(2026, 2, 1), date(2026, 2, 1))
    ]
