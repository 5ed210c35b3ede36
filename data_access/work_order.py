"""The work order's own figures (CONTRACT section 2, second edition): one SQL condition per
count, each evaluated as of an instant `at`, over the window's received incidents.

The conditions read the instants worker.fold keeps on each row (first_dispatch_at,
sign_due_at and signed_at, contact_due_at and contacted_at, returned_at, extended_at,
closed_once_at and reopened_at, solved), so "as of T" is a comparison with T, like the
first edition's figures (data_access.kpis). The rates are the vocabulary's
WORK_ORDER_RATES; data_access.kpis counts these conditions beside its own and the lists
(data_access.incident_list) filter by the same ones, so a figure's cases are exactly the
rows behind it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, or_
from sqlalchemy.sql import ColumnElement

from common.vocabulary import CLOSED_STATUSES, EXCLUDED_STATUSES, MERGED, WORK_ORDER_RATES
from data_access.models import Incident

# The counts, in the order GET /api/v1/kpis shows them with their rates; `closed_once`
# (received with a resolved or closed event by T) is reopen_rate's denominator only.
COUNTS = (
    "dispatched",
    "sign_due",
    "signed_on_time",
    "contact_due",
    "contacted_in_time",
    "returned",
    "extended",
    "reopened",
    "closed_once",
    "solved_known",
    "solved",
)
HIDDEN = ("closed_once",)  # counted for a rate, not shown as a figure


def _shown() -> tuple[str, ...]:
    after = {numerator: name for name, (numerator, _) in WORK_ORDER_RATES.items()}
    names: list[str] = []
    for name in COUNTS:
        names += [name] if name not in HIDDEN else []
        names += [after[name]] if name in after else []
    return tuple(names)


# The figures GET /api/v1/kpis shows, in its order: each rate after its numerator.
SHOWN = _shown()
# The lists' work order states (data_access.incident_list, `work=`): cases, not figures.
STATES = ("returned", "merged", "extended", "signed_late", "not_contacted")
# The KPI sets a tile of the work order clicks through to, over a window (`set=`):
# every count (closed_once is reopen_rate's denominator), and the late and missing ones.
SETS = (*COUNTS, "signed_late", "not_contacted")


def _by(column, at: datetime) -> ColumnElement:
    """The row's instant is set and came by `at`."""
    return and_(column.is_not(None), column <= at)


def conditions(received: ColumnElement, closed: ColumnElement, at: datetime) -> dict:
    """The counts of COUNTS as SQL conditions as of `at`, given the window's `received`
    and `closed` conditions as of the same instant (data_access.kpis.incident_conditions).

    - dispatched: with a `dispatched` event by T;
    - sign_due: dispatched whose sign limit has passed by T, or signed by T;
      signed_on_time: of those, signed by the limit's end (contact likewise);
    - returned, extended, reopened: the first `returned`, applied `extended`, `reopened`
      after a closing event, by T; closed_once: a `resolved` or `closed` event by T;
    - solved_known, solved: closed (as of T) with a `solved` value, and `true`."""
    dispatched = and_(received, _by(Incident.first_dispatch_at, at))

    def due_and_kept(done, due) -> tuple[ColumnElement, ColumnElement]:
        owed = and_(dispatched, or_(_by(due, at), _by(done, at)))
        return owed, and_(owed, _by(done, at), done <= due)

    sign_due, signed_on_time = due_and_kept(Incident.signed_at, Incident.sign_due_at)
    contact_due, contacted = due_and_kept(Incident.contacted_at, Incident.contact_due_at)
    solved_known = and_(closed, Incident.solved.is_not(None))
    return {
        "dispatched": dispatched,
        "sign_due": sign_due,
        "signed_on_time": signed_on_time,
        "contact_due": contact_due,
        "contacted_in_time": contacted,
        "returned": and_(received, _by(Incident.returned_at, at)),
        "extended": and_(received, _by(Incident.extended_at, at)),
        "reopened": and_(received, _by(Incident.reopened_at, at)),
        "closed_once": and_(received, _by(Incident.closed_once_at, at)),
        "solved_known": solved_known,
        "solved": and_(solved_known, Incident.solved.is_(True)),
    }


def signed_late(received: ColumnElement, at: datetime) -> ColumnElement:
    """Of sign_due, not signed on time: signed after its sign limit's end, or still
    unsigned (as of `at`) past it."""
    found = conditions(received, received, at)
    unsigned = or_(Incident.signed_at.is_(None), Incident.signed_at > at)
    return and_(found["sign_due"], or_(unsigned, Incident.signed_at > Incident.sign_due_at))


def not_contacted(received: ColumnElement, at: datetime) -> ColumnElement:
    """Dispatched, the contact limit passed by `at`, and no contact by then."""
    dispatched = conditions(received, received, at)["dispatched"]
    missing = or_(Incident.contacted_at.is_(None), Incident.contacted_at > at)
    return and_(dispatched, _by(Incident.contact_due_at, at), missing)


def window_sets(received: ColumnElement, closed: ColumnElement, at: datetime) -> dict:
    """SETS as SQL conditions over a window's `received` and `closed` as of `at`."""
    return {
        **conditions(received, closed, at),
        "signed_late": signed_late(received, at),
        "not_contacted": not_contacted(received, at),
    }


def states(at: datetime) -> dict[str, ColumnElement]:
    """STATES as SQL conditions as of `at`, whenever reported: ever returned or extended
    (applied), merged now; signed late and not contacted as the figures count them, of the
    incidents neither rejected nor merged."""
    counted = and_(Incident.status.not_in(EXCLUDED_STATUSES), Incident.reported_at <= at)
    return {
        "returned": _by(Incident.returned_at, at),
        "merged": Incident.status == MERGED,
        "extended": _by(Incident.extended_at, at),
        "signed_late": signed_late(counted, at),
        "not_contacted": not_contacted(counted, at),
    }


# What the summaries count a row by (worker.summaries): its eventual state, the figures as
# of an instant after every one the conditions compare with. A row counts so as of any
# instant from its `settled_at` on; before, data_access.kpis corrects it.
EVER = datetime(9999, 12, 31, tzinfo=UTC)
# The columns a row's eventual counts and settled_at depend on.
COLUMNS = (
    "first_dispatch_at", "signed_at", "sign_due_at", "contacted_at", "contact_due_at",
    "returned_at", "extended_at", "reopened_at", "closed_once_at", "solved",
)  # fmt: skip


def eventual(row: dict) -> tuple[int, ...]:
    """The row's counts of COUNTS (1 or 0 each) as of EVER: `conditions` in Python, for a
    row received in the window and not rejected nor merged."""
    dispatched = row["first_dispatch_at"] is not None

    def due_and_kept(done, due) -> tuple[bool, bool]:
        owed = dispatched and (due is not None or done is not None)
        return owed, owed and done is not None and due is not None and done <= due

    sign_due, signed = due_and_kept(row["signed_at"], row["sign_due_at"])
    contact_due, contacted = due_and_kept(row["contacted_at"], row["contact_due_at"])
    closed = row["status"] in CLOSED_STATUSES and row["closed_at"] is not None
    solved_known = closed and row["solved"] is not None
    flags = (
        dispatched, sign_due, signed, contact_due, contacted,
        row["returned_at"] is not None, row["extended_at"] is not None,
        row["reopened_at"] is not None, row["closed_once_at"] is not None,
        solved_known, solved_known and row["solved"] is True,
    )  # fmt: skip
    return tuple(int(f) for f in flags)


def settled_at(row: dict) -> datetime:
    """The last instant at which any of the row's `conditions` can change as of it (given
    the row as it stands): as of any instant from then on it counts as `eventual` says."""

    def first(*values):
        found = [v for v in values if v is not None]
        return min(found) if found else None

    instants = (
        row["reported_at"],
        row["first_dispatch_at"],
        first(row["signed_at"], row["sign_due_at"]),
        first(row["contacted_at"], row["contact_due_at"]),
        row["returned_at"],
        row["extended_at"],
        row["reopened_at"],
        row["closed_once_at"],
        row["closed_at"],
    )
    return max(v for v in instants if v is not None)
