"""Precision and recall of the duplicate candidates on planted duplicates (issue 19).

`python -m bench.duplicates_quality [--seeds 1 2 3] [--incidents 4000] [--days 14]
[--neighbour-share 0.5] [--now 2026-12-03T12:00:00+00:00]`

Per seed: bench.duplicate_plant's stream (the demo county's generator with known
re-reports planted) goes through ingest's own apply, candidates on (worker.duplicates),
into a fresh SQLite database holding the demo county's master data (its grids, whose
adjacency ingest reads), in batches of 500 in arrival order; the pairs written are
compared with the planted truth. A pair found between two reports of one planted problem
is a true positive; any other pair found is a false positive (some are coincidences the
generator made: the same title in the same few metres within days). Prints precision
and recall at three thresholds, the middle one being the one staff see.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.duplicate_plant import planted
from common import clock, duplicates
from common.config import PROJECT_ROOT
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from data_access.models import DuplicateCandidate
from data_access.schema import migrate
from data_access.sla import Sla
from worker.apply import apply_events
from worker.contract import parse_entry

THRESHOLDS = (duplicates.THRESHOLD - 0.1, duplicates.THRESHOLD, duplicates.THRESHOLD + 0.1)
TZ = ZoneInfo("Asia/Shanghai")


def found_pairs(entries: list[dict], floor: float, now: datetime) -> dict[frozenset[str], float]:
    """Every candidate pair at or above `floor` that ingest writes for the stream."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'dups.sqlite'}"
        migrate(url)
        engine = make_engine(url)
        load_masterdata(engine, PROJECT_ROOT / "masterdata")
        sla = Sla()
        events = [parse_entry(f"{n + 1}-0", e, TZ, now) for n, e in enumerate(entries)]
        for chunk in range(0, len(events), 500):
            apply_events(engine, events[chunk : chunk + 500], sla, TZ, now, duplicates_from=floor)
        with engine.connect() as conn:
            rows = conn.execute(select(DuplicateCandidate)).all()
        engine.dispose()
    return {frozenset((r.incident_id, r.candidate_id)): r.score for r in rows}


def quality(
    found: dict[frozenset[str], float], truth: set[frozenset[str]], threshold: float
) -> tuple[float, float]:
    shown = {pair for pair, score in found.items() if score >= threshold}
    hits = len(shown & truth)
    return hits / len(shown) if shown else 1.0, hits / len(truth) if truth else 1.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.duplicates_quality", description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--incidents", type=int, default=4000)
    parser.add_argument("--days", type=float, default=14)
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument(
        "--neighbour-share",
        type=float,
        default=0.0,
        help="share of re-reports without coordinates coded to an adjacent grid",
    )
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the instant the stream is generated up to (default: now); the same for runs "
        "compared (the lifecycles, and so the pairs, depend on it)",
    )
    args = parser.parse_args(argv)
    now = args.now or clock.now()
    results: dict[float, list[tuple[float, float]]] = {t: [] for t in THRESHOLDS}
    for seed in args.seeds:
        entries, truth = planted(
            seed, args.incidents, args.days, args.share, now, args.neighbour_share
        )
        found = found_pairs(entries, min(THRESHOLDS), now)
        line = []
        for threshold in THRESHOLDS:
            results[threshold].append(quality(found, truth, threshold))
            p, r = results[threshold][-1]
            line.append(f"@{threshold:.1f} P {p:.3f} R {r:.3f}")
        print(f"seed {seed}: {len(entries):,} events, {len(truth)} true pairs; " + ", ".join(line))
    seeds = len(args.seeds)
    print(f"\n{'threshold':>9} {'precision':>10} {'recall':>8}  (median of {seeds} seeds)")
    for threshold, values in results.items():
        p = statistics.median(v[0] for v in values)
        r = statistics.median(v[1] for v in values)
        shown = " <- shown to staff" if threshold == duplicates.THRESHOLD else ""
        print(f"{threshold:>9.1f} {p:>10.3f} {r:>8.3f}{shown}")


if __name__ == "__main__":
    main()
