"""Time series for charts: incidents received per local hour of a day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from common.clock import day_bounds
from data_access.kpis import Filters, counted_status, incident_scope
from data_access.models import Incident


def hourly_received(
    engine: Engine, day: date, tz: ZoneInfo, filters: Filters, until: datetime | None = None
) -> list[int]:
    """24 counts: incidents reported in each local hour of `day` (up to `until`),
    not currently rejected or merged, as `received` counts them."""
    lo, hi = day_bounds(day, day, tz)
    if until is not None:
        hi = min(hi, until)
    query = select(Incident.reported_at).where(
        Incident.reported_day == day,  # indexed; the instants below keep it exact
        Incident.reported_at >= lo,
        Incident.reported_at < hi,
        counted_status(),
        *incident_scope(filters),
    )
    counts = [0] * 24
    with engine.connect() as conn:
        for (reported_at,) in conn.execute(query):
            counts[reported_at.astimezone(tz).hour] += 1
    return counts
