"""Pure figure builders: plain data in, Plotly figures out (testable without a server).

Every text taken from data goes through plot_text (Plotly reads it as HTML). Nothing
here needs the internet: cartesian traces, a heatmap and a Sankey only; PNG
export is Plotly's own modebar button in the browser (dashboard.leader_layout.graph_config).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import plotly.graph_objects as go

from common.vocabulary import RESOLVED
from dashboard.components.plot_text import plot_text, plot_texts
from dashboard.i18n import t

PALETTE = {"received": "#4e79a7", "closed": "#59a14f", "rate": "#f28e2b"}
OUTCOME_COLOURS = {
    "mediated": "#59a14f",
    "adjudicated": "#4e79a7",
    "failed": "#e15759",
    "litigation": "#b07aa1",
    "withdrawn": "#9c9c9c",
    "pending": "#f2a900",
}
SEQUENTIAL = "Blues"
BASE_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 40, "r": 20, "t": 10, "b": 40},
    "font": {"family": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, WenQuanYi Zen Hei"},
}


def _no_data(fig: go.Figure, lang: str) -> go.Figure:
    fig.add_annotation(
        text=t("kpi.no_data", lang),
        showarrow=False,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        font={"size": 16, "color": "#5b6776"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


DAY_MS = 86_400_000
MONTHLY_AFTER_DAYS = 92  # a longer window is drawn as months: a year is 12 bars, not 336
MAX_TICKS = 16
# axis labels per language; %a and %b follow Plotly's locale (config "locale": zh-CN)
DAY_FORMAT = {"zh": "%-m月%-d日", "en": "%b %-d"}
DAY_HOVER = {"zh": "%Y年%-m月%-d日 %a", "en": "%a %b %-d, %Y"}
MONTH_FORMAT = {"zh": "%Y年%-m月", "en": "%b %Y"}
PERCENT_AXIS = {"range": [0, 1], "tick0": 0, "dtick": 0.2, "tickformat": ".0%"}


def percent_axis(**more) -> dict:
    """A rate's axis: 0 to 100% in round steps, never past 100%."""
    return {**PERCENT_AXIS, **more}


def _day(key) -> date:
    return key if isinstance(key, date) else date.fromisoformat(str(key)[:10])


def is_monthly(start: date, end: date) -> bool:
    return (end - start).days + 1 > MONTHLY_AFTER_DAYS


def by_month(rows: list[dict], first: str, second: str) -> list[dict]:
    """Rows per day summed per month (keyed by its first day), with second / first."""
    months: dict[date, dict] = {}
    for r in rows:
        month = _day(r["key"]).replace(day=1)
        sums = months.setdefault(month, {"key": month, first: 0, second: 0})
        sums[first] += r[first]
        sums[second] += r[second]
    for sums in months.values():
        sums["rate"] = sums[second] / sums[first] if sums[first] else None
    return [months[m] for m in sorted(months)]


def _month_count(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def time_axis(start: date, end: date, lang: str) -> dict:
    """The x axis of bars per day, or per month on a long window: it covers exactly the
    window and its ticks are whole days or months (under their bars), never hours."""
    lang = "zh" if lang == "zh" else "en"
    if is_monthly(start, end):
        months = _month_count(start, end)
        step = next(m for m in (1, 2, 3, 6, 12, 24, 60) if months / m <= MAX_TICKS)
        axis = {
            "range": [start.replace(day=1).isoformat(), _next_month(end).isoformat()],
            "dtick": f"M{step}",
            "tick0": start.replace(day=1).isoformat(),
            "ticklabelmode": "period",  # a month's label in its middle
            "tickformat": MONTH_FORMAT[lang],
            "hoverformat": MONTH_FORMAT[lang],
        }
    else:
        step = math.ceil(((end - start).days + 1) / MAX_TICKS)
        axis = {
            "range": [start.isoformat(), (end + timedelta(days=1)).isoformat()],
            "dtick": step * DAY_MS,
            "tick0": f"{start.isoformat()} 12:00",  # the middle of a day: under its bar
            "tickformat": DAY_FORMAT[lang],
            "hoverformat": DAY_HOVER[lang],
        }
    return {"type": "date", "showgrid": False, **axis}


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def periods(keys: list[date], monthly: bool) -> tuple[list[str], list[int]]:
    """(the middle of each day or month, its length in ms): where a bar stands and how
    wide its period is (Plotly would size a lone bar to a millisecond)."""
    middles, lengths = [], []
    for key in keys:
        first = key.replace(day=1) if monthly else key
        length = ((_next_month(key) - first).days if monthly else 1) * DAY_MS
        middle = datetime.combine(first, time()) + timedelta(milliseconds=length / 2)
        middles.append(middle.isoformat(sep=" "))
        lengths.append(length)
    return middles, lengths


BAR_SHARE = 0.4  # of its period, for each of the two bars; a little air between periods


def _rate_bars(
    rows: list[dict], keys: tuple[str, str, str], labels, span: tuple[date, date], lang: str,
    height: int,
) -> go.Figure:  # fmt: skip
    first, second, rate_key = keys
    start, end = span
    monthly = is_monthly(start, end)
    if monthly:
        rows, rate_key = by_month(rows, first, second), "rate"
    middles, lengths = periods([_day(r["key"]) for r in rows], monthly)
    widths = [BAR_SHARE * n for n in lengths]
    fig = go.Figure()
    for key, colour, offset in ((first, "received", -BAR_SHARE), (second, "closed", 0.0)):
        fig.add_bar(
            x=middles,
            y=[r[key] for r in rows],
            name=labels[0] if key == first else labels[1],
            marker_color=PALETTE[colour],
            width=widths,
            offset=[offset * n for n in lengths],
        )
    fig.add_scatter(
        x=middles,
        y=[r[rate_key] for r in rows],
        name=labels[2],
        yaxis="y2",
        mode="lines+markers",
        line={"color": PALETTE["rate"], "width": 2},
        marker={"size": 4},
        cliponaxis=False,  # a 100% point sits on the axis' top, whole
    )
    xaxis = time_axis(start, end, lang)
    fig.update_layout(
        BASE_LAYOUT,
        barmode="group",
        margin={"l": 40, "r": 50, "t": 10, "b": 40},
        legend={"orientation": "h", "y": 1.12},
        xaxis=xaxis,
        yaxis={"title": t("chart.unit_cases", lang), "rangemode": "tozero"},
        yaxis2=percent_axis(overlaying="y", side="right", showgrid=False),
        height=height,
    )
    return fig


def _span(rows: list[dict], window) -> tuple[date, date]:
    if window is not None:
        return window.start, window.end
    days = [_day(r["key"]) for r in rows] or [date.today()]
    return min(days), max(days)


def daily_figure(rows: list[dict], lang: str, window=None) -> go.Figure:
    """Bars of received and closed per reported day (per month on a window longer than
    MONTHLY_AFTER_DAYS), with the closure rate as a line; `window` (start, end) sets
    the axis, else the rows' own days."""
    rows = sorted(rows, key=lambda r: str(r["key"]))
    labels = (t("chart.received", lang), t("chart.closed", lang), t("chart.closure_rate", lang))
    keys = ("received", "closed", "closure_rate")
    fig = _rate_bars(rows, keys, labels, _span(rows, window), lang, 340)
    return fig if rows else _no_data(fig, lang)


def dispute_daily_figure(rows: list[dict], lang: str, window=None) -> go.Figure:
    """Accepted and resolved per accepted day (or month), with the resolution rate."""
    rows = sorted(rows, key=lambda r: str(r["key"]))
    rows = [{**r, "resolved": sum(r[s] for s in RESOLVED)} for r in rows]
    labels = (t("mediation.accepted", lang), t("kpi.resolved", lang))
    labels += (t("kpi.resolution_rate", lang),)
    keys = ("accepted", "resolved", "resolution_rate")
    fig = _rate_bars(rows, keys, labels, _span(rows, window), lang, 320)
    return fig if rows else _no_data(fig, lang)


def channel_figure(rows: list[dict], names: dict[str, str], lang: str) -> go.Figure:
    """Received by channel as a donut, largest first."""
    rows = [r for r in rows if r["received"]]
    fig = go.Figure(
        go.Pie(
            labels=plot_texts(names.get(r["key"], r["key"]) for r in rows),
            values=[r["received"] for r in rows],
            hole=0.5,
            sort=True,
            direction="clockwise",
            textinfo="percent",
            hovertemplate="%{label}: %{value} (%{percent})<extra></extra>",
        )
    )
    fig.update_layout(BASE_LAYOUT, height=320, legend={"font": {"size": 12}})
    return fig if rows else _no_data(fig, lang)


def category_figure(rows: list[dict], names: dict[str, str], lang: str) -> go.Figure:
    """Received and closed by category, as horizontal bars, largest at the top."""
    rows = sorted((r for r in rows if r["received"]), key=lambda r: r["received"])
    labels = plot_texts(names.get(r["key"], r["key"]) for r in rows)
    fig = go.Figure()
    for key, colour in (("received", PALETTE["received"]), ("closed", PALETTE["closed"])):
        fig.add_bar(
            y=labels,
            x=[r[key] for r in rows],
            name=t(f"chart.{key}", lang),
            orientation="h",
            marker_color=colour,
        )
    fig.update_layout(
        BASE_LAYOUT,
        barmode="group",
        height=max(320, 26 * len(rows) + 80),
        margin={"l": 10, "r": 20, "t": 30, "b": 30},
        legend={"orientation": "h", "y": 1.08},
        yaxis={"automargin": True},
    )
    return fig if rows else _no_data(fig, lang)


def count_step(top: float, ticks: int = 5) -> int:
    """A whole, round step (1, 2, 5 x 10^n) giving at most about `ticks` ticks up to top."""
    rough = max(top / ticks, 1)
    decade = 10 ** math.floor(math.log10(rough))
    return next(m * decade for m in (1, 2, 5, 10) if rough <= m * decade)


def count_colorbar(lang: str, top: float) -> dict:
    """A colour bar of counts: titled with its unit, ticks on whole numbers."""
    return {
        "thickness": 12,
        "title": {"text": t("chart.unit_cases", lang)},
        "tick0": 0,
        "dtick": count_step(top),
        "tickformat": ",d",
    }


def weekday_hour_figure(grid: list[list[int]], lang: str) -> go.Figure:
    """Received per local weekday (rows, Monday at the top) and hour (columns)."""
    days = t("leader.weekdays", lang).split(",")
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=list(range(24)),
            y=days,
            colorscale=SEQUENTIAL,
            hovertemplate="%{y} %{x}:00 — %{z}<extra></extra>",
            colorbar=count_colorbar(lang, max((v for row in grid for v in row), default=0)),
        )
    )
    fig.update_layout(
        BASE_LAYOUT,
        height=300,
        xaxis={"title": t("leader.hour", lang), "dtick": 2},
        yaxis={"autorange": "reversed"},
    )
    return fig if any(map(any, grid)) else _no_data(fig, lang)


def matrix_figure(
    cells: list[dict], row_names: dict[str, str], column_names: dict[str, str], lang: str
) -> go.Figure:
    """Received per (row, column) pair as a heatmap with the counts written in; rows and
    columns ordered by their totals, largest first."""
    rows = _by_total(cells, "row")
    columns = _by_total(cells, "column")
    counts = {(c["row"], c["column"]): c["received"] for c in cells}
    z = [[counts.get((r, c), 0) for c in columns] for r in rows]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=plot_texts(column_names.get(c, c) for c in columns),
            y=plot_texts(row_names.get(r, r) for r in rows),
            colorscale=SEQUENTIAL,
            text=z,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: %{z}<extra></extra>",
            colorbar=count_colorbar(lang, max(counts.values(), default=0)),
        )
    )
    fig.update_layout(
        BASE_LAYOUT,
        height=max(320, 26 * len(rows) + 140),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"side": "top", "automargin": True, "tickangle": -35},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig if cells else _no_data(fig, lang)


def _by_total(cells: list[dict], axis: str) -> list[str]:
    totals: dict[str, int] = {}
    for c in cells:
        totals[c[axis]] = totals.get(c[axis], 0) + c["received"]
    return sorted(totals, key=lambda k: (-totals[k], str(k)))


def dispute_flow_figure(flow: dict, names: dict[str, str], lang: str) -> go.Figure:
    """Sankey: accepted → (mediating →) each outcome, pending included; links of 0 left out."""
    outcomes = list(flow["direct"])
    nodes = ["accepted", "mediating", *outcomes]
    index = {n: i for i, n in enumerate(nodes)}
    links = [("accepted", "mediating", flow["mediating"])]
    links += [("accepted", o, flow["direct"][o]) for o in outcomes]
    links += [("mediating", o, flow["via_mediating"][o]) for o in outcomes]
    links = [link for link in links if link[2]]
    colours = {"accepted": "#14324f", "mediating": "#1f5fa8", **OUTCOME_COLOURS}
    totals = {"accepted": flow["accepted"], "mediating": flow["mediating"]}
    for o in outcomes:
        totals[o] = flow["direct"][o] + flow["via_mediating"][o]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [f"{plot_text(names[n])} {totals[n]:,}" for n in nodes],
                "color": [colours[n] for n in nodes],
                "pad": 18,
                "thickness": 16,
            },
            link={
                "source": [index[a] for a, _b, _n in links],
                "target": [index[b] for _a, b, _n in links],
                "value": [n for _a, _b, n in links],
                "color": [_fade(colours[b]) for _a, b, _n in links],
            },
        )
    )
    fig.update_layout(BASE_LAYOUT, height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig if flow["accepted"] else _no_data(fig, lang)


def _fade(hex_colour: str, alpha: float = 0.35) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def duration_bins(edges: list[float], lang: str) -> list[str]:
    lows = [0, *edges]
    labels = [t("mediation.bin", lang, lo=lo, hi=hi) for lo, hi in zip(lows, edges, strict=False)]
    return [*labels, t("mediation.bin_last", lang, lo=edges[-1])]


def durations_figure(times: dict, names: dict[str, str], lang: str) -> go.Figure:
    """How long disputes took from acceptance to their outcome: stacked by outcome."""
    bins = duration_bins(times["edges"], lang)
    fig = go.Figure()
    for outcome, summary in times["outcomes"].items():
        if summary["count"]:
            fig.add_bar(
                x=bins,
                y=summary["histogram"],
                name=plot_text(names[outcome]),
                marker_color=OUTCOME_COLOURS[outcome],
            )
    fig.update_layout(
        BASE_LAYOUT,
        barmode="stack",
        height=320,
        legend={"orientation": "h", "y": 1.12},
        yaxis={"title": t("leader.count", lang)},
    )
    return fig if fig.data else _no_data(fig, lang)
