"""One case (an incident or a dispute): its current state and its whole timeline, read
the same way for both, so their pages and the API show events alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import InstrumentedAttribute

from common.clock import parse_ts
from common.vocabulary import CREATED, DEFAULT_PRIORITY, EXTENDED, REOPENED
from common.workdays import extended_deadline
from data_access.scoping import case_in_scope
from data_access.sla import Sla

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # the contract's instants (CONTRACT 1)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def case_detail(
    engine: Engine, case, event, event_case_id: InstrumentedAttribute, case_id: str
) -> tuple[dict, list[dict]] | None:
    """(current state, timeline oldest first) of `case_id`, from the model `case` and its
    events' model `event` (whose `event_case_id` names the case), or None until its
    creating event arrived, or while it lies outside the caller's scope."""
    with engine.connect() as conn:
        found = select(case.__table__).where(case.id == case_id, *case_in_scope(case))
        row = conn.execute(found).first()
        if row is None:
            return None
        events = conn.execute(
            select(event.__table__).where(event_case_id == case_id).order_by(event.ts, event.seq)
        )
        timeline = [{**json.loads(e.fields), "ts": e.ts, "event_id": e.event_id} for e in events]
    return row._asdict(), timeline


def _instant(value: str | None, tz: ZoneInfo) -> datetime | None:
    """An instant field as the fold reads it: None when absent or out of the contract's
    range."""
    if not value:
        return None
    try:
        instant = parse_ts(value, tz)
    except ValueError:
        return None
    return instant if EARLIEST <= instant < LATEST else None


def extension_steps(
    timeline: list[dict], sla: Sla, tz: ZoneInfo
) -> dict[str, tuple[datetime, datetime | None]]:
    """For each `extended` event of an incident's timeline (oldest first): the deadline in
    force when it came and the one it moved it to (None: it came after that deadline
    and changed nothing), by the contract's rules as worker.fold applies them."""
    first = next((e for e in timeline if e.get("status") == CREATED), None)
    if first is None:
        return {}
    category, priority = first.get("category"), first.get("priority") or DEFAULT_PRIORITY
    channel = first.get("channel")
    in_force = _instant(first.get("deadline"), tz) or sla.deadline(
        first["ts"], category, priority, channel, tz
    )
    steps = {}
    for event in timeline[timeline.index(first) + 1 :]:
        status = event.get("status")
        if status == REOPENED:
            in_force = _instant(event.get("deadline"), tz) or sla.deadline(
                event["ts"], category, priority, channel, tz
            )
        elif status == EXTENDED:
            days = event.get("working_days")
            moved = extended_deadline(
                sla.calendar,
                in_force,
                event["ts"],
                int(days) if days else None,
                _instant(event.get("deadline"), tz),
                tz,
            )
            steps[event["event_id"]] = (in_force, moved)
            in_force = moved or in_force
    return steps
