"""Apply a batch of validated events to SQL in one transaction.

Events are appended (a known event_id changes nothing), then every entity a new event
touches is re-folded from all its stored events (worker.fold). Re-folding makes late,
out-of-order and early-lifecycle events exact without special cases. On PostgreSQL,
per-entity advisory locks (taken in sorted order) keep two ingest processes from
folding the same incident at once; SQLite serialises writers with BEGIN IMMEDIATE.

On PostgreSQL the same steps, summaries included, run set-based (worker.apply_pg: COPY
into staging tables, one INSERT ... ON CONFLICT per table), with the same fold and the
same summary deltas, so the rows are identical.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.dialects import postgresql, sqlite

from data_access.models import Dispute, DisputeEvent, Incident, IncidentEvent
from data_access.sla import Sla
from worker import apply_pg, duplicates, summaries
from worker.contract import Event
from worker.dispute_summaries import DISPUTES
from worker.fold import fold_dispute, fold_incident
from worker.summaries import INCIDENTS, Family

_KINDS = {
    "incident": (IncidentEvent, IncidentEvent.incident_id, "incident_id", Incident),
    "dispute": (DisputeEvent, DisputeEvent.dispute_id, "dispute_id", Dispute),
}
FAMILIES = {"incident": INCIDENTS, "dispute": DISPUTES}  # each entity's summaries


@dataclass
class ApplyResult:
    new_events: list[Event] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)  # rows as folded now
    disputes: list[dict] = field(default_factory=list)


def _insert(conn: Connection, table):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def event_row(event: Event, id_column: str) -> dict:
    return {
        "event_id": event.event_id,
        id_column: event.id,
        "status": event.status,
        "ts": event.ts,
        "seq": event.seq,
        "actor": event.actor,
        "fields": apply_pg.fields_json(event.fields),
    }


def row_event(row, entity: str) -> Event:
    fields = json.loads(row.fields)
    return Event(
        event_id=row.event_id,
        entity=entity,
        id=fields.get("id", ""),
        status=row.status,
        ts=row.ts,
        seq=row.seq,
        actor=row.actor,
        fields=fields,
    )


def _lock(conn: Connection, entity: str, ids: Iterable[str]) -> None:
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({zlib.crc32(f"{entity}:{i}".encode()) for i in ids})
    conn.execute(
        text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
        {"keys": keys},
    )


def upsert(conn: Connection, model, rows: Sequence[dict]) -> None:
    if not rows:
        return
    stmt = _insert(conn, model.__table__)
    columns = {c: getattr(stmt.excluded, c) for c in rows[0] if c != "id"}
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=columns), list(rows))


def _current_rows(conn: Connection, model, family: Family, ids: Iterable[str]) -> dict[str, dict]:
    """The rows as they stand before this batch: what the summaries count now."""
    wanted = sorted(set(ids))
    found: dict[str, dict] = {}
    columns = [model.__table__.c[name] for name in family.columns]
    for chunk in range(0, len(wanted), 500):
        rows = conn.execute(select(*columns).where(model.id.in_(wanted[chunk : chunk + 500])))
        found.update({row.id: row._asdict() for row in rows})
    return found


def _apply_entity(
    conn: Connection, entity: str, events: list[Event], fold
) -> tuple[list[Event], list[dict]]:
    _lock(conn, entity, (e.id for e in events))
    family = FAMILIES[entity]
    if conn.dialect.name == "postgresql":
        return apply_pg.apply_entity(conn, entity, events, fold, family)
    before = _current_rows(conn, _KINDS[entity][3], family, (e.id for e in events))
    new, states = _append_and_fold(conn, entity, events, fold)
    old = [before[s["id"]] for s in states if s["id"] in before]
    summaries.apply_deltas(conn, old, states, family)
    return new, states


def _append_and_fold(
    conn: Connection, entity: str, events: list[Event], fold
) -> tuple[list[Event], list[dict]]:
    """Append the events (a known event_id is skipped) and re-fold every id a new one
    touches; returns (the new events, the folded rows as written). SQLite's path."""
    event_model, id_attr, id_column, state_model = _KINDS[entity]
    stmt = _insert(conn, event_model.__table__).on_conflict_do_nothing(index_elements=["event_id"])
    inserted = set(
        conn.execute(
            stmt.returning(event_model.__table__.c.event_id),
            [event_row(e, id_column) for e in events],
        ).scalars()
    )
    new = [e for e in events if e.event_id in inserted]
    touched = sorted({e.id for e in new})
    by_id: dict[str, list[Event]] = {i: [] for i in touched}
    for chunk in range(0, len(touched), 500):
        rows = conn.execute(
            select(event_model.__table__).where(id_attr.in_(touched[chunk : chunk + 500]))
        )
        for row in rows:
            by_id[getattr(row, id_column)].append(row_event(row, entity))
    states = [s for s in (fold(evs) for evs in by_id.values()) if s is not None]
    upsert(conn, state_model, states)
    return new, states


def apply_events(
    engine: Engine,
    events: Sequence[Event],
    sla: Sla,
    tz: ZoneInfo,
    now: datetime,
    duplicates_from: float | None = None,
) -> ApplyResult:
    """Apply events (any order, duplicates allowed) in one transaction; return what changed.
    With duplicates_from, newly reported incidents' duplicate candidates scoring at least
    that are written in the same transaction (worker.duplicates)."""
    seen: set[str] = set()
    unique = []
    for e in sorted(events, key=lambda e: e.seq):
        if e.event_id not in seen:
            seen.add(e.event_id)
            unique.append(e)
    result = ApplyResult()
    with engine.begin() as conn:
        incidents = [e for e in unique if e.entity == "incident"]
        disputes = [e for e in unique if e.entity == "dispute"]
        if incidents:
            new, result.incidents = _apply_entity(
                conn,
                "incident",
                incidents,
                lambda evs: fold_incident(evs, sla, tz, now),
            )
            result.new_events += new
            if duplicates_from is not None:
                duplicates.find(conn, new, result.incidents, now, duplicates_from)
        if disputes:
            new, result.disputes = _apply_entity(
                conn, "dispute", disputes, lambda evs: fold_dispute(evs, tz, now)
            )
            result.new_events += new
    return result
