"""Pure builders for the wall's panels: plain data in, components and figures out."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
from dash import Patch, html

from common.masking import mask_text
from common.scope import Scope
from common.vocabulary import DECIDED, RATES, RESOLVED
from dashboard.components.alert_badge import SHAPES, alert_badge
from dashboard.components.format import count, percent, short_town
from dashboard.components.grid_map import DARK_SCALE, class_ranges
from dashboard.components.kpi_tile import kpi_tile
from dashboard.components.kpi_tiles import Tile, change, compared_text
from dashboard.i18n import t
from data_access.alerts import BLUE, COLOURS

TEXT = "#e6edf5"
MUTED = "#8da2b8"
LABEL_PX = 24  # the wall's smallest text at 1080 lines (wall.css: 2.3vh), read at six metres
MAP_PX = 440  # about how wide the wall's map is drawn at 1080 lines (its labels are spread
# for that width; at 2160 lines the map and its type are both twice as large)
FEW = 20  # a rate of fewer cases is shown as its count
RANK_ROWS = 5
ALERT_ROWS = 8


WALL_TILES = (
    ("incidents", Tile("received", "count"), "kpi.received"),
    ("incidents", Tile("closed", "count", "higher"), "kpi.closed"),
    ("incidents", Tile("closure_rate", "rate", "higher"), "kpi.closure_rate"),
    ("incidents", Tile("on_time_rate", "rate", "higher"), "kpi.on_time_rate"),
    ("incidents", Tile("satisfaction_rate", "rate", "higher"), "kpi.satisfaction_rate"),
    ("disputes", Tile("accepted", "count"), "kpi.disputes_accepted"),
    ("disputes", Tile("resolution_rate", "rate", "higher"), "kpi.resolution_rate"),
    ("disputes", Tile("mediation_success_rate", "rate", "higher"), "kpi.mediation_success_rate"),
)


def _counts(figures: dict) -> dict:
    """The figures with the dispute sums their rates are made of (RATES)."""
    return {
        **figures,
        "resolved": sum(figures.get(s, 0) for s in RESOLVED),
        "decided": sum(figures.get(s, 0) for s in DECIDED),
    }


def rate_text(figures: dict, rate: str, lang: str) -> tuple[str, bool]:
    """(what a rate's tile shows, whether it is the count instead of the rate): a rate of
    fewer than FEW cases says how many ("3/3 件"), not a percentage that looks solid."""
    num, den = RATES[rate]
    counts = _counts(figures)
    if figures[rate] is not None and counts[den] < FEW:
        return t("wall.few", lang, num=counts[num], den=counts[den]), True
    return percent(figures[rate]), False


def today_tiles(today: dict, compared: dict, lang: str) -> list:
    """Today's figures, each with its change against `compared` (wall_data's comparison:
    the leader page's, worded the same: "较昨日同时 ▲ 0.3 个百分点"); a rate of fewer than
    FEW cases shows its count instead."""
    tiles = []
    for family, spec, label in WALL_TILES:
        if today[family] is None:  # a department scope's disputes: it has none
            continue
        value = today[family][spec.name]
        if value is None:
            tiles.append(kpi_tile(t(label, lang), percent(value), t("kpi.no_data", lang)))
            continue
        is_rate = spec.kind == "rate"
        text, few = rate_text(today[family], spec.name, lang) if is_rate else (count(value), False)
        if few:
            detail = t("wall.few_note", lang, n=FEW)
        else:
            delta, _ = change(spec, value, compared[family][spec.name], lang)
            detail = compared_text(compared["basis"], delta, lang)
        tiles.append(kpi_tile(t(label, lang), text, detail))
    if today["disputes"] is None:
        tiles.append(no_disputes(lang))
    return tiles


def no_disputes(lang: str) -> html.Div:
    """In place of the dispute tiles on a department scope's wall: disputes belong to
    towns, so it has none (CONTRACT 2), which zeros would misstate as a quiet day."""
    return html.Div(
        className="cc-tile cc-tile--neutral",
        children=[
            html.Div(t("wall.disputes", lang), className="cc-tile__label"),
            html.Div(t("wall.no_disputes", lang), className="wall-tile__note"),
        ],
    )


def backlog_tiles(backlog: dict, lang: str) -> list:
    """Open, overdue and due soon side by side; the shape that says overdue (■) or due
    soon (▲) beside the label, so the number alone fills its tile."""
    figures = (
        ("kpi.backlog_open", backlog["open"], "neutral", ""),
        ("kpi.backlog_overdue", backlog["overdue"], "bad", "■ "),
        ("kpi.backlog_due_soon", backlog["due_soon"], "warn", "▲ "),
    )
    return [
        html.Div(
            className=f"cc-tile cc-tile--{tone if value else 'neutral'}",
            children=[
                html.Div(marker + t(label, lang), className="cc-tile__label"),
                html.Div(count(value), className="cc-tile__value"),
            ],
        )
        for label, value, tone, marker in figures
    ]


def trend_figure(
    today: list[int], yesterday: list[int], lang: str, scale: float = 1.0
) -> go.Figure:
    """`scale`: the screen's height over 1080 (Plotly's sizes are pixels)."""
    hours = list(range(24))
    size = LABEL_PX * scale
    fig = go.Figure()
    fig.add_scatter(
        x=hours,
        y=yesterday,
        name=t("wall.yesterday_line", lang),
        mode="lines",
        line={"color": MUTED, "width": 3 * scale, "dash": "dot"},
    )
    fig.add_bar(x=hours, y=today, name=t("wall.today_line", lang), marker_color="#4da3ff")
    fig.update_layout(
        margin={"l": 2.2 * size, "r": 8 * scale, "t": 1.6 * size, "b": 1.6 * size},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": TEXT, "size": size},
        legend={"orientation": "h", "y": 1, "yanchor": "bottom", "x": 0, "font": {"size": size}},
        # hours 6, 12, 18: a "0" would sit on the y axis's "0"
        xaxis={"tickvals": [6, 12, 18], "gridcolor": "#23384d", "tickfont": {"size": size}},
        yaxis={
            "gridcolor": "#23384d",
            "range": [0, trend_top(today, yesterday)],
            "nticks": 4,
            "tickfont": {"size": size},
        },
    )
    return fig


def trend_patch(today: list[int], yesterday: list[int]) -> Patch:
    patch = Patch()
    patch["data"][0]["y"] = yesterday
    patch["data"][1]["y"] = today
    patch["layout"]["yaxis"]["range"] = [0, trend_top(today, yesterday)]
    return patch


def map_legend(counts: dict[str, int], lang: str, repeats: int = 0) -> html.Div:
    """The map's colour key: each density class in use and the counts it stands for, and
    the rings' meaning with the week's `repeats` (repeat reports: closed but not solved)."""
    swatches = [
        html.Span(
            className="wall-legend__item",
            children=[
                html.Span(className="wall-legend__swatch", style={"background": DARK_SCALE[k]}),
                html.Span(str(low) if low == high else f"{low}–{high}"),
            ],
        )
        for k, low, high in class_ranges(counts)
    ]
    ring = html.Span(
        className="wall-legend__item wall-legend__repeats",
        children=[
            html.Span(className="wall-legend__ring"),
            html.Span(t("wall.map_repeats", lang, n=f"{repeats:,}")),
        ],
    )
    return html.Div(
        [html.Span(t("wall.map_key", lang), className="wall-legend__title"), *swatches, ring],
        className="wall-legend",
    )


def trend_top(today: list[int], yesterday: list[int]) -> int:
    """The trend's y-axis top, in coarse steps (1, 2, 5 x 10^n) above the highest count.
    Plotly keeps the measured size of each tick label per text and position (up to
    10,000 entries, about 0.37 kB each, before it starts over); an autorange that followed
    every count put the same labels at new positions on each update, so a wall's heap
    grew by up to ~3.7 MB until that reset (issue #5)."""
    top = max([*today, *yesterday, 1])
    decade = 10 ** math.floor(math.log10(top))
    return next(m * decade for m in (1, 2, 5, 10) if top <= m * decade)


def town(names, code: str, lang: str) -> str:
    """A town's short name (format.short_town): the wall's type leaves no room for more."""
    return short_town(names.name("town", code, lang), lang)


def unit_name(names, unit: str, code: str, lang: str) -> str:
    """A ranked town's short name, or a ranked grid's name."""
    return town(names, code, lang) if unit == "town" else names.name(unit, code, lang)


def scope_grids(grids: list[dict], scope: Scope) -> list[dict]:
    """The grids a scope's map draws: a town scope's own (the map zooms to them); every
    grid for the county and for a department, whose cases may be anywhere."""
    if scope.kind != "town":
        return grids
    return [g for g in grids if g["town"] in scope.codes]


def ranking_rows(ranked: list[dict], unranked: list[str], unit: str, names, lang: str) -> html.Div:
    """Towns (a town scope's grids: `unit`) in the order of the figure shown: the lower
    bound of their closure rate (data_access.ranking, Wilson 95%), which a unit with few
    cases cannot top by luck; the counts beside it say how many cases it is made of."""
    if not ranked and not unranked:
        return html.Div(t("wall.no_events", lang), className="wall-muted")
    rows = [
        html.Li(
            className="wall-rank wall-fit",
            children=[
                html.Span(f"{i}", className="wall-rank__pos"),
                html.Span(unit_name(names, unit, r["key"], lang), className="wall-rank__name"),
                html.Span(f"≥{percent(r['score'], 0)}", className="wall-rank__rate"),
                html.Span(f"{r['closed']}/{r['received']}", className="wall-rank__n"),
            ],
        )
        for i, r in enumerate(ranked[:RANK_ROWS], start=1)
    ]
    notes = [html.Div(t("wall.ranking_why", lang), className="wall-muted wall-fit")]
    if unranked:
        notes.append(
            html.Div(
                f"{t('wall.ranking_empty', lang)} "
                + ("、" if lang == "zh" else ", ").join(
                    unit_name(names, unit, k, lang) for k in unranked
                ),
                className="wall-muted wall-rank__none wall-fit",
            )
        )
    return html.Div([html.Ol(rows, className="wall-ranking"), *notes])


def _level_badge(level: int, lang: str):
    if not level:
        return None
    return html.Span(
        t("wall.level", lang, level=level), className=f"wall-level wall-level--{min(level, 3)}"
    )


def overdue_text(hours: float, lang: str) -> str:
    """How long overdue, in hours up to two days, then in days."""
    if hours < 48:
        return t("wall.overdue_by", lang, hours=f"{hours:.0f}")
    return t("wall.overdue_days", lang, days=f"{hours // 24:.0f}")


def _when(row: dict, lang: str) -> str:
    if row["colour"] == BLUE:
        return t("wall.due_in", lang, hours=f"{max(row['hours_left'], 0):.1f}")
    return overdue_text(row["hours_overdue"], lang)


def _taken(row: dict, lang: str, tz: ZoneInfo):
    """Who took an overdue case in hand and when, or a loud "unacknowledged"."""
    if row["colour"] == BLUE:
        return None
    if not row["acknowledged"]:
        return html.Span("⚑ " + t("alert.unacknowledged", lang), className="wall-alert__unack")
    at = row["acknowledged_at"].astimezone(tz).strftime("%H:%M")
    who = mask_text(row["acknowledged_by"]) or "—"
    text = "✓ " + t("alert.acknowledged_by", lang, who=who, at=at)
    return html.Span(text, className="wall-alert__ack")


def _alert(row: dict, names, lang: str, tz: ZoneInfo):
    """One alert: its colour as a shape and a word, where and what, how late; below, who
    acknowledged it (or that nobody did) and its supervision level. An unacknowledged red
    row pulses slowly (wall.css), to be seen from across the room."""
    colour = row["colour"]
    what = f"{town(names, row['town'], lang)} · {names.name('category', row['category'], lang)}"
    unacknowledged = colour != BLUE and not row["acknowledged"]
    classes = f"wall-alert wall-alert--{colour} wall-fit"
    if unacknowledged:
        classes += " wall-alert--unacknowledged"
    return html.Li(
        className=classes,
        title=row["id"],
        children=[
            html.Div(
                className="wall-alert__line",
                children=[
                    alert_badge(colour, lang, short=True),
                    html.Span(what, className="wall-alert__what"),
                    html.Span(_when(row, lang), className="wall-alert__time"),
                ],
            ),
            html.Div(
                className="wall-alert__sub",
                children=[_taken(row, lang, tz), _level_badge(row["escalation_level"], lang)],
            ),
        ],
    )


def alert_rows(alerts: dict, unacknowledged: int, names, lang: str, tz: ZoneInfo) -> html.Div:
    """The duty officer's queue (data_access.wall): the overdue cases nobody acknowledged
    first, then those taken in hand, then the blue ones; ALERT_ROWS in all. The header
    counts each colour and, loudest, the overdue cases nobody took in hand."""
    counts = alerts["counts"]
    loud = " wall-alerts__unack--on" if unacknowledged else ""
    header = html.Div(
        className="wall-alerts__counts",
        children=[
            html.Span(
                "⚑ " + t("alert.unacknowledged_count", lang, n=f"{unacknowledged:,}"),
                className="wall-alerts__unack" + loud,
            ),
            *(
                html.Span(
                    f"{SHAPES[c]} " + t(f"alert.count_{c}", lang, n=f"{counts[c]:,}"),
                    className=f"wall-alerts__count wall-alerts__count--{c}",
                )
                for c in COLOURS
            ),
        ],
    )
    items = [_alert(row, names, lang, tz) for row in alerts["items"][:ALERT_ROWS]]
    if not items:
        return html.Div([header, html.Div(t("wall.no_alerts", lang), className="wall-muted")])
    return html.Div([header, html.Ul(items, className="wall-alerts")])
