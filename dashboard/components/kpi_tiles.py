"""KPI tiles of the leader and mediation pages: value, numerator and denominator, the
change against each comparison (previous period, last year: at equal age, named on the
tile), the definition on hover, and links to exactly the cases behind the number on the
shared incident and dispute lists."""

from __future__ import annotations

from dataclasses import dataclass

from dash import dcc, html

from common.vocabulary import DECIDED, RATES, RESOLVED, WORK_ORDER_RATES
from dashboard.components.format import count, percent
from dashboard.i18n import t
from dashboard.links import ALERT_SETS, alert_list_href, dispute_list_href, incident_list_href
from data_access.kpis import Filters, Window


@dataclass(frozen=True)
class Tile:
    """One figure: `value` names the figure in the kpis dicts; `num`/`den` name the
    counts of a rate; `sets` are the list sets behind the value (and num/den)."""

    name: str
    kind: str  # count | rate | hours
    better: str = "neutral"  # higher | lower | neutral
    num: str | None = None
    den: str | None = None
    sets: tuple[str, ...] = ()
    num_sets: tuple[str, ...] = ()


def _rate_tile(name: str, better: str = "higher") -> Tile:
    """A rate whose cases are its denominator's, its numerator's."""
    num, den = RATES[name]
    return Tile(name, "rate", better, num, den, (den,), (num,))


INCIDENT_TILES = (
    Tile("received", "count", sets=("received",)),
    _rate_tile("closure_rate"),
    _rate_tile("on_time_rate"),
    Tile("overdue_open", "count", "lower", sets=("overdue_open",)),
    _rate_tile("satisfaction_rate"),
    Tile("median_hours_to_close", "hours", "lower", sets=("closed",)),
)
# the work order's rates (second edition); a return, an extension, a reopen is worse
LOWER_IS_BETTER = ("return_rate", "extension_rate", "reopen_rate")
WORK_ORDER_TILES = tuple(
    _rate_tile(name, "lower" if name in LOWER_IS_BETTER else "higher") for name in WORK_ORDER_RATES
)
# reported in the window and merged into another (重复件): neither good nor bad, since a
# merge is staff clearing the intake; listed as the incident list's `duplicates` set
DUPLICATES_TILE = Tile("duplicates", "count", sets=("duplicates",))
DISPUTE_TILES = (
    Tile("disputes_accepted", "count", sets=("accepted",)),
    Tile("resolved", "count", "higher", sets=("resolved",)),
    _rate_tile("resolution_rate"),
    _rate_tile("mediation_success_rate"),
    Tile("pending", "count", sets=("pending",)),
)
BACKLOG_TILES = (
    Tile("backlog_open", "count", sets=("backlog_open",)),
    Tile("backlog_overdue", "count", "lower", sets=("backlog_overdue",)),
    Tile("backlog_due_soon", "count", "lower", sets=("backlog_due_soon",)),
    Tile("backlog_red", "count", "lower", sets=("alerts_red",)),
    Tile("backlog_yellow", "count", "lower", sets=("alerts_yellow",)),
    Tile(
        "backlog_overdue_unacknowledged", "count", "lower", sets=("alerts_overdue_unacknowledged",)
    ),
)


def dispute_values(figures: dict) -> dict:
    """The dispute tiles' values: the contract's figures plus the counts their rates use."""
    return {
        **figures,
        "disputes_accepted": figures["accepted"],
        "resolved": sum(figures[s] for s in RESOLVED),
        "decided": sum(figures[s] for s in DECIDED),
    }


def backlog_values(backlog: dict) -> dict:
    """The backlog's figures, its alert colours' counts among them (backlog_red, ...)."""
    flat = {k: v for k, v in backlog.items() if k != "alerts"}
    return {f"backlog_{k}": v for k, v in {**flat, **backlog.get("alerts", {})}.items()}


def show(kind: str, value, lang: str) -> str:
    if kind == "rate":
        return percent(value)
    if kind == "hours":
        return "—" if value is None else t("kpi.hours", lang, value=f"{value:.1f}")
    return count(value)


def change(tile: Tile, current, before, lang: str) -> tuple[str, str]:
    """(text, tone) of the change from `before` to `current`: points for rates, a
    relative change for counts, hours for durations; '—' when either is missing."""
    if current is None or before is None or (tile.kind == "count" and not before):
        return "—", "neutral"
    diff = current - before
    if tile.kind == "rate":
        text = t("kpi.points", lang, value=f"{diff * 100:+.1f}")
    elif tile.kind == "hours":
        text = t("kpi.hours", lang, value=f"{diff:+.1f}")
    else:
        text = f"{diff / before * 100:+.1f}%"
    arrow = "▲ " if diff > 0 else "▼ " if diff < 0 else "= "
    good = (diff > 0 and tile.better == "higher") or (diff < 0 and tile.better == "lower")
    bad = (diff < 0 and tile.better == "higher") or (diff > 0 and tile.better == "lower")
    return arrow + text, "good" if good else "bad" if bad else "neutral"


@dataclass(frozen=True)
class Links:
    """Where a tile's sets are listed: the incident or the dispute list, with the filter."""

    window: Window
    filters: Filters
    lang: str
    disputes: bool = False

    def href(self, sets: tuple[str, ...]) -> str:
        if self.disputes:
            return dispute_list_href(sets, self.window, self.filters.towns, self.lang)
        if sets[0] in ALERT_SETS:
            return alert_list_href(sets[0], self.filters, self.lang)
        backlog = sets[0].startswith("backlog_")
        window = None if backlog else self.window
        return incident_list_href(sets, window, self.filters, self.lang)


def den_text(den: str, values: dict, lang: str) -> str:
    """A denominator's count, or the name of its cases where the figures do not show it
    (reopen_rate's closed_once: data_access.work_order.HIDDEN)."""
    return count(values[den]) if den in values else t(f"incidents.set.{den}", lang)


def compared_text(basis: str, delta: str, lang: str) -> str:
    """'较上月同期 ▲ +1.0 个百分点': a change with what it is compared with."""
    return t("kpi.vs", lang, basis=t(f"kpi.basis_{basis}", lang), delta=delta)


def tile(
    spec: Tile,
    values: dict,
    lang: str,
    links: Links,
    compared: tuple[tuple[str, dict], ...] = (),
) -> html.Div:
    """`compared`: (basis, that window's values) per comparison, in the order shown."""
    value = values[spec.name]
    tone = "bad" if spec.better == "lower" and spec.kind == "count" and value else "neutral"
    children = [
        html.Div(t(f"kpi.{spec.name}", lang), className="cc-tile__label"),
        dcc.Link(
            show(spec.kind, value, lang),
            href=links.href(spec.sets),
            className="cc-tile__value",
            title=t("kpi.open_list", lang),
        ),
    ]
    if spec.num:
        children.append(
            html.Div(
                className="cc-tile__detail",
                children=[
                    dcc.Link(count(values[spec.num]), href=links.href(spec.num_sets)),
                    t("kpi.of", lang, num="", den="").replace(" ", "\u00a0"),
                    dcc.Link(den_text(spec.den, values, lang), href=links.href(spec.sets)),
                ],
            )
        )
    for basis, other in compared:
        text, change_tone = change(spec, value, other[spec.name], lang)
        children.append(
            html.Div(
                compared_text(basis, text, lang), className=f"cc-change cc-change--{change_tone}"
            )
        )
    return html.Div(
        className=f"cc-tile cc-tile--{tone} cc-tile--{spec.name}",
        title=t(f"kpi.def_{spec.name}", lang),
        children=children,
        **{"data-tile": spec.name},
    )
