"""Duplicate candidates as staff see them (issue 19), and their dismissals.

Candidates are found by ingest (worker.duplicates); this reads them, with the other
incident's few facts, and records a dismissal (the web tier's own record, like the audit
log). A pair is shown while neither side is merged or rejected and it was not dismissed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from common.vocabulary import EXCLUDED_STATUSES, MERGED
from data_access.models import DuplicateCandidate, DuplicateDismissal, Incident
from data_access.scoping import incident_in_scope

C, D = DuplicateCandidate, DuplicateDismissal


class NotACandidate(ValueError):
    """The two ids are not a candidate pair (or it was dismissed already)."""


def _live_pairs():
    """Candidate rows, not dismissed, both incidents neither merged nor rejected, and both
    inside the caller's scope."""
    later, earlier = aliased(Incident), aliased(Incident)
    dismissed = exists().where(
        and_(D.incident_id == C.incident_id, D.candidate_id == C.candidate_id)
    )
    return (
        select(
            C.incident_id,
            C.candidate_id,
            C.score,
            C.distance_m,
            C.hours,
            C.text,
            C.same_caller,
            C.found_at,
            later.title.label("incident_title"),
            later.status.label("incident_status"),
            earlier.title.label("candidate_title"),
            earlier.status.label("candidate_status"),
        )
        .join(later, later.id == C.incident_id)
        .join(earlier, earlier.id == C.candidate_id)
        .where(
            ~dismissed,
            later.status.not_in(EXCLUDED_STATUSES),
            earlier.status.not_in(EXCLUDED_STATUSES),
            *incident_in_scope(later),
            *incident_in_scope(earlier),
        )
    )


def candidates_for(engine: Engine, incident_id: str) -> list[dict]:
    """The incident's shown candidates, best first: each pair with `other` (the other
    incident's id) and whether this incident is the later report (`later`)."""
    query = (
        _live_pairs()
        .where(or_(C.incident_id == incident_id, C.candidate_id == incident_id))
        .order_by(C.score.desc(), C.incident_id, C.candidate_id)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["later"] = row["incident_id"] == incident_id
        row["other"] = row["candidate_id"] if row["later"] else row["incident_id"]
    return rows


def recent_candidates(engine: Engine, since: datetime, limit: int = 200) -> list[dict]:
    """The shown pairs found since `since`, best first: a clerk's queue."""
    query = (
        _live_pairs()
        .where(C.found_at >= since)
        .order_by(C.score.desc(), C.found_at.desc(), C.incident_id, C.candidate_id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def candidate_pair(engine: Engine, a: str, b: str) -> dict:
    """The shown candidate pair of a and b (either order), or NotACandidate."""
    query = _live_pairs().where(
        or_(
            and_(C.incident_id == a, C.candidate_id == b),
            and_(C.incident_id == b, C.candidate_id == a),
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotACandidate(f"{a} / {b}")
    return dict(row._mapping)


def dismiss(engine: Engine, a: str, b: str, actor: str, at: datetime) -> dict:
    """Remember that a and b are not duplicates; returns the pair. NotACandidate if they
    are not a shown pair."""
    pair = candidate_pair(engine, a, b)
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    row = {
        "incident_id": pair["incident_id"],
        "candidate_id": pair["candidate_id"],
        "dismissed_by": (actor or "?")[:128],
        "dismissed_at": at,
    }
    with engine.begin() as conn:  # two clerks at once: the first one's stays
        conn.execute(dialect.insert(D).values(**row).on_conflict_do_nothing())
    return pair


def merged_children(engine: Engine, incident_id: str, depth: int = 10) -> list[dict]:
    """The incidents now merged into this one, directly or through a chain (A into B, B
    into this: both, A with `via` B), level by level, oldest report first in each."""
    found: list[dict] = []
    seen, frontier = {incident_id}, [incident_id]
    columns = (Incident.id, Incident.title, Incident.reported_at, Incident.merged_into)
    with engine.connect() as conn:
        for _ in range(depth):
            query = (
                select(*columns)
                .where(
                    Incident.merged_into.in_(frontier),
                    Incident.status == MERGED,
                    *incident_in_scope(),
                )
                .order_by(Incident.reported_at, Incident.id)
            )
            level = [dict(r._mapping) for r in conn.execute(query) if r.id not in seen]
            if not level:
                break
            for row in level:
                row["via"] = None if row["merged_into"] == incident_id else row["merged_into"]
            seen |= {r["id"] for r in level}
            found += level
            frontier = [r["id"] for r in level]
    return found


def merge_state(engine: Engine, incident_id: str) -> tuple[str, str | None] | None:
    """(status, merged_into) of the incident, or None when unknown."""
    query = select(Incident.status, Incident.merged_into).where(
        Incident.id == incident_id, *incident_in_scope()
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else (row.status, row.merged_into)
