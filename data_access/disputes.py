"""One dispute: its current state and its whole timeline (the dispute page)."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from data_access.models import Dispute, DisputeEvent


def dispute_detail(engine: Engine, dispute_id: str) -> tuple[dict, list[dict]] | None:
    """(current state, timeline oldest first) or None until its creating event arrived."""
    with engine.connect() as conn:
        row = conn.execute(select(Dispute.__table__).where(Dispute.id == dispute_id)).first()
        if row is None:
            return None
        events = conn.execute(
            select(DisputeEvent.__table__)
            .where(DisputeEvent.dispute_id == dispute_id)
            .order_by(DisputeEvent.ts, DisputeEvent.seq)
        )
        timeline = [{**json.loads(e.fields), "ts": e.ts, "event_id": e.event_id} for e in events]
    return row._asdict(), timeline
