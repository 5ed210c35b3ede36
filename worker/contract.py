"""Validation of stream entries against CONTRACT section 1.

`parse_entry` turns one entry's flat string fields into an `Event`, or raises
`ContractError` whose message is the dead-letter reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from common.clock import parse_ts
from common.vocabulary import (
    BOOLEANS,
    DISPUTE_LIFECYCLE,
    EXTENDED,
    INCIDENT_LIFECYCLE,
    MAX_LEVEL,
    MEDIATION_TYPES,
    MERGED,
    PRIORITIES,
    RATED_STATUSES,
    SATISFACTION_SCORES,
)

MAX_FUTURE = timedelta(hours=24)
# second edition: every instant between 1970 and 2099 (a deadline of year 9999 passed the
# check, then overflowed when the fold moved it to local time, poisoning the incident)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_WORKING_DAYS = 365
# the widths of the SQL columns these fields land in; free text is capped too (a 1 MB
# title was stored and shown), and any other field, named or not, at DEFAULT_MAX_LENGTH
MAX_LENGTHS = {
    **dict.fromkeys(("town", "channel", "category", "grid", "department", "kind", "mediator"), 64),
    "reporter_phone": 64,
    "actor": 128,
    "event_id": 128,
    "id": 96,
    "title": 200,
    **dict.fromkeys(("description", "reason", "note"), 4000),
}
DEFAULT_MAX_LENGTH = 200
MAX_FIELDS = 64
MAX_NAME_LENGTH = 64

_REQUIRED = {
    ("incident", "reported"): ("channel", "category", "town"),
    ("incident", "dispatched"): ("department",),
    ("incident", "returned"): ("reason",),
    ("incident", "merged"): ("into",),
    ("dispute", "accepted"): ("kind", "town"),
}


class ContractError(ValueError):
    """An entry that breaks the contract; str(err) is the reason dead-lettered with it."""


@dataclass(frozen=True)
class Event:
    event_id: str
    entity: str  # incident | dispute
    id: str
    status: str
    ts: datetime  # aware UTC
    seq: int  # stream order (from the stream id); breaks ts ties
    actor: str | None
    fields: dict = field(hash=False, compare=False)  # every field as sent

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if value not in (None, "") else None

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.ts, self.seq)

    @classmethod
    def checked(cls, **values) -> Event:
        """Event(**values) for values already checked (a parsed entry, a stored row) at
        half the cost: a frozen dataclass's __init__ sets each field through
        object.__setattr__, a measurable share of ingest's time per event."""
        event = object.__new__(cls)
        event.__dict__.update(values)
        return event


def stream_seq(stream_id: str) -> int:
    """'1732512345678-3' -> a sortable integer (ms * 1e6 + n)."""
    ms, _, n = stream_id.partition("-")
    return int(ms) * 1_000_000 + int(n or 0)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _decode(raw: dict) -> dict[str, str]:
    try:  # the usual case, valid UTF-8 bytes from Redis: the decoder's fast path
        return {k.decode(): v.decode() for k, v in raw.items()}
    except (AttributeError, UnicodeDecodeError):  # str (tests, the seeder), mixed, invalid
        return {_text(k): _text(v) for k, v in raw.items()}


def _require(fields: dict[str, str], name: str) -> str:
    value = fields.get(name)
    if value is None:
        raise ContractError(f"missing required field '{name}'")
    if value.strip() == "":
        raise ContractError(f"empty required field '{name}'")
    return value


def _closed(fields: dict[str, str], name: str, allowed: tuple[str, ...]) -> None:
    value = fields.get(name)
    if value not in (None, "") and value not in allowed:
        raise ContractError(f"{name} '{value}' is not one of {', '.join(allowed)}")


def _coordinate(fields: dict[str, str], name: str, limit: float) -> None:
    value = fields.get(name)
    if value in (None, ""):
        return
    try:
        number = float(value)
    except ValueError:
        raise ContractError(f"{name} '{value}' is not a number") from None
    if not math.isfinite(number) or abs(number) > limit:
        raise ContractError(f"{name} '{value}' is out of range")


def _instant(fields: dict[str, str], name: str, tz: ZoneInfo) -> datetime | None:
    value = fields.get(name)
    if value in (None, ""):
        return None
    try:
        instant = parse_ts(value, tz)
    except (ValueError, OverflowError):
        raise ContractError(f"{name} '{value}' is not an ISO 8601 timestamp") from None
    if not EARLIEST <= instant < LATEST:
        raise ContractError(f"{name} '{value}' is before 1970 or after 2099")
    return instant


def _integer(fields: dict[str, str], name: str, low: int, high: int) -> None:
    value = fields.get(name)
    if value in (None, ""):
        return
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise ContractError(f"{name} '{value[:40]}' is not an integer from {low} to {high}")


def _sizes(fields: dict[str, str]) -> None:
    if len(fields) > MAX_FIELDS:
        raise ContractError(f"too many fields ({MAX_FIELDS} at most)")
    for name, value in fields.items():
        if len(name) > MAX_NAME_LENGTH:
            raise ContractError(f"field name '{name[:40]}...' is too long")
        limit = MAX_LENGTHS.get(name, DEFAULT_MAX_LENGTH)
        if len(value) > limit:
            raise ContractError(f"{name} is too long ({limit} characters at most)")


def _incident_fields(fields: dict[str, str], ident: str, status: str, tz: ZoneInfo) -> None:
    """The incident's closed sets, numbers and instants, by status (CONTRACT 1's table)."""
    _closed(fields, "priority", PRIORITIES)
    _coordinate(fields, "lat", 90)
    _coordinate(fields, "lon", 180)
    _instant(fields, "deadline", tz)
    if status in RATED_STATUSES:
        _closed(fields, "satisfaction", SATISFACTION_SCORES)
        _closed(fields, "solved", BOOLEANS)
    elif status == "escalated":
        _integer(fields, "level", 1, MAX_LEVEL)
    elif status == MERGED and fields["into"] == ident:
        raise ContractError("into names the incident itself")
    elif status == EXTENDED:
        given = [n for n in ("deadline", "working_days") if fields.get(n) not in (None, "")]
        if len(given) != 1:
            raise ContractError("extended needs exactly one of deadline or working_days")
        _integer(fields, "working_days", 1, MAX_WORKING_DAYS)


def parse_entry(stream_id: str, raw: dict, tz: ZoneInfo, now: datetime) -> Event:
    fields = _decode(raw)
    if "\x00" in "".join(fields) or "\x00" in "".join(fields.values()):
        for name, value in fields.items():
            if "\x00" in name or "\x00" in value:
                raise ContractError(f"field '{name[:40]}' contains a NUL character")
    event_id = _require(fields, "event_id")
    entity = _require(fields, "entity")
    if entity not in ("incident", "dispute"):
        raise ContractError(f"entity '{entity}' is not one of incident, dispute")
    ident = _require(fields, "id")
    status = _require(fields, "status")
    lifecycle = INCIDENT_LIFECYCLE if entity == "incident" else DISPUTE_LIFECYCLE
    if status not in lifecycle:
        raise ContractError(f"status '{status}' is not in the {entity} lifecycle")
    _require(fields, "ts")
    ts = _instant(fields, "ts", tz)
    if ts - now > MAX_FUTURE:
        raise ContractError(f"ts '{fields['ts']}' is more than 24 h in the future")
    for name in _REQUIRED.get((entity, status), ()):
        _require(fields, name)
    _sizes(fields)
    if entity == "incident":
        _incident_fields(fields, ident, status, tz)
    else:
        _closed(fields, "mediation_type", MEDIATION_TYPES)
        if status == "mediated":
            _closed(fields, "judicial_confirmation", BOOLEANS)
    try:
        seq = stream_seq(stream_id)
    except ValueError:
        raise ContractError(f"stream id '{stream_id}' is not a stream id") from None
    return Event.checked(
        event_id=event_id,
        entity=entity,
        id=ident,
        status=status,
        ts=ts,
        seq=seq,
        actor=fields.get("actor") or None,
        fields=fields,
    )
