"""Working days and limits (CONTRACT section 2 "Working days")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays
import pytest

from common.workdays import (
    Calendar,
    CalendarError,
    Limit,
    apply_limit,
    is_working_day,
    known_until,
    load_calendar,
    missing_next_year,
    parse_limit,
    working_days_after,
)

TZ = ZoneInfo("Asia/Shanghai")
CAL = Calendar()


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_the_contracts_example_over_national_day():
    assert working_days_after(CAL, local(2026, 9, 30, 10), 5, TZ) == local(2026, 10, 14)


def test_an_instant_at_midnight_belongs_to_the_day_it_ends():
    assert working_days_after(CAL, local(2026, 10, 14), 1, TZ) == local(2026, 10, 15)
    # the same instant in UTC
    start = local(2026, 10, 14).astimezone(UTC)
    assert working_days_after(CAL, start, 1, TZ) == local(2026, 10, 15)
    assert working_days_after(CAL, local(2026, 10, 14, 0, 0, 1), 1, TZ) == local(2026, 10, 16)


def test_make_up_saturday_and_holiday():
    assert is_working_day(CAL, date(2026, 10, 10))  # Saturday, make-up day
    assert not is_working_day(CAL, date(2026, 10, 5))  # Monday, National Day
    # Friday 2026-10-09 + 1 working day: the make-up Saturday
    assert working_days_after(CAL, local(2026, 10, 9, 15), 1, TZ) == local(2026, 10, 11)
    # Spring Festival 2026: Saturday 14 February worked, 15-23 February off
    assert working_days_after(CAL, local(2026, 2, 13, 9), 1, TZ) == local(2026, 2, 15)
    assert working_days_after(CAL, local(2026, 2, 14, 9), 1, TZ) == local(2026, 2, 25)


def test_an_unknown_year_is_monday_to_friday():
    assert 2027 not in CAL.known_years
    assert is_working_day(CAL, date(2027, 1, 1))  # a Friday: New Year unknown yet
    assert not is_working_day(CAL, date(2027, 1, 2))
    assert working_days_after(CAL, local(2027, 1, 1, 12), 1, TZ) == local(2027, 1, 5)


def test_the_county_file_wins_and_makes_a_year_known(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("date,workday\n2026-10-12,0\n2026-10-11,1\n2027-01-01,0\n")
    cal = load_calendar(path)
    assert not is_working_day(cal, date(2026, 10, 12))  # a local holiday
    assert is_working_day(cal, date(2026, 10, 11))  # a Sunday worked
    assert not is_working_day(cal, date(2027, 1, 1))
    assert known_until(CAL) == date(2026, 12, 31)
    assert known_until(cal) == date(2027, 12, 31)
    assert missing_next_year(CAL, date(2026, 12, 1))
    assert not missing_next_year(cal, date(2026, 12, 1))
    assert not missing_next_year(CAL, date(2026, 11, 30))


def test_a_county_row_past_an_unknown_year_does_not_extend_known_until(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("date,workday\n2028-05-01,0\n")
    assert known_until(load_calendar(path)) == date(2026, 12, 31)


@pytest.mark.parametrize(
    "text, message",
    [
        ("day,workday\n2026-10-12,0\n", "header"),
        ("date,workday\n2026-13-12,0\n", "YYYY-MM-DD"),
        ("date,workday\n2026-10-12,yes\n", "1 or 0"),
    ],
)
def test_a_bad_calendar_file_is_refused_with_its_line(tmp_path, text, message):
    path = tmp_path / "calendar.csv"
    path.write_text(text)
    with pytest.raises(CalendarError, match=message):
        load_calendar(path)


def test_the_demo_calendar_file_loads():
    from common.config import PROJECT_ROOT

    cal = load_calendar(PROJECT_ROOT / "masterdata" / "calendar.csv")
    assert cal.county


# chinesecalendar (runtime) and holidays (the oracle) disagree on one day of 2004-2026:
# holidays counts Saturday 2005-12-31 a make-up working day, chinesecalendar a day off.
# chinesecalendar wins (see workdays' docstring); a county corrects a day in CC_CALENDAR.
KNOWN_DIFFERENCES = {date(2005, 12, 31)}


def test_the_package_agrees_with_the_holidays_package_on_every_day_both_know():
    years = sorted(CAL.package_years & set(range(2004, 2100)))
    oracle = holidays.China(years=years)
    day, last, differences = date(years[0], 1, 1), date(years[-1], 12, 31), set()
    while day <= last:
        if is_working_day(CAL, day) != oracle.is_working_day(day):
            differences.add(day)
        day += timedelta(days=1)
    assert differences == KNOWN_DIFFERENCES


@pytest.mark.parametrize(
    "text, limit",
    [
        ("4h", Limit(4, "h")),
        ("1.5h", Limit(1.5, "h")),
        ("5wd", Limit(5, "wd")),
        ("0h", Limit(0, "h")),
    ],
)
def test_parse_limit(text, limit):
    assert parse_limit(text) == limit
    assert parse_limit(str(limit)) == limit


@pytest.mark.parametrize("text", ["", "4", "h", "-1h", "1.5wd", "5d", "1e3h", "nanh", "99999wd"])
def test_parse_limit_refuses(text):
    with pytest.raises(ValueError):
        parse_limit(text)


def test_apply_limit():
    start = local(2026, 9, 30, 10)
    assert apply_limit(CAL, parse_limit("12.5h"), start, TZ) == local(2026, 9, 30, 22, 30)
    assert apply_limit(CAL, parse_limit("5wd"), start, TZ) == local(2026, 10, 14)


def test_working_days_read_the_package_tables_as_the_package_does():
    """is_working_day reads chinesecalendar's tables once; it answers as is_workday does."""
    day, last = date(min(CAL.package_years), 1, 1), date(max(CAL.package_years), 12, 31)
    while day <= last:
        assert is_working_day(CAL, day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    unknown = Calendar(package_years=frozenset())
    assert is_working_day(unknown, date(2026, 10, 1))  # a Thursday, no calendar known
    assert not is_working_day(unknown, date(2026, 10, 10))  # a Saturday
