"""One case (an incident or a dispute): its current state and its whole timeline, read
the same way for both, so their pages and the API show events alike."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select
from sqlalchemy.orm import InstrumentedAttribute


def case_detail(
    engine: Engine, case, event, event_case_id: InstrumentedAttribute, case_id: str
) -> tuple[dict, list[dict]] | None:
    """(current state, timeline oldest first) of `case_id`, from the model `case` and its
    events' model `event` (whose `event_case_id` names the case), or None until its
    creating event arrived."""
    with engine.connect() as conn:
        row = conn.execute(select(case.__table__).where(case.id == case_id)).first()
        if row is None:
            return None
        events = conn.execute(
            select(event.__table__).where(event_case_id == case_id).order_by(event.ts, event.seq)
        )
        timeline = [{**json.loads(e.fields), "ts": e.ts, "event_id": e.event_id} for e in events]
    return row._asdict(), timeline
