"""Duplicate candidates, found by ingest as each new incident arrives (issue 19).

For every incident whose `reported` event is new in a batch and that is open, the
incidents of its town and category reported within the window (common.duplicates.WINDOW)
either side, open or closed (a problem closed and reported again is the signal leaders
want) but neither rejected nor merged, in its grid or within RADIUS_M of it, are read
(at most NEIGHBOURS, the latest reported; through `ix_incidents_town_category_day`) and scored;
pairs at or above the threshold are written to `duplicate_candidates`, the later-reported
incident first, in the batch's own transaction, so a replayed batch finds what it found.
A pair staff dismissed is never written again. On PostgreSQL the whole batch is one
query (a LATERAL join over the new incidents); SQLite asks once per incident, in process.
Switched by CC_DUPLICATE_CANDIDATES (on by default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Float, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from common import duplicates
from common.vocabulary import CREATED, EXCLUDED_STATUSES, OPEN_STATUSES
from data_access.models import DuplicateCandidate, DuplicateDismissal, UTCDateTime
from worker.contract import Event

NEIGHBOURS = 50  # incidents scored per new incident, the latest reported
_METRES_PER_DEGREE = 111_320.0

_COLUMNS = "i.id, i.reported_at, i.grid, i.lat, i.lon, i.title, i.description, i.reporter_phone"
_EXCLUDED = ", ".join(repr(s) for s in EXCLUDED_STATUSES)
# {p}: how the new incident's values are named, ':name' (a bound value) or 'q.name'
_NEAR = f"""
SELECT {_COLUMNS} FROM incidents i
WHERE i.town = {{p}}town AND i.category = {{p}}category
  AND i.reported_day BETWEEN {{p}}day0 AND {{p}}day1
  AND i.reported_at BETWEEN {{p}}t0 AND {{p}}t1
  AND i.id <> {{p}}id AND i.status NOT IN ({_EXCLUDED})
  AND (i.grid = {{p}}grid
       OR (i.lat BETWEEN {{p}}lat0 AND {{p}}lat1 AND i.lon BETWEEN {{p}}lon0 AND {{p}}lon1))
ORDER BY i.reported_at DESC LIMIT {NEIGHBOURS}
"""
_TYPES = {"reported_at": UTCDateTime, "lat": Float, "lon": Float}
_SQLITE = text(_NEAR.format(p=":")).columns(**_TYPES)
_ARRAYS = {
    "id": "text", "town": "text", "category": "text", "day0": "date", "day1": "date",
    "t0": "timestamp", "t1": "timestamp", "grid": "text", "lat0": "float8",
    "lat1": "float8", "lon0": "float8", "lon1": "float8",
}  # fmt: skip
_POSTGRES = text(
    "SELECT q.id AS new_id, n.* FROM unnest("
    + ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _ARRAYS.items())
    + f") AS q({', '.join(_ARRAYS)}) CROSS JOIN LATERAL ({_NEAR.format(p='q.')}) AS n"
).columns(**_TYPES)


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


def _params(row: dict) -> dict:
    """The new incident's bounds: window in time, box around its point."""
    lat, lon = row.get("lat"), row.get("lon")
    if lat is None or lon is None:
        lat0 = lat1 = lon0 = lon1 = None
    else:
        dlat = duplicates.RADIUS_M / _METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        lat0, lat1, lon0, lon1 = lat - dlat, lat + dlat, lon - dlon, lon + dlon
    days = timedelta(days=duplicates.WINDOW.days + 1)
    return {
        "id": row["id"],
        "town": row["town"],
        "category": row["category"],
        "day0": row["reported_day"] - days,
        "day1": row["reported_day"] + days,
        "t0": _naive(row["reported_at"] - duplicates.WINDOW),
        "t1": _naive(row["reported_at"] + duplicates.WINDOW),
        "grid": row.get("grid"),
        "lat0": lat0,
        "lat1": lat1,
        "lon0": lon0,
        "lon1": lon1,
    }


def _report(row) -> duplicates.Report:
    return duplicates.report(
        row["id"],
        row["reported_at"],
        row["grid"],
        row["lat"],
        row["lon"],
        row["title"],
        row["description"],
        row["reporter_phone"],
    )


def _neighbours(conn: Connection, rows: list[dict]) -> list[tuple[str, dict]]:
    """(new incident's id, a neighbour's row) for every new incident."""
    if conn.dialect.name == "postgresql":
        params = [_params(r) for r in rows]
        arrays = {name: [p[name] for p in params] for name in _ARRAYS}
        return [(m["new_id"], m) for m in conn.execute(_POSTGRES, arrays).mappings()]
    return [(row["id"], m) for row in rows for m in conn.execute(_SQLITE, _params(row)).mappings()]


def _dismissed(conn: Connection, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    columns = (DuplicateDismissal.incident_id, DuplicateDismissal.candidate_id)
    for chunk in range(0, len(pairs), 500):
        query = select(*columns).where(tuple_(*columns).in_(pairs[chunk : chunk + 500]))
        found |= {tuple(r) for r in conn.execute(query)}
    return found


def find(
    conn: Connection,
    new: Sequence[Event],
    incidents: Sequence[dict],
    now: datetime,
    threshold: float = duplicates.THRESHOLD,
) -> int:
    """Score the batch's newly reported open incidents against their neighbours and write
    the pairs at or above `threshold` (dismissed ones aside); returns how many."""
    created = {e.id for e in new if e.entity == "incident" and e.status == CREATED}
    rows = [r for r in incidents if r["id"] in created and r["status"] in OPEN_STATUSES]
    if not rows:
        return 0
    reports = {r["id"]: _report(r) for r in rows}
    pairs: dict[tuple[str, str], duplicates.Match] = {}
    for new_id, neighbour in _neighbours(conn, rows):
        a = reports[new_id]
        b = reports.get(neighbour["id"]) or _report(neighbour)
        later, earlier = sorted((a, b), key=lambda r: (r.at, r.id), reverse=True)
        key = (later.id, earlier.id)
        if key in pairs:
            continue
        match = duplicates.score(a, b)
        if match.score >= threshold:
            pairs[key] = match
    if not pairs:
        return 0
    keys = sorted(set(pairs) - _dismissed(conn, list(pairs)))
    values = [
        {
            "incident_id": later,
            "candidate_id": earlier,
            "score": pairs[(later, earlier)].score,
            "distance_m": pairs[(later, earlier)].distance_m,
            "hours": pairs[(later, earlier)].hours,
            "text": pairs[(later, earlier)].text,
            "same_caller": pairs[(later, earlier)].same_caller,
            "found_at": now,
        }
        for later, earlier in keys
    ]
    if values:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(DuplicateCandidate.__table__).on_conflict_do_nothing()
        conn.execute(stmt, values)
    return len(values)
