"""The demo history's measured rates, to check the generator against its targets.

    python -m demo.rates [--database-url URL]

Over every incident in the database, as of now, with the definitions of CONTRACT
section 2 (the work order's own figures with the settings' CC_SIGN_LIMIT and
CC_CONTACT_LIMIT over ingest's calendar). This is a calibration tool for the demo
generator (demo/history.py), not the product's figures: those are data_access's.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from common import clock
from common.config import Settings, load_settings
from common.vocabulary import CLOSING_STATUSES, EXCLUDED_STATUSES, MERGED, REJECTED, VISITED
from common.workdays import Calendar, Limit, apply_limit, calendar_from
from data_access.db import make_engine
from data_access.models import Incident, IncidentEvent


@dataclass(frozen=True)
class Rate:
    name: str
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def __str__(self) -> str:
        value = "   n/a" if self.value is None else f"{100 * self.value:5.1f}%"
        return f"{self.name:<22} {value}  ({self.part:,} / {self.whole:,})"


def _in_time(
    rows, column: str, limit: Limit, cal: Calendar, settings: Settings, now: datetime
) -> tuple[int, int]:
    """(in time, due) for `signed_at` or `contacted_at` against a limit from the first
    dispatch: due when the limit has passed or the act happened."""
    due = in_time = 0
    for row in rows:
        if row.first_dispatch_at is None:
            continue
        at = row._mapping[column]
        ends = apply_limit(cal, limit, row.first_dispatch_at, settings.tz)
        if at is not None or ends <= now:
            due += 1
            in_time += at is not None and at <= ends
    return in_time, due


def _events_of(engine: Engine, statuses: tuple[str, ...]) -> set[str]:
    """Ids of incidents with at least one event of these statuses."""
    query = select(IncidentEvent.incident_id).where(IncidentEvent.status.in_(statuses)).distinct()
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def measure(engine: Engine, settings: Settings, now: datetime) -> list[Rate]:
    """The demo's rates over every incident, as of `now`."""
    columns = (
        Incident.id,
        Incident.status,
        Incident.deadline,
        Incident.closed_at,
        Incident.satisfaction,
        Incident.first_dispatch_at,
        Incident.signed_at,
        Incident.contacted_at,
        Incident.returns,
        Incident.extensions,
        Incident.solved,
        Incident.reopened,
    )
    with engine.connect() as conn:
        everything = conn.execute(select(*columns)).all()
        reported = conn.execute(select(func.count()).select_from(Incident)).scalar() or 0
    rows = [r for r in everything if r.status not in EXCLUDED_STATUSES]
    closed = [r for r in rows if r.status in CLOSING_STATUSES]
    dispatched = [r for r in rows if r.first_dispatch_at is not None]
    due = [r for r in rows if r.deadline <= now]
    closing = _events_of(engine, CLOSING_STATUSES)
    visited = _events_of(engine, (VISITED,))
    rated = [r for r in closed if r.satisfaction is not None]
    known = [r for r in closed if r.solved is not None]
    cal = calendar_from(settings.calendar_file)
    signed = _in_time(dispatched, "signed_at", settings.sign_limit, cal, settings, now)
    contacted = _in_time(dispatched, "contacted_at", settings.contact_limit, cal, settings, now)
    on_time = [r for r in due if r.closed_at is not None and r.closed_at <= r.deadline]
    merged = sum(r.status == MERGED for r in everything)
    rejected = sum(r.status == REJECTED for r in everything)
    return [
        Rate("signed on time", *signed),
        Rate("returned", sum(r.returns > 0 for r in dispatched), len(dispatched)),
        Rate("extended", sum(r.extensions > 0 for r in rows), len(rows)),
        Rate("contacted in 24h", *contacted),
        Rate("visited (of closed)", sum(r.id in visited for r in closed), len(closed)),
        Rate("solved", sum(bool(r.solved) for r in known), len(known)),
        Rate("merged (of reported)", merged, reported),
        Rate("rejected (of reported)", rejected, reported),
        Rate("reopened", sum(bool(r.reopened) for r in rows), sum(r.id in closing for r in rows)),
        Rate("on time", len(on_time), len(due)),
        Rate("satisfaction", sum(r.satisfaction >= 4 for r in rated), len(rated)),
        Rate("closure", len(closed), len(rows)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the demo history's measured rates.")
    parser.add_argument("--database-url", help="default: CC_DATABASE_URL")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.database_url:
        settings = settings.with_(database_url=args.database_url)
    engine = make_engine(settings.database_url)
    try:
        now = clock.now()
        print(f"as of {now.astimezone(settings.tz).isoformat(timespec='seconds')}")
        for rate in measure(engine, settings, now):
            print(rate)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
