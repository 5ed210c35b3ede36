"""Merging and unmerging duplicates (重复件) from the incident page: like escalation, the
web tier never changes an incident; it adds a `merged` event (with `into`) or a
`reopened` one (ending the merge) to the live stream with the person as actor, and ingest
applies it (CONTRACT 1). Dismissing a candidate is the web tier's own record."""

from __future__ import annotations

import uuid
from datetime import datetime

import redis
from sqlalchemy import Engine

from common.clock import iso_local
from common.config import Settings
from common.vocabulary import MERGED, REOPENED
from data_access.audit import audit
from data_access.duplicates import candidate_pair, dismiss, merge_state


class NotMerged(ValueError):
    """The incident is unknown or not merged: there is nothing to unmerge."""


def _send(r: redis.Redis, cfg: Settings, fields: dict[str, str]) -> str:
    entry_id = r.xadd(cfg.stream_key, fields)
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id


def _event(incident_id: str, status: str, actor: str, at: datetime, cfg: Settings) -> dict:
    return {
        "event_id": f"web-{status}-{uuid.uuid4().hex}",
        "entity": "incident",
        "id": incident_id,
        "status": status,
        "ts": iso_local(at, cfg.tz),
        "actor": actor,
    }


def merge(
    engine: Engine, r: redis.Redis, cfg: Settings, a: str, b: str, actor: str, at: datetime
) -> tuple[str, str]:
    """Merge the later report of the candidate pair (a, b) into the earlier one: XADD a
    `merged` event and audit it; returns (merged, into). Raises NotACandidate, or
    redis.RedisError when the stream cannot be reached (nothing audited then)."""
    pair = candidate_pair(engine, a, b)
    merged, into = pair["incident_id"], pair["candidate_id"]
    fields = _event(merged, MERGED, actor, at, cfg) | {"into": into}
    entry_id = _send(r, cfg, fields)
    detail = f"into={into} score={pair['score']} event_id={fields['event_id']} stream_id={entry_id}"
    audit(engine, actor, "merge", f"incident {merged}", detail)
    return merged, into


def unmerge(
    engine: Engine, r: redis.Redis, cfg: Settings, incident_id: str, actor: str, at: datetime
) -> str:
    """End a merge: XADD a `reopened` event and audit it; returns the id it was merged
    into. Raises NotMerged, or redis.RedisError."""
    state = merge_state(engine, incident_id)  # None outside the caller's scope too
    if state is None or state[0] != MERGED:
        raise NotMerged(incident_id)
    merged_into = state[1]
    fields = _event(incident_id, REOPENED, actor, at, cfg)
    entry_id = _send(r, cfg, fields)
    detail = f"was_into={merged_into} event_id={fields['event_id']} stream_id={entry_id}"
    audit(engine, actor, "unmerge", f"incident {incident_id}", detail)
    return merged_into


def dismiss_pair(engine: Engine, a: str, b: str, actor: str, at: datetime) -> None:
    """Remember that a and b are not duplicates, and audit it. Raises NotACandidate."""
    pair = dismiss(engine, a, b, actor, at)
    detail = f"candidate={pair['candidate_id']} score={pair['score']}"
    audit(engine, actor, "dismiss_duplicate", f"incident {pair['incident_id']}", detail)
