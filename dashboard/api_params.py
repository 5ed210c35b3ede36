"""Parsing and checking the JSON API's query parameters; bad input raises BadParameter.

Every parser checks all of its input before anything runs: a value that reached a query
could fail there (PostgreSQL refuses NUL bytes; a day near year 1 or 9999 overflows the
date arithmetic), and the CSV export would then break off after its header.
"""

from __future__ import annotations

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from common.vocabulary import BOOLEANS
from dashboard.period import FIRST_DAY, LAST_DAY, in_range
from data_access.kpis import Filters, Window

MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 1024  # any one parameter's value (dashboard.request_limits caps it too)
CONTROL_CHARS = frozenset(map(chr, [*range(0x20), 0x7F]))


class BadParameter(ValueError):
    """A query parameter the API cannot use; the message is shown to the caller."""


def day(raw: str, name: str) -> date:
    """A local day written YYYY-MM-DD, within period.FIRST_DAY..LAST_DAY."""
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise BadParameter(f"{name} must be a date YYYY-MM-DD, got {raw[:40]!r}")
    if not in_range(value):
        raise BadParameter(f"{name} must be from {FIRST_DAY} to {LAST_DAY}, got {raw}")
    return value


def _date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name)
    return None if raw is None else day(raw, name)


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
    given = args.getlist(name)
    if len(given) > MAX_FILTER_VALUES:  # empty ones count: the OpenAPI maxItems is on all
        raise BadParameter(f"at most {MAX_FILTER_VALUES} values for {name}")
    values = tuple(v for v in given if v != "")
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
    # isdecimal() alone takes other scripts' digits, which int() then may not
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= 9) or not 1 <= int(raw) <= maximum:
        raise BadParameter(f"limit must be a whole number from 1 to {maximum}")
    return int(raw)


def _single(args: MultiDict, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(f"give {name} at most once")
    return values[0] if values else None


def choice(args: MultiDict, name: str, allowed: tuple[str, ...]) -> str | None:
    """One of `allowed`, or None when the parameter is absent."""
    raw = _single(args, name)
    if raw is not None and raw not in allowed:
        raise BadParameter(f"{name} must be one of {', '.join(allowed)}, got {raw[:40]!r}")
    return raw


def boolean(args: MultiDict, name: str) -> bool | None:
    """`true` or `false` (BOOLEANS, as the stream writes them), or None when absent."""
    raw = choice(args, name, BOOLEANS)
    return None if raw is None else raw == BOOLEANS[0]


def check_text(args: MultiDict) -> None:
    """Every name and value is plain text of bounded size: no NUL or other control
    character (which no code, date or id holds, and which PostgreSQL refuses)."""
    for name, value in args.items(multi=True):
        shown = name[:40].encode("unicode_escape").decode()
        if CONTROL_CHARS.intersection(name) or CONTROL_CHARS.intersection(value):
            raise BadParameter(f"parameter {shown!r} holds a control character")
        if len(value) > MAX_VALUE_CHARS:
            raise BadParameter(f"parameter {shown!r} is longer than {MAX_VALUE_CHARS} characters")


def reject_unknown(args: MultiDict, allowed: set[str]) -> None:
    """The first check of every parser: plain text (check_text), and only known names."""
    check_text(args)
    unknown = sorted(set(args) - allowed)
    if unknown:
        shown = ", ".join(n[:40] for n in unknown[:10])
        raise BadParameter(f"unknown parameter(s): {shown}")
