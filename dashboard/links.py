"""URLs that carry a view: the KPI and mediation pages' period and filters, and links to
the shared incident and dispute lists showing exactly the cases behind a figure.

    /?period=30d&town=A&town=B&category=..&channel=..&department=..&lang=zh
    /?period=custom&start=2026-11-01&end=2026-11-25
    /incidents?set=closed&start=..&end=..&town=..&category=..&channel=..&department=..
    /incidents?set=backlog_overdue&town=..          (backlog sets: no window)
    /disputes?set=mediated&set=adjudicated&start=..&end=..&town=..

`set` names the sets of data_access.kpis (incident_conditions, backlog_conditions with
a `backlog_` prefix, dispute_conditions); repeating it, like any filter, means "any of".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlencode

from dashboard.api_params import CONTROL_CHARS
from dashboard.i18n import lang_or_default
from dashboard.period import DEFAULT_PERIOD, PERIODS, period_window
from data_access.kpis import Filters, Window

FILTER_PARAMS = (
    ("town", "towns"),
    ("category", "categories"),
    ("channel", "channels"),
    ("department", "departments"),
)
MAX_VALUES, MAX_LENGTH = 50, 64


@dataclass(frozen=True)
class View:
    """What a leader page shows: a period (dates only when custom), filters, language."""

    period: str = DEFAULT_PERIOD
    start: date | None = None
    end: date | None = None
    filters: Filters = field(default_factory=Filters)
    lang: str = "en"

    def window(self, today: date) -> Window:
        return period_window(self.period, today, self.start, self.end)


def _values(query: Mapping, name: str) -> tuple[str, ...]:
    raw = query.get(name) or ()
    values = [raw] if isinstance(raw, str) else list(raw)
    kept = [v for v in values if v and len(v) <= MAX_LENGTH and not CONTROL_CHARS.intersection(v)]
    return tuple(dict.fromkeys(kept))[:MAX_VALUES]


def _date(query: Mapping, name: str) -> date | None:
    values = _values(query, name)
    try:
        return date.fromisoformat(values[0]) if values else None
    except ValueError:
        return None


def view_from_query(query: Mapping, default_lang: str) -> View:
    """A View from parsed query parameters (a value or a list each); bad values fall back
    to the defaults rather than failing, since people edit and shorten URLs."""
    period = (_values(query, "period") or (DEFAULT_PERIOD,))[0]
    period = period if period in PERIODS else DEFAULT_PERIOD
    start, end = (_date(query, "start"), _date(query, "end")) if period == "custom" else (None,) * 2
    filters = Filters(**{attr: _values(query, name) for name, attr in FILTER_PARAMS})
    lang = lang_or_default((_values(query, "lang") or (None,))[0], default_lang)
    return View(period, start, end, filters, lang)


def view_from_search(search: str | None, default_lang: str) -> View:
    return view_from_query(parse_qs((search or "").lstrip("?")), default_lang)


def _filter_pairs(filters: Filters) -> list[tuple[str, str]]:
    return [(name, v) for name, attr in FILTER_PARAMS for v in getattr(filters, attr)]


def view_search(view: View) -> str:
    """The query string ('?...') that reproduces `view`."""
    pairs = [("period", view.period)]
    if view.period == "custom" and view.start and view.end:
        pairs += [("start", view.start.isoformat()), ("end", view.end.isoformat())]
    pairs += [*_filter_pairs(view.filters), ("lang", view.lang)]
    return "?" + urlencode(pairs)


def _window_pairs(window: Window | None) -> list[tuple[str, str]]:
    if window is None:
        return []
    return [("start", window.start.isoformat()), ("end", window.end.isoformat())]


def incident_list_href(
    sets: tuple[str, ...], window: Window | None, filters: Filters, lang: str
) -> str:
    """The incident list of the union of `sets`; window None for backlog sets."""
    pairs = [("set", s) for s in sets] + _window_pairs(window) + _filter_pairs(filters)
    return "/incidents?" + urlencode([*pairs, ("lang", lang)])


def dispute_list_href(sets: tuple[str, ...], window: Window, towns: tuple[str, ...], lang: str):
    """The dispute list of the union of `sets` (only towns narrow disputes)."""
    pairs = [("set", s) for s in sets] + _window_pairs(window) + [("town", t) for t in towns]
    return "/disputes?" + urlencode([*pairs, ("lang", lang)])


ALERT_SETS = {  # a backlog tile's alerts on the alert list (CONTRACT 2, Alerts)
    "alerts_red": [("colour", "red")],
    "alerts_yellow": [("colour", "yellow")],
    "alerts_overdue_unacknowledged": [
        ("colour", "red"), ("colour", "yellow"), ("acknowledged", "false"),
    ],
}  # fmt: skip


def alert_list_href(alert_set: str, filters: Filters, lang: str) -> str:
    """The alert list showing exactly a backlog tile's alerts, with the page's filters."""
    pairs = ALERT_SETS[alert_set] + _filter_pairs(filters)
    return "/alerts?" + urlencode([*pairs, ("lang", lang)])
