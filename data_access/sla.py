"""The deadline rule: hours to the deadline by (category, priority), read from the master
data (data_access.masterdata) and applied by the fold (worker.fold)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from common.config import DEFAULT_SLA_HOURS


class Sla:
    """Hours to the deadline by (category, priority), falling back to the default rule."""

    def __init__(self, rules: Mapping[tuple[str, str], float] | None = None):
        self.rules = dict(rules or {})

    def hours(self, category: str, priority: str) -> float:
        for key in ((category, priority), ("*", priority)):
            if key in self.rules:
                return self.rules[key]
        return DEFAULT_SLA_HOURS.get(priority, DEFAULT_SLA_HOURS["normal"])

    def deadline(self, start: datetime, category: str, priority: str) -> datetime:
        return start + timedelta(hours=self.hours(category, priority))
