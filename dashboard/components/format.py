"""Number formatting for people: rates as percentages, counts with separators."""

from __future__ import annotations


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"
