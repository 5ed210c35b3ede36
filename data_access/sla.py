"""The SLA rules (CONTRACT 2): the time from a reported (or reopened) `ts` to the
deadline, a limit `Nh` or `Nwd` by category, priority and channel, and the working-day
calendar its `Nwd` limits count in.

The rules are CC_SLA_RULES' file when set, else the master data's (`sla_limits`, loaded
from sla.csv); the calendar is the package's with CC_CALENDAR's (else the master data's
calendar.csv) over it.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from common.config import DEFAULT_SLA_HOURS, Settings
from common.vocabulary import PRIORITIES
from common.workdays import Calendar, Limit, apply_limit, calendar_from, parse_limit
from data_access.models import SlaRule

RULE_HEADER = ("category", "priority", "channel", "limit")
FIRST_EDITION_HEADER = ("category", "priority", "hours")  # still read: hours, any channel


class Sla:
    """The SLA rules (CONTRACT 2): a limit by (category, priority, channel), category and
    channel named or `*`, and the working-day calendar its `Nwd` limits count in.

    A rule's key may leave out the channel (any channel) and its limit may be hours as
    a number (the demo generators' form). It also holds the work order's limits from the
    first dispatch to `signed` and to `contacted` (CC_SIGN_LIMIT, CC_CONTACT_LIMIT), which
    count in the same calendar."""

    def __init__(
        self,
        rules: Mapping[tuple[str, ...], Limit | str | float] | None = None,
        calendar: Calendar | None = None,
        sign_limit: Limit = Settings.sign_limit,
        contact_limit: Limit = Settings.contact_limit,
    ):
        self.rules: dict[tuple[str, str, str], Limit] = {}
        for key, limit in (rules or {}).items():
            category, priority, channel = (*key, "*")[:3]
            self.rules[(category, priority, channel)] = _limit(limit)
        self.calendar = calendar or Calendar()
        self.sign_limit, self.contact_limit = sign_limit, contact_limit

    def limit(self, category: str | None, priority: str, channel: str | None = None) -> Limit:
        """The first rule that matches of (category, priority, channel), (category,
        priority, *), (*, priority, channel), (*, priority, *); else the default."""
        for key in (
            (category, priority, channel),
            (category, priority, "*"),
            ("*", priority, channel),
            ("*", priority, "*"),
        ):
            if key in self.rules:
                return self.rules[key]
        return Limit(DEFAULT_SLA_HOURS.get(priority, DEFAULT_SLA_HOURS["normal"]), "h")

    def hours(self, category: str, priority: str) -> float:
        """The limit in clock hours, a working day counted as 24 h x 7 / 5: the demo
        generators' rough pace, never a deadline."""
        limit = self.limit(category, priority)
        return limit.amount if limit.unit == "h" else limit.amount * 24 * 7 / 5

    def deadline(
        self,
        start: datetime,
        category: str | None,
        priority: str,
        channel: str | None,
        tz: ZoneInfo,
    ) -> datetime:
        return apply_limit(self.calendar, self.limit(category, priority, channel), start, tz)


def _limit(value: Limit | str | float) -> Limit:
    if isinstance(value, Limit):
        return value
    return parse_limit(value) if isinstance(value, str) else Limit(float(value), "h")


class SlaRulesError(ValueError):
    """A rules file that cannot be used; the message names the file and the line."""


def read_rules(path: Path) -> list[dict]:
    """The rows of a rules file (`category,priority,channel,limit`, or the first
    edition's `category,priority,hours`), each checked, as `RULE_HEADER` dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header not in (RULE_HEADER, FIRST_EDITION_HEADER):
            raise SlaRulesError(f"{path}: the header must be '{','.join(RULE_HEADER)}'")
        rows = []
        for line, raw in enumerate(reader, start=2):
            if header == FIRST_EDITION_HEADER:
                raw = {**raw, "channel": "*", "limit": f"{(raw['hours'] or '').strip()}h"}
            row = {k: (raw.get(k) or "").strip() for k in RULE_HEADER}
            if row["priority"] not in PRIORITIES:
                raise SlaRulesError(f"{path}:{line}: priority must be one of {PRIORITIES}")
            if not row["category"] or not row["channel"]:
                raise SlaRulesError(f"{path}:{line}: category and channel are a code or '*'")
            try:
                parse_limit(row["limit"])
            except ValueError as exc:
                raise SlaRulesError(f"{path}:{line}: {exc}") from None
            rows.append(row)
    return rows


def rules_of(rows: list[dict]) -> dict[tuple[str, str, str], Limit]:
    return {(r["category"], r["priority"], r["channel"]): parse_limit(r["limit"]) for r in rows}


def load_sla(engine: Engine, settings: Settings | None = None) -> Sla:
    """CC_SLA_RULES' rules when set, else the master data's; with the settings' calendar
    (without settings: the master data's rules and the package's calendar)."""
    if settings is not None and settings.sla_rules_path is not None:
        rules = rules_of(read_rules(settings.sla_rules_path))
    else:
        with engine.connect() as conn:
            rows = conn.execute(select(SlaRule.__table__)).mappings().all()
        rules = rules_of([dict(r) for r in rows])
    if settings is None:
        return Sla(rules)
    calendar = calendar_from(settings.calendar_file)
    return Sla(rules, calendar, settings.sign_limit, settings.contact_limit)
