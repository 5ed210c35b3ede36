"""Master data: the county's files, their idempotent load into SQL, and the names catalog.

A county ships its own files in CC_DATA_DIR/masterdata (else the demo county's in
`masterdata/`): towns.csv, communities.csv, grids.geojson, departments.csv, codes.csv,
sla.csv and county.json. Loading upserts and never deletes, so codes that history
already uses keep their names. Readers get plain data, never figures.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.models import CodeName, Community, Department, Grid, SlaRule, Town
from data_access.sla import RULE_HEADER, Sla, load_sla, read_rules

__all__ = ["load_sla"]  # where the seeder and the tests have always found it

TABLE_KINDS = {"town": Town, "community": Community, "grid": Grid, "department": Department}
COUNTY_KIND = "county"


@dataclass
class MasterData:
    """The files' content as rows (dicts keyed by column name) and the county's facts."""

    county: dict
    towns: list[dict] = field(default_factory=list)
    communities: list[dict] = field(default_factory=list)
    grids: list[dict] = field(default_factory=list)  # with `geometry` as a dict
    departments: list[dict] = field(default_factory=list)
    codes: list[dict] = field(default_factory=list)
    # rows of sla.csv (`category,priority,channel,limit`) plus `hours`, the limit as the
    # demo generators pace it (Sla.hours)
    sla: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class GridShape:
    code: str
    town: str
    community: str | None
    name_zh: str
    name_en: str
    households: int | None
    ring: list[tuple[float, float]]  # exterior ring, (lon, lat), closed
    center: tuple[float, float]  # (lat, lon)


def _csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def ring_centroid(ring: Sequence[Sequence[float]]) -> tuple[float, float]:
    """Area centroid (lon, lat) of a closed ring; the vertex mean if it has no area."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-15:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * area), cy / (3 * area)


def read_masterdata(directory: Path) -> MasterData:
    """Parse a master data folder (missing files are empty) into rows ready for SQL."""
    directory = Path(directory)
    county_file = directory / "county.json"
    county = json.loads(county_file.read_text(encoding="utf-8")) if county_file.exists() else {}
    data = MasterData(county=county)
    data.towns = [
        {
            "code": r["code"],
            "name_zh": r.get("name_zh") or r["code"],
            "name_en": r.get("name_en") or r["code"],
            "kind": r.get("kind") or "town",
            "sort": int(r.get("sort") or i),
        }
        for i, r in enumerate(_csv(directory / "towns.csv"))
    ]
    data.communities = [
        {
            "code": r["code"],
            "town": r["town"],
            "name_zh": r.get("name_zh") or r["code"],
            "name_en": r.get("name_en") or r["code"],
        }
        for r in _csv(directory / "communities.csv")
    ]
    data.departments = [
        {
            "code": r["code"],
            "name_zh": r.get("name_zh") or r["code"],
            "name_en": r.get("name_en") or r["code"],
        }
        for r in _csv(directory / "departments.csv")
    ]
    data.codes = [
        {
            "kind": r["kind"],
            "code": r["code"],
            "name_zh": r.get("name_zh") or r["code"],
            "name_en": r.get("name_en") or r["code"],
        }
        for r in _csv(directory / "codes.csv")
    ]
    rules = read_rules(directory / "sla.csv") if (directory / "sla.csv").exists() else []
    sla = Sla({(r["category"], r["priority"], r["channel"]): r["limit"] for r in rules})
    data.sla = [{**r, "hours": sla.hours(r["category"], r["priority"])} for r in rules]
    grids_file = directory / "grids.geojson"
    features = (
        json.loads(grids_file.read_text(encoding="utf-8"))["features"]
        if grids_file.exists()
        else []
    )
    for feature in features:
        props = feature["properties"]
        ring = feature["geometry"]["coordinates"][0]
        lon, lat = ring_centroid(ring)
        data.grids.append(
            {
                "code": props["code"],
                "town": props["town"],
                "community": props.get("community") or None,
                "name_zh": props.get("name_zh") or props["code"],
                "name_en": props.get("name_en") or props["code"],
                "households": int(props["households"]) if props.get("households") else None,
                "geometry": feature["geometry"],
                "center_lat": round(lat, 6),
                "center_lon": round(lon, 6),
            }
        )
    return data


def _upsert(conn, model, rows: list[dict], keys: list[str]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model.__table__)
    columns = {c: getattr(stmt.excluded, c) for c in rows[0] if c not in keys}
    for start in range(0, len(rows), 500):
        conn.execute(
            stmt.on_conflict_do_update(index_elements=keys, set_=columns),
            rows[start : start + 500],
        )


def load_masterdata(engine: Engine, directory: Path) -> MasterData:
    """Upsert a master data folder into SQL (same result however often it runs)."""
    data = read_masterdata(directory)
    grids = [
        {**g, "geometry": json.dumps(g["geometry"], separators=(",", ":"))} for g in data.grids
    ]
    codes = list(data.codes)
    if data.county.get("name_zh") or data.county.get("name_en"):
        codes.append(
            {
                "kind": COUNTY_KIND,
                "code": data.county.get("code") or "county",
                "name_zh": data.county.get("name_zh") or data.county.get("name_en"),
                "name_en": data.county.get("name_en") or data.county.get("name_zh"),
            }
        )
    with engine.begin() as conn:
        _upsert(conn, Town, data.towns, ["code"])
        _upsert(conn, Community, data.communities, ["code"])
        _upsert(conn, Grid, grids, ["code"])
        _upsert(conn, Department, data.departments, ["code"])
        _upsert(conn, CodeName, codes, ["kind", "code"])
        # the rules are replaced, not merged: a rule left out must stop applying
        conn.execute(delete(SlaRule))
        rules = [{k: r[k] for k in RULE_HEADER} for r in data.sla]
        _upsert(conn, SlaRule, rules, list(RULE_HEADER[:3]))
    return data


@dataclass(frozen=True)
class Catalog:
    """Display names of every code; an unknown code is shown as itself (CONTRACT 1)."""

    names: dict[tuple[str, str], tuple[str, str]]

    def name(self, kind: str, code: str | None, lang: str = "en") -> str:
        if code is None:
            return ""
        pair = self.names.get((kind, code))
        if pair is None:
            return code
        return pair[0] if lang == "zh" else pair[1]

    def codes(self, kind: str) -> list[str]:
        """Known codes of a kind, in master data order."""
        return [code for k, code in self.names if k == kind]

    def county_name(self, lang: str = "en", override: str | None = None) -> str:
        """CC_COUNTY_NAME ('zh|en' or one name for both) wins over the master data."""
        if override:
            zh, _, en = override.partition("|")
            return (zh if lang == "zh" else en or zh).strip()
        for (kind, _code), (zh, en) in self.names.items():
            if kind == COUNTY_KIND:
                return zh if lang == "zh" else en
        return "本县" if lang == "zh" else "County"


def load_catalog(engine: Engine) -> Catalog:
    names: dict[tuple[str, str], tuple[str, str]] = {}
    with engine.connect() as conn:
        towns = conn.execute(
            select(Town.code, Town.name_zh, Town.name_en).order_by(Town.sort, Town.code)
        )
        for code, zh, en in towns:
            names[("town", code)] = (zh, en)
        for kind in ("community", "grid", "department"):
            model = TABLE_KINDS[kind]
            rows = conn.execute(select(model.code, model.name_zh, model.name_en).order_by("code"))
            for code, zh, en in rows:
                names[(kind, code)] = (zh, en)
        rows = conn.execute(
            select(CodeName.kind, CodeName.code, CodeName.name_zh, CodeName.name_en)
        )
        for kind, code, zh, en in rows:
            names[(kind, code)] = (zh, en)
    return Catalog(names)


def town_kinds(engine: Engine, codes: tuple[str, ...]) -> set[str]:
    """The kinds (`town`, `street`) of the towns `codes` known to the master data."""
    with engine.connect() as conn:
        return set(conn.execute(select(Town.kind).where(Town.code.in_(codes))).scalars())


def grid_geometries(engine: Engine) -> list[GridShape]:
    """Every grid's polygon and centre, for maps."""
    with engine.connect() as conn:
        rows = conn.execute(select(Grid.__table__).order_by(Grid.town, Grid.code)).all()
    shapes = []
    for grid in rows:
        ring = [tuple(p) for p in json.loads(grid.geometry)["coordinates"][0]]
        if grid.center_lat is None or grid.center_lon is None:
            lon, lat = ring_centroid(ring)
        else:
            lat, lon = grid.center_lat, grid.center_lon
        shapes.append(
            GridShape(
                code=grid.code,
                town=grid.town,
                community=grid.community,
                name_zh=grid.name_zh,
                name_en=grid.name_en,
                households=grid.households,
                ring=ring,
                center=(lat, lon),
            )
        )
    return shapes
