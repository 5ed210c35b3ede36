"""Injectable time: every "now" in the product comes from here, so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_offset = timedelta(0)


def now() -> datetime:
    """The current instant, timezone-aware UTC (shifted by `set_offset` in tests)."""
    return datetime.now(UTC) + _offset


def set_offset(delta: timedelta) -> None:
    """Move the clock (tests and the simulator's speed-up only)."""
    global _offset
    _offset = delta


def local_today(tz: ZoneInfo, at: datetime | None = None) -> date:
    return (at or now()).astimezone(tz).date()


def day_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00 local, end+1 00:00 local) as UTC instants."""
    lo = datetime.combine(start, time.min, tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return lo, hi


def parse_ts(raw: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 -> aware UTC; a naive value is local time in `tz` (CONTRACT: Time)."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def iso_local(value: datetime | None, tz: ZoneInfo) -> str | None:
    """An instant as ISO 8601 with the offset of the configured zone (CONTRACT 3)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).isoformat(timespec="seconds")
