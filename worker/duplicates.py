"""Duplicate candidates, found by ingest as each new incident arrives (issue 19).

For every incident whose `reported` event is new in a batch and that is open, the
incidents of its category reported within the window (common.duplicates.WINDOW) either
side, open or closed (a problem closed and reported again is the signal leaders want) but
neither rejected nor merged, in its grid, in a grid adjacent to it on the map when either
report has no point (data_access.grid_adjacency; a problem on a grid's edge is reported on
either side), or within RADIUS_M of it, in its town or an adjacent grid's, are read (at
most NEIGHBOURS, the latest reported; through `ix_incidents_town_category_day`) and
scored; pairs at or above the threshold are written to `duplicate_candidates`, the later-reported
incident first, in the batch's own transaction, so a replayed batch finds what it found.
A pair staff dismissed is never written again. On PostgreSQL the whole batch is one
query (a LATERAL join over the new incidents); SQLite asks once per incident, in process.
Switched by CC_DUPLICATE_CANDIDATES (on by default).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Float, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from common import duplicates
from common.vocabulary import CREATED, EXCLUDED_STATUSES, OPEN_STATUSES
from data_access.grid_adjacency import GridMap, read_grid_map
from data_access.models import DuplicateCandidate, DuplicateDismissal, UTCDateTime
from worker.contract import Event

NEIGHBOURS = 50  # incidents scored per new incident, the latest reported
_METRES_PER_DEGREE = 111_320.0

_COLUMNS = "i.id, i.reported_at, i.grid, i.lat, i.lon, i.title, i.description, i.reporter_phone"
_EXCLUDED = ", ".join(repr(s) for s in EXCLUDED_STATUSES)
# {p}: how the new incident's values are named, ':name' (a bound value) or 'q.name';
# {towns}, {grids}: i's town and grid are among the new incident's own and its adjacent
# grids' (bound as JSON lists). A report in an adjacent grid is read only when one of the
# two has no point: with both, the distance decides and the box finds those near enough.
_NEAR = f"""
SELECT {_COLUMNS} FROM incidents i
WHERE {{towns}} AND i.category = {{p}}category
  AND i.reported_day BETWEEN {{p}}day0 AND {{p}}day1
  AND i.reported_at BETWEEN {{p}}t0 AND {{p}}t1
  AND i.id <> {{p}}id AND i.status NOT IN ({_EXCLUDED})
  AND (i.grid = {{p}}grid
       OR ({{grids}} AND ({{p}}lat0 IS NULL OR i.lat IS NULL OR i.lon IS NULL))
       OR (i.lat BETWEEN {{p}}lat0 AND {{p}}lat1 AND i.lon BETWEEN {{p}}lon0 AND {{p}}lon1))
ORDER BY i.reported_at DESC LIMIT {NEIGHBOURS}
"""
_TYPES = {"reported_at": UTCDateTime, "lat": Float, "lon": Float}
_SQLITE = text(
    _NEAR.format(
        p=":",
        towns="i.town IN (SELECT value FROM json_each(:towns))",
        grids="i.grid IN (SELECT value FROM json_each(:grids))",
    )
).columns(**_TYPES)
_ARRAYS = {
    "id": "text", "towns": "text", "category": "text", "day0": "date", "day1": "date",
    "t0": "timestamp", "t1": "timestamp", "grid": "text", "grids": "text", "lat0": "float8",
    "lat1": "float8", "lon0": "float8", "lon1": "float8",
}  # fmt: skip
# = ANY(an array): an index condition, as `i.town = q.town` was
_PG_IN = "i.{} = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(q.{}s AS jsonb))))"
_POSTGRES = text(
    "SELECT q.id AS new_id, n.* FROM unnest("
    + ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _ARRAYS.items())
    + f") AS q({', '.join(_ARRAYS)}) CROSS JOIN LATERAL ("
    + _NEAR.format(p="q.", towns=_PG_IN.format("town", "town"), grids=_PG_IN.format("grid", "grid"))
    + ") AS n"
).columns(**_TYPES)


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


def _params(row: dict, grids: GridMap) -> dict:
    """The new incident's bounds: window in time, its grid and the adjacent ones (and
    their towns), box around its point."""
    lat, lon = row.get("lat"), row.get("lon")
    if lat is None or lon is None:
        lat0 = lat1 = lon0 = lon1 = None
    else:
        dlat = duplicates.RADIUS_M / _METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        lat0, lat1, lon0, lon1 = lat - dlat, lat + dlat, lon - dlon, lon + dlon
    days = timedelta(days=duplicates.WINDOW.days + 1)
    near, towns = grids.around(row.get("grid"))
    return {
        "id": row["id"],
        "towns": json.dumps(sorted({row["town"], *towns})),
        "category": row["category"],
        "day0": row["reported_day"] - days,
        "day1": row["reported_day"] + days,
        "t0": _naive(row["reported_at"] - duplicates.WINDOW),
        "t1": _naive(row["reported_at"] + duplicates.WINDOW),
        "grid": row.get("grid"),
        "grids": json.dumps(near),
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


def _neighbours(conn: Connection, rows: list[dict], grids: GridMap) -> list[tuple[str, dict]]:
    """(new incident's id, a neighbour's row) for every new incident."""
    params = [_params(r, grids) for r in rows]
    if conn.dialect.name == "postgresql":
        arrays = {name: [p[name] for p in params] for name in _ARRAYS}
        return [(m["new_id"], m) for m in conn.execute(_POSTGRES, arrays).mappings()]
    return [(p["id"], m) for p in params for m in conn.execute(_SQLITE, p).mappings()]


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
    grids = read_grid_map(conn)
    pairs: dict[tuple[str, str], duplicates.Match] = {}
    for new_id, neighbour in _neighbours(conn, rows, grids):
        a = reports[new_id]
        b = reports.get(neighbour["id"])
        if b is None:  # a neighbour of several new incidents is read into a Report once
            b = reports[neighbour["id"]] = _report(neighbour)
        later, earlier = sorted((a, b), key=lambda r: (r.at, r.id), reverse=True)
        key = (later.id, earlier.id)
        if key in pairs:
            continue
        match = duplicates.score(a, b, b.grid in grids.adjacent.get(a.grid, ()))
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
