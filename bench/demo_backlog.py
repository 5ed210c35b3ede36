"""The demo history's open overdue backlog at now, generated in memory (no database).

`python -m bench.demo_backlog [--days 700] [--per-day 260]` prints how many incidents of
the generated history are open past their SLA deadline now, their median and largest
days overdue, and how many stand at the top escalation level: what `make run`'s seeded
county shows as its backlog (a county at 95% on time carries a few dozen old cases).
"""

from __future__ import annotations

import argparse
import random
import statistics
from datetime import datetime, timedelta

from common import clock
from common.config import PROJECT_ROOT
from demo.county import load_model
from demo.history import ESCALATION_STEPS, incident_events

CLOSED = ("resolved", "closed", "rejected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=700)
    parser.add_argument("--per-day", type=int, default=260)
    args = parser.parse_args()
    model = load_model(PROJECT_ROOT / "masterdata")
    rng = random.Random(7)
    now = clock.now()
    days_overdue, top = [], 0
    for day in range(args.days):
        for n in range(args.per_day):
            reported = now - timedelta(days=day, hours=rng.uniform(0, 24))
            events = incident_events(model, rng, f"B-{day}-{n}", reported, now)
            statuses = [e["status"] for e in events if e["status"] != "escalated"]
            if statuses[-1] in CLOSED:
                continue
            first = events[0]
            hours = model.sla.hours(first["category"], first.get("priority", "normal"))
            deadline = datetime.fromisoformat(first["ts"]) + timedelta(hours=hours)
            if deadline < now:
                days_overdue.append((now - deadline).total_seconds() / 86400)
                levels = [int(e.get("level", 1)) for e in events if e["status"] == "escalated"]
                top += max(levels, default=0) == len(ESCALATION_STEPS)
    if not days_overdue:
        print("no open overdue incident")
        return
    print(
        f"open overdue: {len(days_overdue)}; days overdue median "
        f"{statistics.median(days_overdue):.1f}, max {max(days_overdue):.0f}; "
        f"at the top escalation level: {top}"
    )


if __name__ == "__main__":
    main()
