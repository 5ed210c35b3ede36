"""The second edition's statuses and bounds at the door (worker.contract), entry by entry;
tests/test_ingest_contract.py sends the breaks through ingest to the dead letters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common import clock
from tests.factories import TZ, entry, reported
from worker.contract import ContractError, parse_entry

NOW = clock.now().replace(microsecond=0)
TS = (NOW - timedelta(hours=1)).astimezone(TZ).isoformat()


def parse(fields: dict):
    return parse_entry("1-0", fields, TZ, NOW)


@pytest.mark.parametrize(
    "fields",
    [
        entry("I", "signed", TS),
        entry("I", "signed", TS, department="D1"),
        entry("I", "returned", TS, reason="not ours"),
        entry("I", "merged", TS, into="I-0"),
        entry("I", "merged", TS, into="I-not-seen-yet"),
        entry("I", "contacted", TS),
        entry("I", "extended", TS, working_days="1"),
        entry("I", "extended", TS, working_days="365"),
        entry("I", "extended", TS, deadline="2026-12-31T18:00:00+08:00"),
        entry("I", "visited", TS),
        entry("I", "visited", TS, satisfaction="5", solved="true"),
        entry("I", "visited", TS, solved="false"),
        entry("I", "closed", TS, satisfaction="4", solved="true"),
        entry("I", "acknowledged", TS),
        entry("I", "acknowledged", TS, note="on it " * 600),
        entry("I", "escalated", TS, level="99"),
        entry("I", "escalated", TS, level="1"),
        entry("I", "reopened", TS, deadline="2099-12-31T23:59:59Z"),
        reported("I", TS, title="t" * 200, description="d" * 4000, remark="r" * 200),
        reported("I", "1970-01-01T00:00:00Z"),
    ],
)
def test_second_edition_entries_are_valid(fields):
    event = parse(fields)
    assert (event.id, event.status) == ("I", fields["status"])


@pytest.mark.parametrize(
    "fields, reason",
    [
        (entry("I", "escalated", TS, level="32768"), "level '32768'"),
        (entry("I", "escalated", TS, level="100"), "from 1 to 99"),
        (entry("I", "escalated", TS, level="１"), "level '１'"),  # a full-width digit
        (entry("I", "reopened", TS, deadline="9999-12-31T23:00:00Z"), "after 2099"),
        (entry("I", "reopened", TS, deadline="2100-01-01T00:00:00Z"), "after 2099"),
        (reported("I", "1969-12-31T23:59:59Z"), "ts '1969-12-31T23:59:59Z' is before 1970"),
        (entry("I", "merged", TS, into="I"), "into names the incident itself"),
        (entry("I", "returned", TS, reason=" "), "empty required field 'reason'"),
        (entry("I", "extended", TS, working_days="-1"), "working_days '-1'"),
        (entry("I", "extended", TS, working_days="3", deadline=TS), "exactly one"),
        (entry("I", "visited", TS, satisfaction="6"), "satisfaction '6'"),
        (reported("I", TS, title="t" * 201), "title is too long"),
        (reported("I", TS, **{f"f{i}": "x" for i in range(60)}), "too many fields"),
        (reported("I", TS, **{"n" * 65: "x"}), "field name"),
    ],
)
def test_second_edition_breaks_are_refused_with_a_clear_reason(fields, reason):
    with pytest.raises(ContractError) as caught:
        parse(fields)
    assert reason in str(caught.value)
