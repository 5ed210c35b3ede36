"""One dispute: its current state and its whole timeline (the dispute page)."""

from __future__ import annotations

from sqlalchemy import Engine

from data_access.case_detail import case_detail
from data_access.models import Dispute, DisputeEvent


def dispute_detail(engine: Engine, dispute_id: str) -> tuple[dict, list[dict]] | None:
    """(current state, timeline oldest first) or None until its creating event arrived."""
    return case_detail(engine, Dispute, DisputeEvent, DisputeEvent.dispute_id, dispute_id)
