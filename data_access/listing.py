"""What the incident and dispute lists share: sorting by a column's display name,
paging, and streaming a whole result without holding it in memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, Select, and_, func
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from data_access.models import CodeName, Department, Grid, Town

NAME_TABLES = {"town": Town, "grid": Grid, "department": Department}
STREAM_BATCH = 2000


@dataclass(frozen=True)
class Sort:
    """One whitelisted column (checked by each list's SORTABLE) and a direction."""

    column: str
    descending: bool = False


def by_name(
    query: Select, column: ColumnElement, kind: str, lang: str
) -> tuple[Select, ColumnElement]:
    """`query` joined to the names of `kind`, and the expression that sorts by the name in
    `lang` (a code without a name sorts as itself)."""
    model = NAME_TABLES.get(kind)
    if model is None:
        names = aliased(CodeName)
        onclause = and_(names.kind == kind, names.code == column)
    else:
        names = aliased(model)
        onclause = names.code == column
    name = names.name_zh if lang == "zh" else names.name_en
    return query.outerjoin(names, onclause), func.coalesce(name, column)


def order(
    query: Select, keys: list[tuple[ColumnElement, bool]], descending: bool, tie: ColumnElement
) -> Select:
    """Sorted by `keys`, (expression, nullable) pairs, then by `tie` for a stable order
    (pages never overlap or skip rows). Empty values go last either way; keys that are
    never empty are left without NULLS LAST so an index can serve the order."""
    ordered = []
    for key, nullable in keys:
        term = key.desc() if descending else key.asc()
        ordered.append(term.nulls_last() if nullable else term)
    return query.order_by(*ordered, tie.desc() if descending else tie.asc())


def page(engine: Engine, query: Select, start: int, stop: int) -> list[dict]:
    """Rows [start, stop) of an ordered query."""
    with engine.connect() as conn:
        rows = conn.execute(query.offset(start).limit(max(stop - start, 0)))
        return [row._asdict() for row in rows]


def count(engine: Engine, query: Select) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def stream(engine: Engine, query: Select, batch: int = STREAM_BATCH) -> Iterator[dict]:
    """Every row of `query`, fetched `batch` at a time through a server-side cursor."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for row in result:
            yield row._asdict()
