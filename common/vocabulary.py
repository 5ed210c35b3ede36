"""The one vocabulary of the stream contract and its figures (CONTRACT sections 1 and 2).

Statuses, the sets they fall in, the satisfaction threshold, the dispute outcomes and each
rate's numerator and denominator, read by the stream contract, the fold, the summaries,
the KPI queries, the lists, the tiles and the OpenAPI schema alike. A new status or rate
is one edit here plus its uses, never a string typed in five files.
"""

from __future__ import annotations

# --- Incidents -----------------------------------------------------------------------

# Every status an incident event may carry, in lifecycle order (the stream contract;
# signed, returned, merged and the acts contacted, extended, visited and acknowledged
# came with its second edition).
INCIDENT_LIFECYCLE = (
    "reported",
    "dispatched",
    "signed",
    "in_progress",
    "resolved",
    "closed",
    "returned",
    "rejected",
    "merged",
    "reopened",
    "escalated",
    "contacted",
    "extended",
    "visited",
    "acknowledged",
)
CREATED = "reported"  # the event that creates an incident
DISPATCHED = "dispatched"  # names the department; the first one starts the work order
SIGNED = "signed"  # the department took the work order in hand (签收)
RETURNED = "returned"  # the department sent it back to the centre (退回)
REOPENED = "reopened"  # starts a new cycle: a new deadline, closed_at cleared
REJECTED = "rejected"  # never received, never open
MERGED = "merged"  # a duplicate of another incident (重复件): `into` names it
ESCALATED = "escalated"  # put under supervision: raises the escalation level
CONTACTED = "contacted"  # the handler reached the reporter (先行联系)
EXTENDED = "extended"  # an approved extension of the deadline (延期)
VISITED = "visited"  # the centre called the reporter back (回访)
ACKNOWLEDGED = "acknowledged"  # the duty officer took an alert in hand (认领)
OPEN_STATUSES = ("reported", "dispatched", "signed", "in_progress", "returned", "reopened")
CLOSING_STATUSES = ("resolved", "closed")  # the first one in a cycle stamps closed_at
CLOSED_STATUSES = CLOSING_STATUSES  # an incident now in one of these is closed
TERMINAL_STATUSES = (*CLOSING_STATUSES, REJECTED, MERGED)  # not open, nothing late about it
# Never received, never due: every figure of CONTRACT section 2 leaves these out (a merged
# incident is counted once, as its original; `duplicates` counts the merged ones).
EXCLUDED_STATUSES = (REJECTED, MERGED)
# The events that record an act and leave the status as it was.
NON_STATUS = (ESCALATED, CONTACTED, EXTENDED, VISITED, ACKNOWLEDGED)
# The statuses a row may hold, as the lists offer them.
INCIDENT_STATUSES = (*OPEN_STATUSES, *CLOSED_STATUSES, REJECTED, MERGED)
# The events that may carry a satisfaction score and `solved` (the latest given counts).
RATED_STATUSES = ("closed", VISITED)
SATISFACTION_SCORES = ("1", "2", "3", "4", "5")
BOOLEANS = ("true", "false")
MAX_LEVEL = 99  # the highest escalation level (second edition: above it is a break)
SYSTEM_ACTOR = "system"  # the actor of the product's own events (the escalation ladder)
SATISFIED_FROM = 4  # a score at or above this is satisfied
PRIORITIES = ("urgent", "high", "normal", "low")
DEFAULT_PRIORITY = "normal"

# --- Disputes ------------------------------------------------------------------------

DISPUTE_LIFECYCLE = (
    "accepted",
    "mediating",
    "mediated",
    "failed",
    "adjudicated",
    "litigation",
    "withdrawn",
)
ACCEPTED = "accepted"  # the event that creates a dispute
MEDIATING = "mediating"
DISPUTE_OUTCOMES = ("mediated", "failed", "adjudicated", "litigation", "withdrawn")
DISPUTE_STATUSES = (ACCEPTED, MEDIATING, *DISPUTE_OUTCOMES)
RESOLVED = ("mediated", "adjudicated")  # the contract's resolved
DECIDED = (*RESOLVED, "failed", "litigation")  # the mediation success rate's denominator
WITHDRAWN = "withdrawn"  # an outcome that is neither resolved nor decided
PENDING = "pending"  # accepted with no outcome yet (as of now)
# The outcomes in the order the pages show them.
OUTCOMES_SHOWN = (*DECIDED, WITHDRAWN)
MEDIATED = "mediated"  # the outcome that may carry judicial confirmation
MEDIATION_TYPES = ("people", "administrative", "judicial", "industry")

# --- Rates: name -> (numerator, denominator), names of counts in the figures' dicts ------

# The work order's own rates (CONTRACT 2, second edition: data_access.work_order).
# `closed_once` (received with a resolved or closed event) is reopen_rate's denominator,
# a count of the figures that GET /api/v1/kpis does not show.
WORK_ORDER_RATES = {
    "timely_sign_rate": ("signed_on_time", "sign_due"),  # 及时签收率
    "contact_rate": ("contacted_in_time", "contact_due"),  # 先行联系率
    "return_rate": ("returned", "dispatched"),  # 退单率
    "extension_rate": ("extended", "received"),  # 延期率
    "reopen_rate": ("reopened", "closed_once"),  # 重办率
    "solved_rate": ("solved", "solved_known"),  # 实际解决率
}
INCIDENT_RATES = {
    "closure_rate": ("closed", "received"),
    "on_time_rate": ("on_time", "due"),
    "satisfaction_rate": ("satisfied", "rated"),
    **WORK_ORDER_RATES,
}
DISPUTE_RATES = {
    "resolution_rate": ("resolved", "accepted"),
    "mediation_success_rate": ("mediated", "decided"),
}
RATES = {**INCIDENT_RATES, **DISPUTE_RATES}
