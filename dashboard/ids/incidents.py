"""Ids of the incident list page (/incidents), shared by its layout and callbacks."""

PARAMS = "incidents-params"  # the page's checked URL parameters
LANG = "incidents-lang"
NAV = "incidents-nav"  # a Location the callbacks set to move to another URL
GRID = "incidents-grid"
TOTAL = "incidents-total"
EXPORT = "incidents-export"
APPLY = "incidents-apply"
BY_DEPARTMENT = "incidents-by-department"
BY_TOWN = "incidents-by-town"
LOADING = "incidents-loading"  # shown until the grid's first rows arrive
ANSWERED = "incidents-answered"  # when (ms) the server last answered the grid's request
REFRESHED = "incidents-refreshed"
VERSION = "incidents-version"  # the live data version, set only when it changes


def control(name: str) -> str:
    """A filter control; `name` is its URL parameter (and its date bound: name-from)."""
    return f"incidents-filter-{name}"


# filled by assets/live.js on every live push (the names are that script's)
LIVE = "live-status"
LIVE_ANCHOR = "live-status-anchor"


# (URL parameter, control id, control property) of every filter control
CONTROLS = (
    *(
        (name, control(name), "value")
        for name in (
            "town",
            "department",
            "category",
            "channel",
            "priority",
            "status",
            "timeliness",
            "satisfaction",
            "overdue",
            "escalated",
            "q",
        )
    ),
    ("reported_from", control("reported"), "start_date"),
    ("reported_to", control("reported"), "end_date"),
    ("deadline_from", control("deadline"), "start_date"),
    ("deadline_to", control("deadline"), "end_date"),
)
# kept when the filters are applied: the view, the KPI set and its window, sort, language
# kept when the filters are applied: the view, the KPI set and its window, sort, language
CARRIED = ("view", "set", "start", "end", "sort", "dir", "lang")
