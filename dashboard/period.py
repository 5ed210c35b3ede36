"""The pages' periods as windows of local days, and the windows they are compared with.

Rolling periods (today, 7 and 30 days, custom) compare with the same number of days just
before; calendar periods (this month, this year) with the same days of the month or
year before (Nov 1-25 against Oct 1-25). Last year is the same dates a year earlier.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from data_access.kpis import Window

PERIODS = ("today", "7d", "30d", "month", "year", "custom")
DEFAULT_PERIOD = "30d"
MAX_CUSTOM_DAYS = 3660
# The days a window may hold: far wider than any county's history, and narrow enough that
# the windows compared with it (ten years earlier at most) and the instants bounding its
# days in any time zone stay within Python's and the databases' dates.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def period_window(period: str, today: date, start: date | None = None, end: date | None = None):
    """The window of a period ending today; a custom period needs start <= end, both within
    FIRST_DAY..LAST_DAY (else, like any bad period, the last 30 days)."""
    if period == "today":
        return Window(today, today)
    if period == "7d":
        return Window(today - timedelta(days=6), today)
    if period == "month":
        return Window(today.replace(day=1), today)
    if period == "year":
        return Window(today.replace(month=1, day=1), today)
    custom = period == "custom" and start and end and in_range(start) and in_range(end)
    if custom and 0 <= (end - start).days <= MAX_CUSTOM_DAYS:
        return Window(start, end)
    return Window(today - timedelta(days=29), today)


def _shift_months(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the target month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def previous_window(period: str, window: Window) -> Window:
    if period == "month":
        return Window(_shift_months(window.start, 1), _shift_months(window.end, 1))
    if period == "year":
        return last_year_window(window)
    days = (window.end - window.start).days + 1
    return Window(window.start - timedelta(days=days), window.start - timedelta(days=1))


def last_year_window(window: Window) -> Window:
    return Window(_shift_months(window.start, 12), _shift_months(window.end, 12))
