"""CONTRACT section 1's "which event decides what", second edition, on the fold alone;
then the same events through both apply paths (SQLite's per-event, PostgreSQL's
set-based) against the fold; then a first-edition stream folding as it always did."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from common.workdays import Calendar
from data_access.models import Incident
from data_access.sla import Sla
from tests.factories import TZ, apply_entries, entry, reported
from worker.contract import parse_entry
from worker.fold import fold_incident

NOW = datetime(2026, 12, 2, 4, tzinfo=UTC)
SLA = Sla({("*", "normal", "*"): "5wd"}, Calendar())


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def iso(value: datetime) -> str:
    return value.astimezone(TZ).isoformat()


def fold(*entries: dict, sla: Sla = SLA) -> dict:
    events = [parse_entry(f"{i + 1}-0", e, TZ, NOW) for i, e in enumerate(entries)]
    return fold_incident(events, sla, TZ, NOW)


T0 = local(2026, 9, 30, 10)  # + 5wd: 2026-10-14T00:00 (National Day between)


def at(hours: float) -> str:
    return iso(T0 + timedelta(hours=hours))


def test_the_sla_counts_working_days_from_the_reported_ts():
    row = fold(reported("I", at(0)))
    assert row["deadline"] == local(2026, 10, 14)
    assert row["deadline_day"] == date(2026, 10, 14)


def test_non_status_acts_leave_the_status():
    row = fold(
        reported("I", at(0)),
        entry("I", "dispatched", at(1), department="D1"),
        entry("I", "contacted", at(2)),
        entry("I", "extended", at(3), working_days="1"),
        entry("I", "visited", at(4), satisfaction="5"),
        entry("I", "acknowledged", at(5)),
        entry("I", "escalated", at(6)),
    )
    assert (row["status"], row["status_at"]) == ("dispatched", T0 + timedelta(hours=1))


def test_signed_returned_merged_are_statuses():
    row = fold(
        reported("I", at(0)),
        entry("I", "dispatched", at(1), department="D1"),
        entry("I", "signed", at(2)),
        entry("I", "returned", at(3), reason="not ours"),
    )
    assert (row["status"], row["returns"]) == ("returned", 1)
    row = fold(reported("I", at(0)), entry("I", "merged", at(1), into="I-0"))
    assert (row["status"], row["merged_into"]) == ("merged", "I-0")


def test_extensions_in_ts_order_and_one_after_the_deadline_is_ignored():
    row = fold(
        reported("I", at(0)),
        # arrives first, comes second by ts: moves 10-15 00:00 by 1wd to 10-16 00:00
        entry("I", "extended", at(48), working_days="1"),
        entry("I", "extended", at(24), working_days="1"),  # 10-14 00:00 -> 10-15 00:00
    )
    assert (row["deadline"], row["extensions"]) == (local(2026, 10, 16), 2)
    late = fold(
        reported("I", at(0)),
        entry("I", "extended", iso(local(2026, 10, 14, 0, 0, 1)), working_days="3"),
    )
    assert (late["deadline"], late["extensions"]) == (local(2026, 10, 14), 0)
    on_time = fold(
        reported("I", at(0)),
        entry("I", "extended", iso(local(2026, 10, 14)), deadline="2026-10-20T18:00:00+08:00"),
    )
    assert (on_time["deadline"], on_time["extensions"]) == (local(2026, 10, 20, 18), 1)


def test_a_reopen_replaces_earlier_extensions_and_later_ones_apply_to_it():
    row = fold(
        reported("I", at(0)),
        entry("I", "extended", at(1), working_days="10"),
        entry("I", "resolved", at(2)),
        entry("I", "reopened", at(3), deadline="2026-10-09T18:00:00+08:00"),
        entry("I", "extended", at(4), working_days="1"),  # Friday 10-09 + 1wd: Sat 10-10
    )
    assert row["deadline"] == local(2026, 10, 11)
    assert (row["extensions"], row["reopened"], row["status"]) == (2, True, "reopened")


def test_reopened_counts_only_after_a_closing_event():
    row = fold(reported("I", at(0)), entry("I", "reopened", at(1)))
    assert row["reopened"] is False


def test_merged_into_is_ended_by_a_later_status():
    row = fold(
        reported("I", at(0)),
        entry("I", "merged", at(1), into="I-0"),
        entry("I", "merged", at(2), into="I-9"),
    )
    assert row["merged_into"] == "I-9"
    row = fold(
        reported("I", at(0)),
        entry("I", "merged", at(1), into="I-0"),
        entry("I", "reopened", at(2)),
        entry("I", "contacted", at(3)),
    )
    assert (row["status"], row["merged_into"]) == ("reopened", None)


def test_satisfaction_and_solved_are_the_latest_given_on_closed_or_visited():
    row = fold(
        reported("I", at(0)),
        entry("I", "closed", at(1), satisfaction="2", solved="false"),
        entry("I", "visited", at(3), satisfaction="5"),
        entry("I", "visited", at(2), solved="true"),
    )
    assert (row["satisfaction"], row["solved"]) == (5, True)
    row = fold(reported("I", at(0)), entry("I", "closed", at(1)))
    assert (row["satisfaction"], row["solved"]) == (None, None)


def test_signed_and_contacted_count_after_the_first_dispatch():
    row = fold(
        reported("I", at(0)),
        entry("I", "signed", at(0.5)),  # before any dispatch
        entry("I", "dispatched", at(3), department="D2"),
        entry("I", "dispatched", at(1), department="D1"),
        entry("I", "contacted", at(2)),
        entry("I", "signed", at(4)),
        entry("I", "signed", at(5)),
    )
    assert row["first_dispatch_at"] == T0 + timedelta(hours=1)
    assert row["signed_at"] == T0 + timedelta(hours=4)
    assert row["contacted_at"] == T0 + timedelta(hours=2)
    assert row["department"] == "D2"
    undispatched = fold(reported("I", at(0)), entry("I", "signed", at(1)))
    assert (undispatched["first_dispatch_at"], undispatched["signed_at"]) == (None, None)


def test_acknowledged_is_the_first_at_or_after_the_deadline_in_force():
    deadline = local(2026, 10, 14)
    row = fold(
        reported("I", at(0)),
        entry("I", "acknowledged", at(1), actor="early"),
        entry("I", "acknowledged", iso(deadline + timedelta(hours=2)), actor="second"),
        entry("I", "acknowledged", iso(deadline), actor="officer 3"),
    )
    assert (row["acknowledged_at"], row["acknowledged_by"]) == (deadline, "officer 3")
    extended = fold(
        reported("I", at(0)),
        entry("I", "acknowledged", iso(deadline), actor="officer 3"),
        entry("I", "extended", at(1), working_days="2"),
    )
    assert extended["acknowledged_at"] is None  # before the deadline now in force


def test_a_stored_first_edition_level_above_99_folds_to_99():
    events = [parse_entry("1-0", reported("I", at(0)), TZ, NOW)]
    big = parse_entry("2-0", entry("I", "escalated", at(1), level="5"), TZ, NOW)
    big.fields["level"] = "40000"  # as a first-edition ingest stored it
    assert fold_incident([*events, big], SLA, TZ, NOW)["escalation_level"] == 99


def test_a_stored_out_of_range_deadline_falls_back_to_the_sla():
    first = parse_entry("1-0", reported("I", at(0)), TZ, NOW)
    reopen = parse_entry("2-0", entry("I", "reopened", at(1)), TZ, NOW)
    reopen.fields["deadline"] = "9999-12-31T23:00:00Z"  # stored before the check
    row = fold_incident([first, reopen], SLA, TZ, NOW)
    assert row["deadline"] == local(2026, 10, 14)


# --- both apply paths against the fold ---------------------------------------------------

SECOND_EDITION_FIELDS = (
    "status", "deadline", "first_dispatch_at", "signed_at", "contacted_at", "returns",
    "extensions", "solved", "merged_into", "reopened", "acknowledged_at", "acknowledged_by",
    "satisfaction", "closed_at", "escalation_level", "sign_due_at", "contact_due_at",
    "returned_at", "extended_at", "reopened_at", "closed_once_at",
)  # fmt: skip


def _workload(rng: random.Random, n: int) -> list[dict]:
    out = []
    for i in range(n):
        ident = f"W-{i}"
        start = T0 + timedelta(hours=rng.randint(0, 200))

        def ts(hours: float, start=start) -> str:
            return iso(start + timedelta(hours=hours))

        entries = [
            reported(ident, ts(0)),
            entry(ident, "dispatched", ts(1), department=f"D{i % 3}"),
            entry(ident, "signed", ts(rng.choice([0.5, 2, 30]))),
            entry(ident, "contacted", ts(rng.choice([3, 40]))),
            entry(ident, "extended", ts(rng.choice([5, 500])), working_days=rng.randint(1, 5)),
            entry(ident, rng.choice(["resolved", "closed"]), ts(50), solved="true"),
            entry(ident, "visited", ts(60), satisfaction=rng.randint(1, 5), solved="false"),
            entry(ident, "acknowledged", ts(rng.choice([6, 300])), actor=f"duty {i}"),
        ]
        if i % 3 == 0:
            entries.append(entry(ident, "returned", ts(4), reason="wrong department"))
        if i % 4 == 0:
            entries.append(entry(ident, "reopened", ts(70)))
        if i % 5 == 0:
            entries.append(entry(ident, "merged", ts(80), into=f"W-{i + 1}"))
        rng.shuffle(entries)
        out += entries
    return out


def test_both_apply_paths_fold_the_second_edition_as_the_fold_does(engine):
    rng = random.Random(16)
    entries = _workload(rng, 40)
    events = [parse_entry(f"{i + 1}-0", e, TZ, NOW) for i, e in enumerate(entries)]
    by_id: dict[str, list] = {}
    for event in events:
        by_id.setdefault(event.id, []).append(event)
    expected = {i: fold_incident(evs, SLA, TZ, NOW) for i, evs in by_id.items()}
    for start in range(0, len(entries), 37):  # batches cut across incidents
        apply_entries(engine, entries[start : start + 37], NOW, SLA)
    with engine.connect() as conn:
        stored = {row.id: row for row in conn.execute(select(Incident))}
    assert set(stored) == set(expected)
    for ident, row in expected.items():
        assert {k: getattr(stored[ident], k) for k in SECOND_EDITION_FIELDS} == {
            k: row[k] for k in SECOND_EDITION_FIELDS
        }, ident


# --- a first-edition stream folds as it always did ---------------------------------------


def first_edition_fold(events, hours: dict, tz, now) -> dict | None:
    """worker/fold.py's fold_incident before the second edition, verbatim but for the
    SLA, inlined (hours by (category, priority), then ("*", priority), then the default)."""
    defaults = {"urgent": 4.0, "high": 24.0, "normal": 72.0, "low": 168.0}

    def sla_deadline(start, category, priority):
        for key in ((category, priority), ("*", priority)):
            if key in hours:
                return start + timedelta(hours=hours[key])
        return start + timedelta(hours=defaults.get(priority, defaults["normal"]))

    def parse(raw):
        text = raw.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text)
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)

    ordered = sorted(events, key=lambda e: e.order)
    candidates = [e for e in ordered if e.status == "reported"]
    if not candidates:
        return None
    first = min(candidates, key=lambda e: e.order)
    category = first.get("category")
    priority = first.get("priority") or "normal"
    deadline = (
        parse(first.get("deadline"))
        if first.get("deadline")
        else sla_deadline(first.ts, category, priority)
    )
    status, status_at = "reported", first.ts
    cycle_start = first.ts
    closed_at = None
    department = satisfaction = None
    level = 0
    for event in ordered:
        if event.status == "dispatched":
            department = event.get("department")
        if event.status == "closed" and event.get("satisfaction"):
            satisfaction = int(event.get("satisfaction"))
        if event.status == "escalated":
            level = max(level, int(event.get("level") or 1))
        if event.order <= first.order or event.status in ("reported", "escalated"):
            continue
        status, status_at = event.status, event.ts
        if event.status == "reopened":
            deadline = (
                parse(event.get("deadline"))
                if event.get("deadline")
                else sla_deadline(event.ts, category, priority)
            )
            cycle_start, closed_at = event.ts, None
        elif (
            event.status in ("resolved", "closed") and closed_at is None and event.ts >= cycle_start
        ):
            closed_at = event.ts
    return {
        "id": first.id,
        "reported_at": first.ts,
        "reported_day": first.ts.astimezone(tz).date(),
        "channel": first.get("channel"),
        "category": category,
        "town": first.get("town"),
        "grid": first.get("grid"),
        "department": department,
        "priority": priority,
        "status": status,
        "status_at": status_at,
        "deadline": deadline,
        "deadline_day": deadline.astimezone(tz).date(),
        "closed_at": closed_at if status in ("resolved", "closed") else None,
        "satisfaction": satisfaction,
        "escalation_level": level,
        "lat": None if first.get("lat") is None else float(first.get("lat")),
        "lon": None if first.get("lon") is None else float(first.get("lon")),
        "title": first.get("title"),
        "description": first.get("description"),
        "reporter_phone": first.get("reporter_phone"),
        "updated_at": now,
    }


FIRST_STATUSES = ["dispatched", "in_progress", "resolved", "closed", "rejected", "reopened",
                  "escalated", "reported"]  # fmt: skip
_hours = st.integers(-100, 400)
_event = st.tuples(
    st.sampled_from(FIRST_STATUSES),
    _hours,
    st.one_of(st.none(), st.integers(1, 99)),  # level
    st.one_of(st.none(), st.integers(1, 5)),  # satisfaction
    st.one_of(st.none(), _hours),  # a reopened's own deadline
)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(_event, max_size=12),
    first_at=_hours,
    first_deadline=st.one_of(st.none(), _hours),
    priority=st.sampled_from(["urgent", "high", "normal", "low", None]),
    hours=st.dictionaries(
        st.tuples(
            st.sampled_from(["*", "noise", "sanitation"]), st.sampled_from(["high", "normal"])
        ),
        st.integers(1, 400),
        max_size=3,
    ),
)
def test_a_first_edition_stream_folds_as_before(events, first_at, first_deadline, priority, hours):
    def ts(h: int) -> str:
        return iso(T0 + timedelta(hours=h))

    first = {"category": "noise", "lat": "31.9", "lon": "120.2", "title": "t"}
    if priority:
        first["priority"] = priority
    if first_deadline is not None:
        first["deadline"] = ts(first_deadline)
    entries = [reported("P", ts(first_at), **first)]
    for status, h, level, satisfaction, deadline in events:
        extra = {}
        if status == "dispatched":
            extra["department"] = "D1"
        elif status == "escalated" and level is not None:
            extra["level"] = level
        elif status == "closed" and satisfaction is not None:
            extra["satisfaction"] = satisfaction
        elif status == "reopened" and deadline is not None:
            extra["deadline"] = ts(deadline)
        elif status == "reported":
            extra = {"category": "sanitation", "town": "T9", "channel": "wechat"}
            entries.append(entry("P", status, ts(h), **extra))
            continue
        entries.append(entry("P", status, ts(h), **extra))
    parsed = [parse_entry(f"{i + 1}-0", e, TZ, NOW) for i, e in enumerate(entries)]
    before = first_edition_fold(parsed, hours, TZ, NOW)
    after = fold_incident(parsed, Sla(hours), TZ, NOW)
    assert {k: after[k] for k in before} == before
