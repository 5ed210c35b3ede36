"""What and where each case is, for naming events that carry only an id and a status.

A lifecycle event after the first (dispatched, closed, mediated...) names no category,
kind, town or grid; the live ticker shows them from the case itself."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from data_access.models import Dispute, Incident


def case_places(
    engine: Engine, incident_ids: Iterable[str], dispute_ids: Iterable[str]
) -> dict[tuple[str, str], dict]:
    """{(entity, id): {"what", "town", "grid"}} of the cases found (what: an incident's
    category, a dispute's kind)."""
    found: dict[tuple[str, str], dict] = {}
    queries = (
        ("incident", Incident, Incident.category, set(incident_ids)),
        ("dispute", Dispute, Dispute.kind, set(dispute_ids)),
    )
    with engine.connect() as conn:
        for entity, model, what, ids in queries:
            if not ids:
                continue
            rows = conn.execute(
                select(model.id, what.label("what"), model.town, model.grid).where(
                    model.id.in_(ids)
                )
            )
            for row in rows:
                found[(entity, row.id)] = {"what": row.what, "town": row.town, "grid": row.grid}
    return found
