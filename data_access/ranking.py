"""Volume-aware ranking of rates: a unit with three incidents is not "best".

Units are ordered by the lower bound of the Wilson score interval of their rate, which
pulls small samples towards uncertainty; units with no cases are listed apart.
"""

from __future__ import annotations

import math

Z95 = 1.96


def wilson_lower(successes: int, total: int, z: float = Z95) -> float | None:
    if total <= 0:
        return None
    p = successes / total
    denom = 1 + z * z / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - margin) / denom


def rank(rows: list[dict], num: str, den: str) -> tuple[list[dict], list[dict]]:
    """(rows with cases, best first, each with a `score`; rows with no cases)."""
    ranked = [{**row, "score": wilson_lower(row[num], row[den])} for row in rows if row[den]]
    ranked.sort(key=lambda r: (-r["score"], str(r["key"])))
    return ranked, [row for row in rows if not row[den]]
