"""The set-based PostgreSQL path of worker.apply (same steps, same fold, same rows).

Per entity kind and batch: COPY the events into a session-temporary staging table and
insert them with one INSERT ... ON CONFLICT DO NOTHING RETURNING; read the touched ids'
earlier events (and their rows as they stand, which the summaries count now) with one
query each; fold in Python; COPY the folded rows into a second staging table and upsert
them with one statement; move the summary counts with one statement per summary table.
Everything goes through the driver's cursor: SQLAlchemy's statement compilation and row
processing cost more than the database's work here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from worker import summaries
from worker.contract import Event

_TABLES = {  # entity -> (events table, id column, state table)
    "incident": ("incident_events", "incident_id", "incidents"),
    "dispute": ("dispute_events", "dispute_id", "disputes"),
}
_EVENT_COLUMNS = ("event_id", "{id}", "status", "ts", "seq", "actor", "fields")
_TIMESTAMP, _TIMESTAMPTZ = 1114, 1184  # PostgreSQL's type oids, fixed


def fields_json(fields: dict) -> str:
    """An event's fields as stored: compact JSON, keys sorted, UTF-8 kept (orjson: the
    encoding is a noticeable share of ingest's time with the standard library)."""
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode()


def _staging(cur, table: str) -> tuple[str, dict[str, int]]:
    """A temporary table of `table`'s shape, one per session, emptied at every commit;
    and its columns' type oids (for binary COPY), read in the same round trip.

    Created (if missing) in every transaction: a rolled-back transaction takes its
    creation with it, so remembering it outside the database would be wrong."""
    name = f"_stage_{table}"
    cur.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} (LIKE {table}) ON COMMIT DELETE ROWS; "
        f"SELECT attname, atttypid FROM pg_attribute "
        f"WHERE attrelid = '{name}'::regclass AND attnum > 0 AND NOT attisdropped"
    )
    cur.nextset()
    return name, dict(cur.fetchall())


def _copy(cur, table: str, columns: list[str], rows) -> str:
    """COPY `rows` into `table`'s staging table, whose name it returns. In binary:
    psycopg formats a row several times faster than in text.

    Instants are aware datetimes, the columns `timestamp` holding naive UTC: dumped as
    `timestamptz`, whose binary form (microseconds since 2000-01-01 UTC) is exactly that
    of the naive UTC `timestamp`, they need no conversion here (a naive one is refused)."""
    stage, types = _staging(cur, table)
    with cur.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([_TIMESTAMPTZ if types[c] == _TIMESTAMP else types[c] for c in columns])
        for row in rows:
            copy.write_row(row)
    return stage


def _insert_events(cur, events_table: str, columns: list[str], events: list[Event]) -> set[str]:
    """COPY `events` to staging and append the unknown ones; their event_ids."""
    stage = _copy(
        cur,
        events_table,
        columns,
        ((e.event_id, e.id, e.status, e.ts, e.seq, e.actor, fields_json(e.fields)) for e in events),
    )
    cols = ", ".join(columns)
    cur.execute(
        f"INSERT INTO {events_table} ({cols}) SELECT {cols} FROM {stage} "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )
    return {row[0] for row in cur.fetchall()}


def _stored_events(cur, entity: str, by_id: dict[str, list[Event]], skip: set[str]) -> None:
    """Add to `by_id` every stored event of its ids but those in `skip` (in hand)."""
    events_table, id_column, _ = _TABLES[entity]
    # A batch touches few ids, so the index is always right; but until the table is
    # analysed the planner guesses a sequential scan, which makes ingest O(n^2).
    cur.execute("SET LOCAL enable_seqscan = off")
    cur.execute(
        f"SELECT {id_column}, event_id, status, ts, seq, actor, fields FROM {events_table} "
        f"WHERE {id_column} = ANY(%s)",
        (list(by_id),),
    )
    stored = cur.fetchall()
    cur.execute("SET LOCAL enable_seqscan = on")
    loads = orjson.loads
    for ident, event_id, status, ts, seq, actor, fields in stored:
        if event_id not in skip:
            by_id[ident].append(
                Event.checked(
                    event_id=event_id,
                    entity=entity,
                    id=ident,
                    status=status,
                    ts=ts.replace(tzinfo=UTC),
                    seq=seq,
                    actor=actor,
                    fields=loads(fields),
                )
            )


def _current_rows(cur, table: str, names: tuple[str, ...], ids: list[str]) -> list[dict]:
    """The rows of `ids` as they stand before this batch (the summaries' columns)."""
    cur.execute(f"SELECT {', '.join(names)} FROM {table} WHERE id = ANY(%s)", (ids,))
    return [{n: _aware(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _aware(value):
    """Timestamps as the model gives them: aware, in UTC."""
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value


def _upsert(cur, state_table: str, states: list[dict]) -> None:
    names = list(states[0])
    stage = _copy(cur, state_table, names, (tuple(s.values()) for s in states))
    updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in names if n != "id")
    cols = ", ".join(names)
    cur.execute(
        f"INSERT INTO {state_table} ({cols}) SELECT {cols} FROM {stage} "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )


_ARRAY_TYPES = {
    "day": "date",
    "month": "date",
    "bucket": "int",
    "via": "int",
    "bin": "int",
}  # summary key columns that are not text


def _move_summaries(cur, family: summaries.Family, old: list[dict], new: list[dict]) -> None:
    """summaries.apply_deltas, one statement per summary table (arrays, not rows)."""
    changed = summaries.deltas(old, new, family)
    for summary, changes in zip(family.summaries, changed, strict=True):
        if not changes:
            continue
        keys, counts = list(changes), summary.counts
        key_columns = [[k[i] for k in keys] for i in range(len(summary.keys))]
        count_columns = [[v[i] for v in changes.values()] for i in range(len(counts))]
        casts = ", ".join(
            [f"%s::{_ARRAY_TYPES.get(k, 'text')}[]" for k in summary.keys]
            + ["%s::int[]"] * len(counts)
        )
        table, names = summary.table, ", ".join(summary.keys)
        adds = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in counts)
        cur.execute(
            f"INSERT INTO {table} ({names}, {', '.join(counts)}) "
            f"SELECT * FROM unnest({casts}) ON CONFLICT ({names}) DO UPDATE SET {adds}",
            (*key_columns, *count_columns),
        )


def apply_entity(
    conn, entity: str, events: list[Event], fold, family: summaries.Family
) -> tuple[list[Event], list[dict]]:
    """Append `events` (unique event_ids) and re-fold every id a new one touches; move
    the `family`'s summary counts from the rows as they were to the rows as folded."""
    events_table, id_column, state_table = _TABLES[entity]
    columns = [c.format(id=id_column) for c in _EVENT_COLUMNS]
    with conn.connection.driver_connection.cursor() as cur:
        inserted = _insert_events(cur, events_table, columns, events)
        new = [e for e in events if e.event_id in inserted]
        by_id: dict[str, list[Event]] = {}
        for e in new:
            by_id.setdefault(e.id, []).append(e)
        if not by_id:
            return [], []
        _stored_events(cur, entity, by_id, inserted)
        states = [s for s in (fold(evs) for evs in by_id.values()) if s is not None]
        if not states:
            return new, states
        old = _current_rows(cur, state_table, family.columns, [s["id"] for s in states])
        _upsert(cur, state_table, states)
        _move_summaries(cur, family, old, states)
    return new, states
