"""Deadlines read in the unit of their rule (CONTRACT 2): in working days where the
incident's SLA rule is `Nwd` ("超期 2 个工作日", "1 working day left"), in clock time
(the browser's countdown, assets/incidents.js) where it is `Nh`.

A count of working days is `working_days_within`: the working days after the earlier
instant's local day up to the later one's, so a deadline at the end of Friday reads
"overdue, under 1 working day" over the weekend and "1 working day overdue" on Monday.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from common.vocabulary import OPEN_STATUSES
from common.workdays import Calendar, working_days_within
from dashboard.i18n import t
from dashboard.list_rows import epoch_ms
from data_access.sla import Sla

MARK_DAYS = 7  # how far ahead the browser's clock gets its texts (a page redraws sooner)
_JUST_AFTER = timedelta(microseconds=1)  # 00:00 belongs to the day it ends


def in_working_days(sla: Sla, row: dict) -> bool:
    """Whether the incident's SLA rule is in working days."""
    return sla.limit(row["category"], row["priority"], row["channel"]).unit == "wd"


def counted(key: str, n: int, lang: str) -> str:
    """`key` with n working days: its `_under` text for 0, `_one` for 1."""
    if n == 0:
        return t(f"{key}_under", lang)
    return t(f"{key}_one", lang) if n == 1 else t(key, lang, n=n)


def wd_text(cal: Calendar, deadline: datetime, at: datetime, tz: ZoneInfo, lang: str) -> str:
    """An open deadline as of `at`: working days overdue (from the deadline on) or left."""
    if at >= deadline:
        return counted("sla.wd_overdue", working_days_within(cal, deadline, at, tz), lang)
    return counted("sla.wd_left", working_days_within(cal, at, deadline, tz), lang)


def wd_late_text(
    cal: Calendar, deadline: datetime, closed_at: datetime, tz: ZoneInfo, lang: str
) -> str:
    return counted("sla.wd_closed_late", working_days_within(cal, deadline, closed_at, tz), lang)


def wd_marks(
    cal: Calendar, deadline: datetime, at: datetime, tz: ZoneInfo, lang: str, days: int = MARK_DAYS
) -> list[list]:
    """[[from epoch ms, text], ...]: the text as of `at` and again at each instant it may
    change over the next `days` days (the deadline passing, each local midnight), for the
    browser's clock to show the last one it has reached. Counted on from one mark to the
    next, so a deadline years past costs one long count, not one per mark."""
    start = at.astimezone(tz).date()
    midnights = [
        datetime.combine(start + timedelta(days=k), time(0), tz) + _JUST_AFTER
        for k in range(1, days + 1)
    ]
    points = sorted({at, *midnights, *([deadline] if at < deadline < midnights[-1] else [])})
    marks: dict[int, str] = {}
    over = left = None
    previous = at
    for point in points:
        if point >= deadline:
            over = (
                working_days_within(cal, deadline, point, tz)
                if over is None
                else over + working_days_within(cal, previous, point, tz)
            )
            marks[epoch_ms(point)] = counted("sla.wd_overdue", over, lang)
        else:
            left = (
                working_days_within(cal, point, deadline, tz)
                if left is None
                else left - working_days_within(cal, previous, point, tz)
            )
            marks[epoch_ms(point)] = counted("sla.wd_left", left, lang)
        previous = point
    return [[ms, text] for ms, text in marks.items()]


def row_marks(row: dict, sla: Sla, at: datetime, tz: ZoneInfo, lang: str) -> list[list] | None:
    """A list row's working-day texts (wd_marks) when it is open under a rule in working
    days, else None (the browser counts clock time)."""
    if row["status"] not in OPEN_STATUSES or not in_working_days(sla, row):
        return None
    return wd_marks(sla.calendar, row["deadline"], at, tz, lang)
