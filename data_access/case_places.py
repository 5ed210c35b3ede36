"""What and where each case is, for naming events that carry only an id and a status.

A lifecycle event after the first (dispatched, closed, mediated...) names no category,
kind, town or grid; the live ticker shows them from the case itself, and a scoped wall's
ticker keeps the events of the cases inside its scope (the case's town and department
now, as every other figure counts them)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, null, select

from data_access.models import Dispute, Incident


def case_places(
    engine: Engine, incident_ids: Iterable[str], dispute_ids: Iterable[str]
) -> dict[tuple[str, str], dict]:
    """{(entity, id): {"what", "town", "grid", "department"}} of the cases found (what: an
    incident's category, a dispute's kind; department: an incident's, None for a
    dispute)."""
    found: dict[tuple[str, str], dict] = {}
    queries = (
        ("incident", Incident, Incident.category, Incident.department, set(incident_ids)),
        ("dispute", Dispute, Dispute.kind, null(), set(dispute_ids)),
    )
    with engine.connect() as conn:
        for entity, model, what, department, ids in queries:
            if not ids:
                continue
            rows = conn.execute(
                select(
                    model.id,
                    what.label("what"),
                    model.town,
                    model.grid,
                    department.label("department"),
                ).where(model.id.in_(ids))
            )
            for row in rows:
                found[(entity, row.id)] = {
                    "what": row.what,
                    "town": row.town,
                    "grid": row.grid,
                    "department": row.department,
                }
    return found
