"""The lists' URL parameters: one parser for the pages, their callbacks and the CSV export,
so a link reproduces a view exactly. Bad input raises api_params.BadParameter, whose
message is shown to the person (pages) or returned as JSON 400 (export).

Incidents: town, category, channel, department, priority, status (repeat = any of);
reported_from/reported_to, deadline_from/deadline_to (local days); timeliness
(on_time|late); satisfaction (1-5|none, repeatable); overdue (lt1d|1to3d|3to7d|gt7d,
repeatable); escalated (yes|no); work (returned|merged|extended|signed_late|not_contacted,
repeatable = any of: the work order's states as of now, whenever reported); view
(all|open|overdue|due_soon: the backlog now);
set, repeatable = any of (dashboard.links builds these for the KPI tiles): a KPI set
received|closed|due|on_time|late|overdue_open|due_soon|rated|satisfied, or a work order
set (data_access.work_order.SETS: dispatched, sign_due, signed_late, ...) over start/end
(default the last 30 days), or backlog_open|backlog_overdue|backlog_due_soon; q (id
prefix); sort, dir.
Disputes: town, kind, mediation_type, status, accepted_from/accepted_to, set
(accepted|mediated|adjudicated|failed|litigation|withdrawn|resolved|decided|pending,
repeatable) with start/end, q, sort, dir. `lang` is allowed everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from common.vocabulary import DISPUTE_STATUSES, INCIDENT_STATUSES, MEDIATION_TYPES
from dashboard import api_params
from dashboard.api_params import BadParameter
from data_access import dispute_list, incident_list, work_order
from data_access.kpis import Window
from data_access.listing import Sort

VIEWS = ("all", "open", "overdue", "due_soon")
YES_NO = {"yes": True, "no": False}
INCIDENT_PARAMS = frozenset(
    {
        "town",
        "category",
        "channel",
        "department",
        "priority",
        "status",
        "reported_from",
        "reported_to",
        "deadline_from",
        "deadline_to",
        "timeliness",
        "satisfaction",
        "overdue",
        "escalated",
        "work",
        "view",
        "set",
        "start",
        "end",
        "q",
        "sort",
        "dir",
        "lang",
    }
)
DISPUTE_PARAMS = frozenset(
    {
        "town",
        "kind",
        "mediation_type",
        "status",
        "accepted_from",
        "accepted_to",
        "set",
        "start",
        "end",
        "q",
        "sort",
        "dir",
        "lang",
    }
)
DEFAULT_SORTS = {
    "overdue": Sort("hours_overdue", descending=True),
    "due_soon": Sort("deadline"),
}


def args_from_query(query: Mapping) -> MultiDict:
    """Dash pages hand a layout its query as {name: value or [values]}."""
    pairs = []
    for name, value in query.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((name, "" if item is None else str(item)))
    return MultiDict(pairs)


def to_search(args: MultiDict, **changes) -> str:
    """`?...` of `args` with some parameters replaced (a None value removes one)."""
    pairs = [(k, v) for k, v in args.items(multi=True) if k not in changes and v != ""]
    for name, value in changes.items():
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((name, item))
    return "?" + urlencode(pairs) if pairs else ""


def control_values(value) -> list[str]:
    """A filter control's value as URL parameter values (none when empty)."""
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def filter_search(
    carried: set[str] | tuple[str, ...],
    controls,
    values: list,
    params: list | None,
    sort: Mapping[str, str | None],
) -> str:
    """A list page's query string from its controls (`controls` rows are (name, id, prop)),
    the parameters it carries over and the grid's sort as shown: the URL is the state."""
    args = MultiDict([(k, v) for k, v in params or [] if k in carried])
    for name, value in sort.items():
        args.setlist(name, [value])
    for (name, _, prop), value in zip(controls, values, strict=True):
        if prop != "value" and value:
            value = value[:10]  # a picked day may come with a time
        args.setlist(name, control_values(value))
    return to_search(args)


def _one(args: MultiDict, name: str, allowed) -> str | None:
    values = [v for v in args.getlist(name) if v != ""]
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(f"{name} may be given once")
    if values[0] not in allowed:
        raise BadParameter(f"{name} must be one of {', '.join(allowed)}, got {values[0][:40]!r}")
    return values[0]


def _many(args: MultiDict, name: str, allowed) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(v for v in args.getlist(name) if v != ""))
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise BadParameter(f"{name} must be among {', '.join(allowed)}, got {wrong[0][:40]!r}")
    return values


def _codes(args: MultiDict, name: str) -> tuple[str, ...]:
    """An open code set (CONTRACT 1): any code, within the API's size limits."""
    values = tuple(dict.fromkeys(v for v in args.getlist(name) if v != ""))
    if len(values) > api_params.MAX_FILTER_VALUES or any(len(v) > 64 for v in values):
        raise BadParameter(f"at most {api_params.MAX_FILTER_VALUES} {name} values of 64 characters")
    return values


def _day(args: MultiDict, name: str) -> date | None:
    raw = args.get(name) or None
    return None if raw is None else api_params.day(raw, name)


def _period(args: MultiDict, prefix: str) -> tuple[date | None, date | None]:
    low, high = _day(args, f"{prefix}_from"), _day(args, f"{prefix}_to")
    if low and high and low > high:
        raise BadParameter(f"{prefix}_from is after {prefix}_to")
    return low, high


def _window(args: MultiDict, sets: tuple[str, ...], today: date) -> Window | None:
    """The window of the KPI sets (default: the last 30 days); backlog sets have none."""
    if not any(not s.startswith("backlog_") for s in sets):
        if args.get("start") or args.get("end"):
            raise BadParameter("start and end go with set (a KPI set's window)")
        return None
    return api_params.window(MultiDict((k, v) for k, v in args.items() if v != ""), today)


def _prefix(args: MultiDict) -> str:
    value = (args.get("q") or "").strip()
    if len(value) > 96:
        raise BadParameter("q (an id or its beginning) is at most 96 characters")
    return value


def check(args: MultiDict, allowed: frozenset[str]) -> None:
    """Plain text of bounded size and known names only (api_params.reject_unknown)."""
    api_params.reject_unknown(args, set(allowed))


def incident_query(args: MultiDict, today: date) -> incident_list.IncidentQuery:
    check(args, INCIDENT_PARAMS)
    sets = _many(args, "set", incident_list.SETS)
    view = _one(args, "view", VIEWS)
    escalated = _one(args, "escalated", tuple(YES_NO))
    reported, deadline = _period(args, "reported"), _period(args, "deadline")
    return incident_list.IncidentQuery(
        filters=api_params.filters(args),
        priorities=_many(args, "priority", incident_list.PRIORITY_ORDER),
        statuses=_many(args, "status", INCIDENT_STATUSES),
        reported_from=reported[0],
        reported_to=reported[1],
        deadline_from=deadline[0],
        deadline_to=deadline[1],
        timeliness=_one(args, "timeliness", incident_list.TIMELINESS),
        satisfaction=_many(args, "satisfaction", incident_list.SATISFACTION),
        overdue=_many(args, "overdue", tuple(incident_list.OVERDUE_BUCKETS)),
        escalated=None if escalated is None else YES_NO[escalated],
        work=_many(args, "work", work_order.STATES),
        sets=sets,
        window=_window(args, sets, today),
        backlog=None if view in (None, "all") else view,
        id_prefix=_prefix(args),
    )


def dispute_query(args: MultiDict, today: date) -> dispute_list.DisputeQuery:
    check(args, DISPUTE_PARAMS)
    sets = _many(args, "set", dispute_list.KPI_SETS)
    accepted = _period(args, "accepted")
    return dispute_list.DisputeQuery(
        towns=api_params.filters(args).towns,
        kinds=_codes(args, "kind"),
        mediation_types=_many(args, "mediation_type", MEDIATION_TYPES),
        statuses=_many(args, "status", DISPUTE_STATUSES),
        accepted_from=accepted[0],
        accepted_to=accepted[1],
        sets=sets,
        window=_window(args, sets, today),
        id_prefix=_prefix(args),
    )


def sort_of(args: MultiDict, sortable: frozenset[str], default: Sort) -> Sort:
    column = args.get("sort") or None
    direction = _one(args, "dir", ("asc", "desc"))
    if column is None:
        if direction is not None:
            raise BadParameter("dir goes with sort")
        return default
    if column not in sortable:
        raise BadParameter(f"sort must be one of {', '.join(sorted(sortable))}")
    return Sort(column, descending=direction == "desc")


def incident_sort(args: MultiDict) -> Sort:
    default = DEFAULT_SORTS.get(args.get("view") or "", incident_list.DEFAULT_SORT)
    return sort_of(args, incident_list.SORTABLE, default)


def dispute_sort(args: MultiDict) -> Sort:
    return sort_of(args, dispute_list.SORTABLE, dispute_list.DEFAULT_SORT)
