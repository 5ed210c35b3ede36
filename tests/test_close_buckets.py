"""The median's buckets of time to close: every time falls inside its bucket's bounds,
and the buckets are ordered like the times."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from data_access.close_buckets import LAST, bounds, bucket

SECONDS = st.floats(min_value=-86400 * 2, max_value=86400 * 365 * 5, allow_nan=False)


@given(SECONDS)
def test_a_time_lies_within_its_bucket(seconds: float) -> None:
    b = bucket(seconds)
    low, high = bounds(b)
    assert 0 <= b <= LAST
    assert low is None or low <= seconds
    assert high is None or seconds < high


@given(SECONDS, SECONDS)
def test_buckets_keep_the_order_of_times(a: float, b: float) -> None:
    if a <= b:
        assert bucket(a) <= bucket(b)


def test_buckets_tile_the_line_without_gaps() -> None:
    for b in range(LAST):
        assert bounds(b)[1] == bounds(b + 1)[0]
    assert bounds(0)[0] is None and bounds(LAST)[1] is None
