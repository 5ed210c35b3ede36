"""Ids of the dispute list page (/disputes), shared by its layout and callbacks."""

PARAMS = "disputes-params"
LANG = "disputes-lang"
NAV = "disputes-nav"
GRID = "disputes-grid"
TOTAL = "disputes-total"
EXPORT = "disputes-export"
APPLY = "disputes-apply"


def control(name: str) -> str:
    return f"disputes-filter-{name}"


# (URL parameter, control id, control property) of every filter control
CONTROLS = (
    *((name, control(name), "value") for name in ("town", "kind", "mediation_type", "status", "q")),
    ("accepted_from", control("accepted"), "start_date"),
    ("accepted_to", control("accepted"), "end_date"),
)
CARRIED = ("set", "start", "end", "sort", "dir", "lang")
