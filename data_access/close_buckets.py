"""Buckets of time to close, for the exact median through a histogram.

The median of a long window sorts every incident it closed (80,000 a year in the demo
county, millions at scale). Instead, worker.summaries counts closed incidents per
reported day and bucket of time to close, and data_access.kpis finds the bucket that
holds the middle rank from those counts, then sorts only that bucket's incidents, found
through an index on the time to close. Buckets are narrow where most incidents close
(ten minutes up to two days), wider after; the same function files a row in ingest,
in the rebuild and in the reader, so the counts and the reader's rows always agree.
"""

from __future__ import annotations

from datetime import datetime

FINE_SECONDS, FINE_UNTIL = 600, 48 * 3600
HOUR_SECONDS, HOURLY_UNTIL = 3600, 30 * 86400
DAY_SECONDS = 86400
FINE_BUCKETS = FINE_UNTIL // FINE_SECONDS
HOURLY_BUCKETS = (HOURLY_UNTIL - FINE_UNTIL) // HOUR_SECONDS
LAST = FINE_BUCKETS + HOURLY_BUCKETS + 3 * 365  # open-ended: everything after ~3 years


def bucket(seconds: float) -> int:
    """The bucket of a time to close (negative times, from clock skew, go in the first)."""
    if seconds < FINE_UNTIL:
        return max(0, int(seconds // FINE_SECONDS))
    if seconds < HOURLY_UNTIL:
        return FINE_BUCKETS + int((seconds - FINE_UNTIL) // HOUR_SECONDS)
    days = int((seconds - HOURLY_UNTIL) // DAY_SECONDS)
    return min(LAST, FINE_BUCKETS + HOURLY_BUCKETS + days)


def bucket_of(reported_at: datetime, closed_at: datetime) -> int:
    return bucket((closed_at - reported_at).total_seconds())


def bounds(b: int) -> tuple[float | None, float | None]:
    """[low, high) seconds of bucket `b`; None where it is open-ended."""
    if b < FINE_BUCKETS:
        low, high = b * FINE_SECONDS, (b + 1) * FINE_SECONDS
    elif b < FINE_BUCKETS + HOURLY_BUCKETS:
        low = FINE_UNTIL + (b - FINE_BUCKETS) * HOUR_SECONDS
        high = low + HOUR_SECONDS
    else:
        low = HOURLY_UNTIL + (b - FINE_BUCKETS - HOURLY_BUCKETS) * DAY_SECONDS
        high = low + DAY_SECONDS
    return (None if b == 0 else float(low)), (None if b == LAST else float(high))
