"""Working days (CONTRACT section 2) and the limits written `Nh` or `Nwd`.

A working day is a local day the official calendar of the PRC makes one: Monday to
Friday but statutory holidays, plus the weekend days declared make-up working days.
The years the `chinesecalendar` package knows come from it (it is updated every
November, when the State Council publishes the next year); the county's calendar file
(CC_CALENDAR, CSV `date,workday`) adds or corrects days and wins over it; a year neither
knows is Monday to Friday.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from chinese_calendar import constants as _package


def _package_years() -> frozenset[int]:
    days = [*_package.holidays, *_package.workdays]
    return frozenset(range(min(days).year, max(days).year + 1))


PACKAGE_YEARS = _package_years()
# The package's tables, read once: its own is_workday checks the date's range against
# min() and max() of every day it knows on each call, which made a deadline cost ~0.2 ms
# (most of the seeder's time). Same rule: a make-up day works, a holiday does not, else
# Monday to Friday.
_HOLIDAYS = frozenset(_package.holidays)
_MAKE_UP_DAYS = frozenset(_package.workdays)


@dataclass(frozen=True)
class Calendar:
    """The county's own days (date -> is a working day) over the package's years."""

    county: dict[date, bool] = field(default_factory=dict)
    package_years: frozenset[int] = PACKAGE_YEARS
    # year -> working days from 1 January up to each day of it (working_days_within)
    running: dict[int, list[int]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def known_years(self) -> frozenset[int]:
        return self.package_years | {day.year for day in self.county}


class CalendarError(ValueError):
    """A calendar file that cannot be used; the message names the file and the line."""


def load_calendar(path: Path | None) -> Calendar:
    """The package's calendar with the county's file (`date,workday`, 1 or 0) over it."""
    county: dict[date, bool] = {}
    if path is None or not path.exists():
        return Calendar(county)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or {"date", "workday"} - set(reader.fieldnames):
            raise CalendarError(f"{path}: the header must be 'date,workday'")
        for line, row in enumerate(reader, start=2):
            flag = (row["workday"] or "").strip()
            try:
                day = date.fromisoformat((row["date"] or "").strip())
            except ValueError:
                raise CalendarError(f"{path}:{line}: {row['date']!r} is not YYYY-MM-DD") from None
            if flag not in ("0", "1"):
                raise CalendarError(f"{path}:{line}: workday must be 1 or 0, got {flag!r}")
            county[day] = flag == "1"
    return Calendar(county)


def calendar_from(path: Path) -> Calendar:
    """load_calendar, read again only when the file changes (an admin adds next year's
    rows to a running product)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _cached_calendar(path, stamp)


@lru_cache(maxsize=8)
def _cached_calendar(path: Path, stamp: int | None) -> Calendar:
    return load_calendar(path)


def is_working_day(cal: Calendar, day: date) -> bool:
    if day in cal.county:
        return cal.county[day]
    if day.year in cal.package_years and (day in _MAKE_UP_DAYS or day in _HOLIDAYS):
        return day in _MAKE_UP_DAYS
    return day.weekday() < 5


def known_until(cal: Calendar) -> date:
    """The last day of the unbroken run of known years that starts at the package's last
    (a county row in a later year, past an unknown one, does not make that one known)."""
    year = max(cal.package_years)
    while year + 1 in cal.known_years:
        year += 1
    return date(year, 12, 31)


def missing_next_year(cal: Calendar, today: date) -> bool:
    """From 1 December on, whether next year's calendar is unknown."""
    return today.month == 12 and today.year + 1 not in cal.known_years


def _local_day(instant: datetime, tz: ZoneInfo) -> date:
    """The local day an instant belongs to; exactly 00:00 belongs to the day it ends."""
    local = instant.astimezone(tz)
    day = local.date()
    return day - timedelta(days=1) if local.time() == time(0) else day


def _end_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tz)


def working_days_after(cal: Calendar, instant: datetime, n: int, tz: ZoneInfo) -> datetime:
    """The end (24:00 local) of the n-th working day after the instant's local day
    (n = 0: the end of that day itself)."""
    day = _local_day(instant, tz)
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(cal, day):
            n -= 1
    return _end_of(day, tz)


def _through(cal: Calendar, day: date) -> int:
    """Working days from 1 January of the day's year up to the day itself."""
    running = cal.running.get(day.year)
    if running is None:
        first, count, running = date(day.year, 1, 1), 0, []
        while first.year == day.year:
            count += is_working_day(cal, first)
            running.append(count)
            first += timedelta(days=1)
        cal.running[day.year] = running
    return running[day.timetuple().tm_yday - 1]


def working_days_within(cal: Calendar, start: datetime, end: datetime, tz: ZoneInfo) -> int:
    """How many working days lie after `start`'s local day up to `end`'s local day (the
    inverse of working_days_after: N when `end` is the end of the N-th working day after
    `start`'s day; 0 when `end` is before or on that day). Counted from each year's
    running totals, so a deadline two years past costs two lookups, not 730 days."""
    first, last = _local_day(start, tz), _local_day(end, tz)
    if last <= first:
        return 0
    years = sum(_through(cal, date(year, 12, 31)) for year in range(first.year, last.year))
    return years + _through(cal, last) - _through(cal, first)


def extended_deadline(
    cal: Calendar,
    in_force: datetime,
    asked_at: datetime,
    working_days: int | None,
    deadline: datetime | None,
    tz: ZoneInfo,
) -> datetime | None:
    """The deadline an `extended` event asked at `asked_at` moves `in_force` to (by
    `working_days`, else to `deadline`), or None when it changes nothing: asked after
    the deadline in force (an extension is approved before it), or nothing to move to."""
    if asked_at > in_force:
        return None
    if working_days:
        return working_days_after(cal, in_force, working_days, tz)
    return deadline


@dataclass(frozen=True)
class Limit:
    amount: float  # hours, or a whole number of working days
    unit: str  # "h" | "wd"

    def __str__(self) -> str:
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{amount}{self.unit}"


_LIMIT = re.compile(r"(\d+(?:\.\d+)?)(h|wd)")
MAX_LIMIT_DAYS = 3660  # ten years: anything longer is a typo


def parse_limit(text: str) -> Limit:
    """`Nh` (hours, decimals allowed) or `Nwd` (whole working days); ValueError else."""
    match = _LIMIT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"limit {text!r} is not Nh or Nwd (e.g. 24h, 1.5h, 5wd)")
    amount, unit = float(match[1]), match[2]
    if unit == "wd" and amount != int(amount):
        raise ValueError(f"limit {text!r}: working days are whole")
    if not math.isfinite(amount) or amount > (MAX_LIMIT_DAYS * (24 if unit == "h" else 1)):
        raise ValueError(f"limit {text!r} is too long")
    return Limit(amount, unit)


def apply_limit(cal: Calendar, limit: Limit, start: datetime, tz: ZoneInfo) -> datetime:
    """The instant a limit ends when it runs from `start`."""
    if limit.unit == "h":
        return start + timedelta(hours=limit.amount)
    return working_days_after(cal, start, int(limit.amount), tz)
