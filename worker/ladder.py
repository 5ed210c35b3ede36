"""The escalation ladder (CC_ESCALATION_LADDER, CONTRACT section 2): the product itself
escalates open overdue incidents, rung by rung, through the stream.

It runs inside every ingest process (worker.ingest calls `tick` from its loop), every
`TICK_SECONDS`:
- one process acts per tick: the first to take the tick's token in Redis (SET NX with an
  expiry) reads the candidates and sends; the others skip that tick;
- the candidates are the open incidents below a rung's level whose deadline in force is
  at least that rung's limit ago, read by the partial index `ix_incidents_ladder`; the
  calendar then decides the working-day rungs exactly (common.ladder);
- each rung reached above the incident's level (manual escalations included, so a level
  raised by hand is never lowered nor repeated) becomes one `escalated` event with
  `level`, `actor` `system` and `event_id` `ladder:<id>:<level>`, added by a Lua script
  that first sets the event's sent-marker (SET NX): a retry, a slow tick overlapping the
  next one, or another process can never add it twice, even before ingest has applied it.

Like any producer, it changes no incident itself: ingest applies the events it adds, so
the wall, the lists, the timeline and the API learn of the escalation the same way as of
a person's 督办.
"""

from __future__ import annotations

from datetime import datetime

import redis
from sqlalchemy import Connection, Engine, bindparam, select

from common.clock import iso_local
from common.config import Settings
from common.ladder import Ladder, due_levels, earliest
from common.vocabulary import ESCALATED, SYSTEM_ACTOR
from common.workdays import Calendar
from data_access.kpis import is_open
from data_access.models import Incident

TICK_SECONDS = 5.0
TICK_TOKEN_SECONDS = 60  # a tick's token outlives its window, so it is never run twice
SENT_MARKER_SECONDS = 30 * 86400  # far longer than any ingest lag; then SQL's level decides
MAX_EVENTS_PER_TICK = 5000  # a ladder just turned on catches up over a few ticks

# Set the event's sent-marker and, only if this call set it, XADD the event.
_SEND = """
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
  return 1
end
return 0
"""


def event_id(incident_id: str, level: int) -> str:
    return f"ladder:{incident_id}:{level}"


def window(now: datetime) -> int:
    """The tick an instant falls in (the same number on every host)."""
    return int(now.timestamp() // TICK_SECONDS)


def candidates(conn: Connection, ladder: Ladder, now: datetime) -> list:
    """(id, deadline, escalation_level) of the open incidents that may have reached their
    next rung, oldest deadlines first. One query per rung: the levels from the rung below
    up to it, each an equality, with a deadline at least the soonest limit of this rung
    or any above it ago, so each is a range of `ix_incidents_ladder`."""
    rows, below = [], 0
    for i, rung in enumerate(ladder):
        soonest = min(earliest(higher.limit) for higher in ladder[i:])
        levels = bindparam("levels", list(range(below, rung.level)), expanding=True)
        query = select(Incident.id, Incident.deadline, Incident.escalation_level).where(
            is_open(), Incident.escalation_level.in_(levels), Incident.deadline <= now - soonest
        )
        rows += conn.execute(query)
        below = rung.level
    return sorted(rows, key=lambda row: (row.deadline, row.id))


def due(
    conn: Connection, ladder: Ladder, cal: Calendar, settings: Settings, now: datetime
) -> list[tuple[str, int]]:
    """(incident id, level) of every rung reached by now and not yet sent, oldest first."""
    return [
        (row.id, level)
        for row in candidates(conn, ladder, now)
        for level in due_levels(ladder, row.deadline, row.escalation_level, now, cal, settings.tz)
    ][:MAX_EVENTS_PER_TICK]


def escalated_fields(incident_id: str, level: int, at: datetime, settings: Settings) -> dict:
    return {
        "event_id": event_id(incident_id, level),
        "entity": "incident",
        "id": incident_id,
        "status": ESCALATED,
        "ts": iso_local(at, settings.tz),
        "actor": SYSTEM_ACTOR,
        "level": str(level),
    }


def send(
    r: redis.Redis, settings: Settings, escalations: list[tuple[str, int]], now: datetime
) -> int:
    """Add each escalation's event unless it was ever added; the number added."""
    script = r.register_script(_SEND)
    pipe = r.pipeline(transaction=False)
    for incident_id, level in escalations:
        args: list = [SENT_MARKER_SECONDS]
        for name, value in escalated_fields(incident_id, level, now, settings).items():
            args += [name, value]
        marker = settings.key(f"ladder:sent:{incident_id}:{level}")
        script(keys=[settings.stream_key, marker], args=args, client=pipe)
    return sum(pipe.execute())


def tick(
    engine: Engine, r: redis.Redis, settings: Settings, cal: Calendar, now: datetime, holder: str
) -> int | None:
    """One tick of the ladder, if no process took `now`'s tick before: the number of
    events added, or None when another process holds the tick (or there is no ladder)."""
    ladder = settings.escalation_ladder
    token = settings.key(f"ladder:tick:{window(now)}")
    if not ladder or not r.set(token, holder, nx=True, ex=TICK_TOKEN_SECONDS):
        return None
    with engine.connect() as conn:
        escalations = due(conn, ladder, cal, settings, now)
    return send(r, settings, escalations, now) if escalations else 0
