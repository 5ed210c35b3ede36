"""What a window is compared with, and as of when (CONTRACT section 2, second edition).

Comparisons are made at equal age: a comparison window that ends an interval L before
the shown window ends is computed as of now - L, so both had the same time after their
end. The previous period of a window is the window of the same length just before it;
calendar months and quarters compare with the previous calendar month or quarter (the
same days of it while the shown one is still running); last year is the same dates a
year earlier. The leader pages and the wall all compare through `comparisons` and
`compared_figures`, so one moment shows one change everywhere.
"""

from __future__ import annotations

import calendar
import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import redis
from sqlalchemy import Engine

from common.clock import local_today
from common.config import Settings
from common.scope import current, parse_scope, using
from data_access import figure_cache
from data_access.kpis import Filters, Window, dispute_figures, incident_figures
from data_access.redis_client import get_redis

MONTHS_IN = {"month": 1, "quarter": 3}
# a comparison asked within this long (and the same local day) is computed ahead of each
# minute (`ahead`): a leader who looks once an hour finds it ready, while one asked once
# does not cost a computation a minute for the rest of the day
ASKED_KEEP = timedelta(hours=2)


@dataclass(frozen=True)
class Comparison:
    """A comparison window and the instant it is computed as of. `basis` names it for
    the tile (kpi.vs_<basis>): yesterday, previous_period, previous_month,
    previous_quarter or last_year."""

    basis: str
    window: Window
    as_of: datetime


def shift_months(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the target month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _shift_window(window: Window, months: int) -> Window:
    """`window` `months` earlier; an end on a month's last day stays on the last day, so a
    whole calendar month or quarter maps onto the whole previous one."""
    end = shift_months(window.end, months)
    if _month_end(window.end):
        end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return Window(shift_months(window.start, months), end)


def previous_window(window: Window, unit: str = "day") -> Window:
    """The previous period: the previous calendar month, quarter or year for those units,
    else the same number of days just before."""
    if unit == "year":
        return last_year_window(window)
    if unit in MONTHS_IN:
        return _shift_window(window, MONTHS_IN[unit])
    days = (window.end - window.start).days + 1
    return Window(window.start - timedelta(days=days), window.start - timedelta(days=1))


def last_year_window(window: Window) -> Window:
    """The same dates a year earlier (29 February becomes the 28th)."""
    return Window(shift_months(window.start, 12), shift_months(window.end, 12))


def equal_age(shown: Window, other: Window, now: datetime) -> datetime:
    """now - L, L being how long before the shown window's end the other one ends."""
    return now - (shown.end - other.end)


def _basis(unit: str, window: Window) -> str:
    if unit == "day" and window.start == window.end:
        return "yesterday"
    return {"month": "previous_month", "quarter": "previous_quarter"}.get(unit, "previous_period")


def comparisons(shown: Window, unit: str, now: datetime) -> list[Comparison]:
    """The previous period (left out when it is last year's window) and last year."""
    last_year = last_year_window(shown)
    previous = previous_window(shown, unit)
    found = []
    if previous != last_year:
        found.append(Comparison(_basis(unit, shown), previous, equal_age(shown, previous, now)))
    found.append(Comparison("last_year", last_year, equal_age(shown, last_year, now)))
    return found


def compared_figures(
    engine: Engine,
    cfg: Settings,
    comparison: Comparison,
    filters: Filters,
    now: datetime,
    families: tuple[str, ...] = ("incidents", "disputes"),
    work_order: bool = False,
) -> dict:
    """The figures of a comparison window as of its instant, per family asked for; with
    `work_order`, the incidents' include the work order's (data_access.work_order).

    Computed once a minute and shared (data_access.figure_cache), not once per live
    version: the instant is at least a day before now, and an event applied now changes
    what had happened by then only if it is stamped before it, which the next minute's
    computation takes in. At 5 M incidents a 30-day comparison reads some 20,000 rows
    closed since its instant; per version, every tile after every event paid for it.
    The ask is noted, so that `ahead` has it ready in the minutes that follow."""
    spec = {
        "scope": str(current()),
        "basis": comparison.basis,
        "window": comparison.window,
        "age": (now - comparison.as_of).total_seconds(),
        "filters": filters,
        "families": families,
        "work_order": work_order,
    }
    with contextlib.suppress(redis.RedisError):  # without Redis nothing is shared anyway
        get_redis(cfg).hset(_asked_key(cfg), figure_cache.dumps(spec), now.timestamp())
    return _figures(engine, cfg, comparison, filters, now, families, work_order)


def ahead(engine: Engine, cfg: Settings, at: datetime) -> int:
    """Compute, for `at`'s minute, every comparison asked within ASKED_KEEP on `at`'s
    local day, and forget the others; returns how many were computed (or found).

    A comparison is shared per minute, and a year's costs some 1.3 s at 5 M incidents:
    without this, the first request of every minute paid for it (bench/scale.py).
    dashboard/comparisons_ahead.py calls it before each minute begins."""
    r = get_redis(cfg)
    today = local_today(cfg.tz, at)
    done, forgotten = 0, []
    for raw, stamp in r.hgetall(_asked_key(cfg)).items():
        asked = datetime.fromtimestamp(float(stamp), UTC)
        if at - asked > ASKED_KEEP or local_today(cfg.tz, asked) != today:
            forgotten.append(raw)
            continue
        spec = figure_cache.loads(raw, (Window, Filters))
        filters = Filters(**{k: tuple(v) for k, v in vars(spec["filters"]).items()})
        as_of = at - timedelta(seconds=spec["age"])
        comparison = Comparison(spec["basis"], spec["window"], as_of)
        with using(parse_scope(spec["scope"])):
            _figures(
                engine, cfg, comparison, filters, at, tuple(spec["families"]), spec["work_order"]
            )
        done += 1
    if forgotten:
        r.hdel(_asked_key(cfg), *forgotten)
    return done


def _asked_key(cfg: Settings) -> str:
    return cfg.key("comparisons:asked")


def _figures(
    engine: Engine,
    cfg: Settings,
    comparison: Comparison,
    filters: Filters,
    now: datetime,
    families: tuple[str, ...],
    work_order: bool,
) -> dict:
    window, at = comparison.window, comparison.as_of
    compute = {
        "incidents": lambda: incident_figures(
            engine, window, filters, now, cfg.warn_hours, at, work_order=work_order
        ),
        "disputes": lambda: dispute_figures(engine, window, filters.towns, now, as_of=at),
    }
    parts = [window, filters, families, work_order, cfg.warn_hours]
    return figure_cache.shared(
        cfg,
        "compared",
        parts,
        now,
        lambda: {family: compute[family]() for family in families},
        types=(Window, Filters),
        versioned=False,
    )
