"""Which grids touch on the map: from the grid polygons in master data, computed once.

Two grids are adjacent when their boundaries come within TOUCH_M of each other (a shared
edge or only a corner), so polygons drawn by hand whose vertices do not quite coincide
still touch. Pure geometry on the exterior rings, without shapely: the pairs whose boxes
overlap are tested vertex against segment in a local flat projection (exact enough over
a county). Ingest reads it to look for duplicate candidates in the neighbouring grids too
(worker.duplicates); it is read from SQL at most once per CACHE_SECONDS per database
(every time while no grid is loaded), so reloaded master data is picked up without a
restart.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from data_access.models import Grid

TOUCH_M = 5.0  # boundaries this close touch
CACHE_SECONDS = 600.0
_METRES_PER_DEGREE = 111_320.0

Ring = Sequence[Sequence[float]]  # (lon, lat) points, closed


@dataclass(frozen=True)
class GridMap:
    """Each grid's town and its adjacent grids (codes unknown to master data have none)."""

    towns: dict[str, str] = field(default_factory=dict)
    adjacent: dict[str, frozenset[str]] = field(default_factory=dict)

    def around(self, grid: str | None) -> tuple[list[str], list[str]]:
        """(the grid and its adjacent grids, their towns), each sorted; ([], []) for no grid."""
        if grid is None:
            return [], []
        grids = sorted({grid, *self.adjacent.get(grid, ())})
        return grids, sorted({self.towns[g] for g in grids if g in self.towns})


def _flat(ring: Ring, lat0: float) -> list[tuple[float, float]]:
    scale = math.cos(math.radians(lat0))
    return [(lon * _METRES_PER_DEGREE * scale, lat * _METRES_PER_DEGREE) for lon, lat in ring]


def _to_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    k = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    )
    return math.hypot(p[0] - a[0] - k * dx, p[1] - a[1] - k * dy)


def _near(points: list, ring: list, tolerance: float) -> bool:
    segments = list(zip(ring, ring[1:], strict=False))
    return any(_to_segment(p, a, b) <= tolerance for p in points for a, b in segments)


def adjacency(rings: dict[str, Ring], tolerance_m: float = TOUCH_M) -> dict[str, frozenset[str]]:
    """Every grid's adjacent grids, from its exterior ring."""
    if not rings:
        return {}
    lat0 = sum(lat for ring in rings.values() for _, lat in ring) / sum(map(len, rings.values()))
    flat = {code: _flat(ring, lat0) for code, ring in rings.items()}
    boxes = {
        code: (
            min(x for x, _ in r),
            min(y for _, y in r),
            max(x for x, _ in r),
            max(y for _, y in r),
        )
        for code, r in flat.items()
    }
    found: dict[str, set[str]] = {code: set() for code in rings}
    codes = sorted(rings)
    for i, a in enumerate(codes):
        ax0, ay0, ax1, ay1 = boxes[a]
        for b in codes[i + 1 :]:
            bx0, by0, bx1, by1 = boxes[b]
            if bx0 > ax1 + tolerance_m or ax0 > bx1 + tolerance_m:
                continue
            if by0 > ay1 + tolerance_m or ay0 > by1 + tolerance_m:
                continue
            if _near(flat[a], flat[b], tolerance_m) or _near(flat[b], flat[a], tolerance_m):
                found[a].add(b)
                found[b].add(a)
    return {code: frozenset(near) for code, near in found.items()}


def grid_map(rows: Iterable[tuple[str, str, Ring]]) -> GridMap:
    """A GridMap from (code, town, exterior ring) rows."""
    rows = list(rows)
    return GridMap(
        towns={code: town for code, town, _ in rows},
        adjacent=adjacency({code: ring for code, _, ring in rows}),
    )


_cache: dict[str, tuple[float, GridMap]] = {}


def read_grid_map(conn: Connection) -> GridMap:
    """The database's grids as a GridMap, computed at most once per CACHE_SECONDS."""
    key = conn.engine.url.render_as_string(hide_password=True)
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    rows = conn.execute(select(Grid.code, Grid.town, Grid.geometry))
    found = grid_map(
        (code, town, json.loads(geometry)["coordinates"][0]) for code, town, geometry in rows
    )
    if found.towns:  # none loaded yet: ask again next time
        _cache[key] = (time.monotonic(), found)
    return found
