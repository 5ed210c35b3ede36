"""The seeder's record of a build (table `seed_progress`): its plan and each stage's reach.

The plan (seed, the instant the history runs up to, days, volumes) is written before the
first history row, and every chunk of whole days commits together with the last day it
completed. The generator is deterministic per day given the plan, so a killed build that
resumes from the first unfinished day ends identical to one that never stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, insert, select, update

from data_access.models import SeedProgress

STAGES = ("incidents", "disputes", "summaries", "analyze")
HISTORY_STAGES = ("incidents", "disputes")  # the ones that write lifecycles, day by day
TABLE = SeedProgress.__table__
NEEDS = {"summaries": ("incidents",), "analyze": ("incidents", "disputes", "summaries")}


@dataclass(frozen=True)
class Plan:
    """What a build generates; `until` is the instant its history runs up to ("now")."""

    seed: int
    until: datetime
    days: int
    incidents: int
    disputes: int

    def total(self, stage: str) -> int:
        return {"incidents": self.incidents, "disputes": self.disputes}.get(stage, 0)

    def same_volumes(self, other: Plan) -> bool:
        """The same history, whatever the instant (a resumed build keeps the recorded one)."""
        mine = (self.seed, self.days, self.incidents, self.disputes)
        return mine == (other.seed, other.days, other.incidents, other.disputes)


@dataclass(frozen=True)
class Reach:
    """How far one stage got."""

    done: int = 0
    last_day: date | None = None
    finished: bool = False


def load(conn: Connection) -> tuple[Plan, dict[str, Reach]] | None:
    """The recorded plan and every stage's reach, or None when no build was recorded."""
    rows = {row["stage"]: row for row in conn.execute(select(TABLE)).mappings()}
    if not rows:
        return None
    first = rows["incidents"]
    plan = Plan(
        first["seed"],
        first["history_until"],
        first["days"],
        first["total"],
        rows["disputes"]["total"],
    )
    reach = {
        stage: Reach(row["done"], row["last_day"], row["finished_at"] is not None)
        for stage, row in rows.items()
    }
    return plan, reach


def start(conn: Connection, plan: Plan) -> None:
    """Record a new build's plan: one row per stage, nothing done yet."""
    conn.execute(
        insert(TABLE),
        [
            {
                "stage": stage,
                "seed": plan.seed,
                "history_until": plan.until,
                "days": plan.days,
                "total": plan.total(stage),
                "done": 0,
                "last_day": None,
                "finished_at": None,
            }
            for stage in STAGES
        ],
    )


def advance(conn: Connection, stage: str, last_day: date, count: int) -> None:
    """A chunk up to `last_day` was written (in the caller's transaction, with the rows)."""
    conn.execute(
        update(TABLE)
        .where(TABLE.c.stage == stage)
        .values(done=TABLE.c.done + count, last_day=last_day)
    )


def finish(conn: Connection, stage: str, at: datetime) -> None:
    conn.execute(update(TABLE).where(TABLE.c.stage == stage).values(finished_at=at))
