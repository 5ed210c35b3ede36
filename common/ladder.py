"""The escalation ladder (CC_ESCALATION_LADDER, CONTRACT sections 2 and 4).

`1:0h,2:24h,3:72h` reads: an open incident is escalated to level 1 as soon as it is
overdue, to level 2 once it is overdue by 24 hours, to level 3 by 72 hours. A rung's limit
is `Nh` or `Nwd` (section 2) and runs from the deadline in force. Parsed once at start, so
a bad value stops the process with a message that names the variable and the rung.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from common.vocabulary import MAX_LEVEL
from common.workdays import Calendar, Limit, apply_limit, parse_limit


@dataclass(frozen=True)
class Rung:
    level: int
    limit: Limit  # how long after the deadline in force

    def __str__(self) -> str:
        return f"{self.level}:{self.limit}"


Ladder = tuple[Rung, ...]  # by level, ascending; empty: no ladder


def parse_ladder(text: str | None) -> Ladder:
    """`level:limit,...` -> rungs by level; None or blank -> no ladder. ValueError names
    the rung that is wrong: a level outside 1-99 or given twice, a limit that is not
    `Nh`/`Nwd`, or a higher level whose limit (in the same unit) is not longer."""
    if text is None or not text.strip():
        return ()
    rungs: list[Rung] = []
    for part in text.split(","):
        level_text, sep, limit_text = part.strip().partition(":")
        if not sep:
            raise ValueError(f"rung {part.strip()!r} is not level:limit (e.g. 2:24h)")
        try:
            level = int(level_text.strip())
        except ValueError:
            raise ValueError(f"rung {part.strip()!r}: the level must be a whole number") from None
        if not 1 <= level <= MAX_LEVEL:
            raise ValueError(f"rung {part.strip()!r}: the level must be 1-{MAX_LEVEL}")
        try:
            limit = parse_limit(limit_text)
        except ValueError as exc:
            raise ValueError(f"rung {part.strip()!r}: {exc}") from None
        rungs.append(Rung(level, limit))
    rungs.sort(key=lambda rung: rung.level)
    for low, high in zip(rungs, rungs[1:], strict=False):
        if low.level == high.level:
            raise ValueError(f"level {low.level} is given twice")
        if low.limit.unit == high.limit.unit and high.limit.amount <= low.limit.amount:
            raise ValueError(f"rung {high} must come later than rung {low}")
    return tuple(rungs)


def earliest(limit: Limit) -> timedelta:
    """A lower bound of how long after any deadline the limit ends, so SQL can narrow the
    candidates before the calendar decides: its hours, or N - 1 days for N working days
    (the end of the N-th working day after the deadline's local day is at least N days
    later; one day less leaves room for a zone's daylight-saving days)."""
    if limit.unit == "h":
        return timedelta(hours=limit.amount)
    return timedelta(days=max(limit.amount - 1, 0))


def reached_at(rung: Rung, deadline: datetime, cal: Calendar, tz: ZoneInfo) -> datetime:
    """The instant an incident with this deadline in force reaches the rung."""
    return apply_limit(cal, rung.limit, deadline, tz)


def due_levels(
    ladder: Ladder, deadline: datetime, level: int, now: datetime, cal: Calendar, tz: ZoneInfo
) -> list[int]:
    """The rungs' levels above `level` (the incident's own, manual escalations included)
    that the incident has reached by `now`, ascending: each gets its own event, and a
    level raised by hand is never lowered nor repeated."""
    return [
        rung.level
        for rung in ladder
        if rung.level > level and reached_at(rung, deadline, cal, tz) <= now
    ]
