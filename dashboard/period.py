"""The pages' periods as windows of local days, and the unit each compares by.

Rolling periods (today, 7 and 30 days, custom) compare with the same number of days just
before; calendar periods with the previous calendar month, quarter or year (the same days
of it while the period is still running: Nov 1-25 against Oct 1-25); last year is the same
dates a year earlier; each as of the same age (data_access.comparisons).
"""

from __future__ import annotations

from datetime import date, timedelta

from data_access.comparisons import shift_months
from data_access.kpis import Window

PERIODS = (
    "today",
    "7d",
    "30d",
    "month",
    "last_month",
    "quarter",
    "last_quarter",
    "year",
    "custom",
)
DEFAULT_PERIOD = "30d"
MAX_CUSTOM_DAYS = 3660
UNITS = {
    "month": "month",
    "last_month": "month",
    "quarter": "quarter",
    "last_quarter": "quarter",
    "year": "year",
}


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


# The days a window may hold: far wider than any county's history, and narrow enough that
# the windows compared with it (ten years earlier at most) and the instants bounding its
# days in any time zone stay within Python's and the databases' dates.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def period_window(period: str, today: date, start: date | None = None, end: date | None = None):
    """The window of a period: up to today, or the last whole calendar month or quarter;
    a custom period needs start <= end, both within FIRST_DAY..LAST_DAY (else, like any
    bad period, the last 30 days)."""
    if period == "today":
        return Window(today, today)
    if period == "7d":
        return Window(today - timedelta(days=6), today)
    if period == "month":
        return Window(today.replace(day=1), today)
    if period == "last_month":
        first = today.replace(day=1)
        return Window(shift_months(first, 1), first - timedelta(days=1))
    if period == "quarter":
        return Window(_quarter_start(today), today)
    if period == "last_quarter":
        first = _quarter_start(today)
        return Window(shift_months(first, 3), first - timedelta(days=1))
    if period == "year":
        return Window(today.replace(month=1, day=1), today)
    custom = period == "custom" and start and end and in_range(start) and in_range(end)
    if custom and 0 <= (end - start).days <= MAX_CUSTOM_DAYS:
        return Window(start, end)
    return Window(today - timedelta(days=29), today)


def comparison_unit(period: str) -> str:
    """How a period finds its previous one: by calendar month, quarter or year, else by
    as many days just before (data_access.comparisons.previous_window)."""
    return UNITS.get(period, "day")
