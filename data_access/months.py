"""Calendar months for the monthly summaries: a long window reads its whole months from
the monthly tables and only its edge days from the daily ones."""

from __future__ import annotations

from datetime import date, timedelta


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_span(start: date, end: date) -> tuple[date, date] | None:
    """(first, last) month start of the whole months inside [start, end], or None."""
    first = start if start.day == 1 else next_month(start)
    ends_a_month = next_month(end) - timedelta(days=1) == end
    stop = next_month(end) if ends_a_month else month_of(end)  # first month not inside
    return (first, previous_month(stop)) if first < stop else None


def split(start: date, end: date) -> list[tuple[bool, date, date]]:
    """[start, end] as (monthly, first, last) pieces: the whole months inside it (first
    and last are month starts) and the days before and after them."""
    span = month_span(start, end)
    if span is None:
        return [(False, start, end)] if start <= end else []
    pieces = [(False, start, span[0] - timedelta(days=1)), (True, *span)]
    pieces.append((False, next_month(span[1]), end))
    return [p for p in pieces if p[1] <= p[2]]
