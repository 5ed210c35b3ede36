"""Pure builders for the wall's panels: plain data in, components and figures out."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from dash import Patch, html

from common.vocabulary import RESOLVED
from dashboard.components.format import count, percent
from dashboard.components.kpi_tile import kpi_tile
from dashboard.components.kpi_tiles import Tile, change, compared_text
from dashboard.i18n import t

TEXT = "#e6edf5"
MUTED = "#8da2b8"


WALL_TILES = (
    ("incidents", Tile("received", "count"), "kpi.received"),
    ("incidents", Tile("closed", "count", "higher"), "kpi.closed"),
    ("incidents", Tile("closure_rate", "rate", "higher"), "kpi.closure_rate"),
    ("incidents", Tile("on_time_rate", "rate", "higher"), "kpi.on_time_rate"),
    ("incidents", Tile("satisfaction_rate", "rate", "higher"), "kpi.satisfaction_rate"),
    ("disputes", Tile("accepted", "count"), "kpi.disputes_accepted"),
    ("disputes", Tile("resolution_rate", "rate", "higher"), "kpi.resolution_rate"),
)


def today_tiles(today: dict, compared: dict, lang: str) -> list:
    """Today's figures, each with its change against `compared` (wall_data's comparison:
    the leader page's, worded the same: "较昨日同时 ▲ +0.3 个百分点")."""
    tiles = []
    for family, spec, label in WALL_TILES:
        value = today[family][spec.name]
        shown = percent(value) if spec.kind == "rate" else count(value)
        if value is None:
            detail = t("kpi.no_data", lang)
        else:
            delta, _ = change(spec, value, compared[family][spec.name], lang)
            detail = compared_text(compared["basis"], delta, lang)
        tiles.append(kpi_tile(t(label, lang), shown, detail))
    return tiles


def backlog_tiles(backlog: dict, lang: str) -> list:
    return [
        kpi_tile(t("kpi.backlog_open", lang), count(backlog["open"])),
        kpi_tile(
            t("kpi.backlog_overdue", lang),
            count(backlog["overdue"]),
            tone="bad" if backlog["overdue"] else "neutral",
        ),
        kpi_tile(
            t("kpi.backlog_due_soon", lang),
            count(backlog["due_soon"]),
            tone="warn" if backlog["due_soon"] else "neutral",
        ),
    ]


def trend_figure(
    today: list[int], yesterday: list[int], lang: str, scale: float = 1.0
) -> go.Figure:
    hours = list(range(24))
    fig = go.Figure()
    fig.add_scatter(
        x=hours,
        y=yesterday,
        name=t("wall.yesterday_line", lang),
        mode="lines",
        line={"color": MUTED, "width": 2 * scale, "dash": "dot"},
    )
    fig.add_bar(x=hours, y=today, name=t("wall.today_line", lang), marker_color="#4da3ff")
    fig.update_layout(
        margin={"l": 36 * scale, "r": 8, "t": 4, "b": 28 * scale},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": TEXT, "size": 14 * scale},
        legend={"orientation": "h", "y": 1.15, "x": 0},
        xaxis={"dtick": 3, "gridcolor": "#23384d"},
        yaxis={"gridcolor": "#23384d", "range": [0, trend_top(today, yesterday)]},
    )
    return fig


def trend_patch(today: list[int], yesterday: list[int]) -> Patch:
    patch = Patch()
    patch["data"][0]["y"] = yesterday
    patch["data"][1]["y"] = today
    patch["layout"]["yaxis"]["range"] = [0, trend_top(today, yesterday)]
    return patch


def trend_top(today: list[int], yesterday: list[int]) -> int:
    """The trend's y-axis top, in coarse steps (1, 2, 5 x 10^n) above the highest count.
    Plotly keeps the measured size of each tick label per text and position (up to
    10,000 entries, about 0.37 kB each, before it starts over); an autorange that followed
    every count put the same labels at new positions on each update, so a wall's heap
    grew by up to ~3.7 MB until that reset (issue #5)."""
    top = max([*today, *yesterday, 1])
    decade = 10 ** math.floor(math.log10(top))
    return next(m * decade for m in (1, 2, 5, 10) if top <= m * decade)


def ranking_rows(ranked: list[dict], unranked: list[str], names, lang: str) -> html.Div:
    if not ranked and not unranked:
        return html.Div(t("wall.no_events", lang), className="wall-muted")
    rows = [
        html.Li(
            className="wall-rank",
            children=[
                html.Span(f"{i}", className="wall-rank__pos"),
                html.Span(names.name("town", r["key"], lang), className="wall-rank__name"),
                html.Span(percent(r["closure_rate"]), className="wall-rank__rate"),
                html.Span(f"{r['closed']}/{r['received']}", className="wall-rank__n"),
            ],
        )
        for i, r in enumerate(ranked[:8], start=1)
    ]
    footer = (
        html.Div(
            f"{t('wall.ranking_empty', lang)} "
            + "、".join(names.name("town", k, lang) for k in unranked),
            className="wall-muted",
        )
        if unranked
        else None
    )
    return html.Div([html.Ol(rows, className="wall-ranking"), footer])


def _level_badge(level: int, lang: str):
    if not level:
        return None
    return html.Span(
        t("wall.level", lang, level=level), className=f"wall-level wall-level--{min(level, 3)}"
    )


def _alert(row: dict, kind: str, shape: str, when: str, names, lang: str, newest=False):
    """One alert line; overdue and due-soon differ by shape and words, not colour alone."""
    what = (
        f"{names.name('town', row['town'], lang)} · {names.name('category', row['category'], lang)}"
    )
    return html.Li(
        className=f"wall-alert wall-alert--{kind}" + (" wall-alert--newest" if newest else ""),
        children=[
            html.Span(shape, className="wall-alert__shape"),
            html.Span(row["id"], className="wall-alert__id"),
            html.Span(what, className="wall-alert__what"),
            html.Span(when, className="wall-alert__time"),
            _level_badge(row["escalation_level"], lang),
        ],
    )


def alert_rows(overdue: dict, due_soon: dict, names, lang: str) -> html.Div:
    header = html.Div(
        className="wall-alerts__counts",
        children=[
            html.Span(
                "■ " + t("wall.overdue_count", lang, n=f"{overdue['total']:,}"),
                className="wall-bad",
            ),
            html.Span(
                "▲ " + t("wall.due_soon_count", lang, n=f"{due_soon['total']:,}"),
                className="wall-warn",
            ),
        ],
    )
    newest = overdue["items"][0] if overdue["items"] else None  # newest overdue first
    items = [
        _alert(
            row,
            "overdue",
            "■",
            t("wall.overdue_by", lang, hours=f"{row['hours_overdue']:.0f}"),
            names,
            lang,
            newest=row is newest,
        )
        for row in overdue["items"][:7]
    ]
    items += [
        _alert(
            row, "soon", "▲", t("wall.due_in", lang, hours=f"{row['hours_left']:.1f}"), names, lang
        )
        for row in due_soon["items"][: max(0, 10 - len(items))]
    ]
    if not items:
        return html.Div([header, html.Div(t("wall.no_alerts", lang), className="wall-muted")])
    return html.Div([header, html.Ul(items, className="wall-alerts")])


def mediation_panel(disputes: dict, by_kind: list[dict], names, lang: str) -> html.Div:
    resolved = sum(disputes[s] for s in RESOLVED)
    return html.Div(
        className="wall-mediation",
        children=[
            html.Div(
                className="wall-tiles wall-tiles--3",
                children=[
                    kpi_tile(t("wall.accepted", lang), count(disputes["accepted"])),
                    kpi_tile(t("wall.resolved", lang), count(resolved)),
                    kpi_tile(
                        t("kpi.mediation_success_rate", lang),
                        percent(disputes["mediation_success_rate"]),
                    ),
                ],
            ),
            html.Ul(
                [
                    html.Li(f"{names.name('dispute_kind', r['key'], lang)}  {r['accepted']}")
                    for r in by_kind[:4]
                ],
                className="wall-kinds",
            ),
        ],
    )
