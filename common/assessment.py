"""The county's assessment rules (考核办法, CC_ASSESSMENT) and the bulletin's scoring
(CONTRACT section 2, the monthly bulletin).

A rules file is CSV with the header `unit_kind,metric,weight,floor,target`: unit_kind is
`town` or `department`, metric an incident rate of the vocabulary (a fraction, as GET
/api/v1/kpis gives it), floor and target fractions. A metric scores
weight x clamp((value - floor) / (target - floor), 0, 1) points, 0 for a null value,
rounded to 0.01; a target below its floor scores a lower-is-better rate the same way.
Pure functions: the figures come in, the scores go out (data_access.bulletin reads them).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from common.vocabulary import INCIDENT_RATES

HEADER = ("unit_kind", "metric", "weight", "floor", "target")
UNIT_KINDS = ("town", "department")
BOTTOM = 3  # the bottom three of each kind


class AssessmentError(ValueError):
    """A rules file that cannot be used; the message names the row and the fault."""


@dataclass(frozen=True)
class Rule:
    unit_kind: str
    metric: str
    weight: float
    floor: float
    target: float

    @property
    def lower_is_better(self) -> bool:
        return self.target < self.floor


def _fraction(row: dict, name: str, where: str) -> float:
    raw = (row.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise AssessmentError(f"{where}: {name} must be a number, got {raw!r}") from None
    if not 0 <= value <= 1:
        raise AssessmentError(f"{where}: {name} is a rate, a fraction 0-1, got {raw!r}")
    return value


def _rule(row: dict, where: str) -> Rule:
    kind, metric = (row.get("unit_kind") or "").strip(), (row.get("metric") or "").strip()
    if kind not in UNIT_KINDS:
        raise AssessmentError(f"{where}: unit_kind must be town or department, got {kind!r}")
    if metric not in INCIDENT_RATES:
        known = ", ".join(INCIDENT_RATES)
        raise AssessmentError(
            f"{where}: {metric!r} is not a rate the product computes (known: {known})"
        )
    raw_weight = (row.get("weight") or "").strip()
    try:
        weight = float(raw_weight)
    except ValueError:
        raise AssessmentError(f"{where}: weight must be a number, got {raw_weight!r}") from None
    if not weight > 0:
        raise AssessmentError(f"{where}: weight must be above 0, got {raw_weight!r}")
    floor, target = _fraction(row, "floor", where), _fraction(row, "target", where)
    if floor == target:
        raise AssessmentError(f"{where}: floor and target are equal ({floor})")
    return Rule(kind, metric, weight, floor, target)


def parse_rules(text: str, source: str = "CC_ASSESSMENT") -> tuple[Rule, ...]:
    """The rules of a file's text, in file order; refuses a bad file whole."""
    reader = csv.DictReader(text.splitlines())
    if tuple(h.strip() for h in reader.fieldnames or ()) != HEADER:
        raise AssessmentError(f"{source}: the header must be {','.join(HEADER)}")
    rules, seen = [], set()
    for number, row in enumerate(reader, start=2):
        rule = _rule(row, f"{source} line {number}")
        if (rule.unit_kind, rule.metric) in seen:
            raise AssessmentError(
                f"{source} line {number}: {rule.unit_kind} {rule.metric} is given twice"
            )
        seen.add((rule.unit_kind, rule.metric))
        rules.append(rule)
    if not rules:
        raise AssessmentError(f"{source}: no rules")
    return tuple(rules)


def load_rules(path: Path) -> tuple[Rule, ...]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise AssessmentError(f"cannot read the rules file {str(path)!r}: {exc}") from exc
    return parse_rules(text, str(path))


def points(rule: Rule, value: float | None) -> float:
    if value is None:
        return 0.0
    share = (value - rule.floor) / (rule.target - rule.floor)
    return round(rule.weight * min(1.0, max(0.0, share)), 2)


def score_unit(rules: tuple[Rule, ...], figures: dict) -> dict:
    """{"score", "metrics": {metric: {"value", "points", "weight"}}, "reasons": [...]} of
    one unit's figures (the `incidents` object of GET /api/v1/kpis)."""
    metrics, reasons = {}, []
    for rule in rules:
        if rule.metric not in figures:
            raise AssessmentError(f"the figures have no {rule.metric!r}")
        value = figures[rule.metric]
        got = points(rule, value)
        metrics[rule.metric] = {"value": value, "points": got, "weight": rule.weight}
        lost = round(rule.weight - got, 2)
        if lost > 0:
            reasons.append({"metric": rule.metric, "value": value, "points_lost": lost})
    score = round(sum(m["points"] for m in metrics.values()), 2)
    return {"score": score, "metrics": metrics, "reasons": reasons}


def rank_units(units: list[dict], min_received: int) -> list[dict]:
    """Units (each with "code", "received", "score") with "rank" and "ranked": those with
    at least `min_received` received rank by score, highest first, ties sharing a rank
    (1, 1, 3); the others are listed after them, rank None. Ranked first, then by code."""
    ranked = sorted(
        (u for u in units if u["received"] >= min_received),
        key=lambda u: (-u["score"], u["code"]),
    )
    out, rank = [], 0
    for position, unit in enumerate(ranked, start=1):
        if position == 1 or unit["score"] != ranked[position - 2]["score"]:
            rank = position
        out.append({**unit, "rank": rank, "ranked": True})
    rest = sorted((u for u in units if u["received"] < min_received), key=lambda u: u["code"])
    return out + [{**u, "rank": None, "ranked": False} for u in rest]


def bottom(units: list[dict], size: int = BOTTOM) -> list[str]:
    """The codes of the `size` lowest ranked units, lowest first; a unit tied with the
    last of them is named too (the same rank, the same standing)."""
    ranked = sorted((u for u in units if u["ranked"]), key=lambda u: (-u["rank"], u["code"]))
    if len(ranked) <= size:
        return [u["code"] for u in ranked]
    cut = ranked[size - 1]["rank"]
    return [u["code"] for u in ranked if u["rank"] >= cut]
