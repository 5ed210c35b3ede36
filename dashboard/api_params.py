"""Parsing and checking the JSON API's query parameters; bad input raises BadParameter."""

from __future__ import annotations

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from data_access.kpis import Filters, Window

MAX_FILTER_VALUES = 50


class BadParameter(ValueError):
    """A query parameter the API cannot use; the message is shown to the caller."""


def _date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a date YYYY-MM-DD, got {raw[:40]!r}") from None


def window(args: MultiDict, today: date) -> Window:
    """start/end as local days; both absent: the last 30 days up to today."""
    start, end = _date(args, "start"), _date(args, "end")
    if start is None and end is None:
        return Window(today - timedelta(days=29), today)
    if start is None or end is None:
        raise BadParameter("give both start and end, or neither")
    if start > end:
        raise BadParameter("start is after end")
    if (end - start).days > 3660:
        raise BadParameter("the window may span at most ten years")
    return Window(start, end)


def _values(args: MultiDict, name: str) -> tuple[str, ...]:
    values = tuple(v for v in args.getlist(name) if v != "")
    if len(values) > MAX_FILTER_VALUES:
        raise BadParameter(f"at most {MAX_FILTER_VALUES} values for {name}")
    if any(len(v) > 64 for v in values):
        raise BadParameter(f"{name} values are at most 64 characters")
    return values


def filters(args: MultiDict) -> Filters:
    return Filters(
        towns=_values(args, "town"),
        categories=_values(args, "category"),
        channels=_values(args, "channel"),
        departments=_values(args, "department"),
    )


def limit(args: MultiDict, default: int = 100, maximum: int = 1000) -> int:
    raw = args.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise BadParameter(f"limit must be a whole number from 1 to {maximum}")
    return int(raw)


def reject_unknown(args: MultiDict, allowed: set[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise BadParameter(f"unknown parameter(s): {', '.join(unknown)}")
