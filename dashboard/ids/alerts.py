"""Ids of the alert list page (/alerts), shared by its layout and callbacks."""

from dashboard.ids.incidents import LIVE, LIVE_ANCHOR  # noqa: F401  (live.js's names)

PARAMS = "alerts-params"  # the page's checked filters: {"colours": [...], "acknowledged": ...}
LANG = "alerts-lang"
NAV = "alerts-nav"  # a Location the filters set (state lives in the URL)
COLOUR = "alerts-colour"
ACKNOWLEDGED = "alerts-acknowledged"
NOTE = "alerts-note"
TOTAL = "alerts-total"
COUNTS = "alerts-counts"
TABLE = "alerts-table"
VERSION = "alerts-version"  # the live data version, set only when it changes
ACKNOWLEDGE = "alerts-acknowledge"  # pattern id type: {"type": ACKNOWLEDGE, "index": id}
