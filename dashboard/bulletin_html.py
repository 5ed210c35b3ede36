"""The bulletin as one printable HTML page (A4, CSS page breaks), rendered from the stored
model: the title block, the bottom three with reasons, the rules, a ranking table per unit
kind with last month's score and rank, and the charts. dashboard.bulletin_pdf prints it."""

from __future__ import annotations

from html import escape

from common.assessment import UNIT_KINDS
from dashboard.bulletin_charts import channel_chart, daily_chart, rates_chart
from dashboard.bulletin_labels import (
    county_title,
    generated_label,
    metric_label,
    month_title,
    percent,
    signed,
    unit_name,
)
from dashboard.i18n import t

FONT_FAMILY = '"WenQuanYi Zen Hei", "DejaVu Sans", sans-serif'
STYLE = f"""
@page {{ size: A4; margin: 14mm 12mm; }}
body {{ font-family: {FONT_FAMILY}; font-size: 10pt; color: #222; margin: 0; }}
h1 {{ font-size: 19pt; margin: 0 0 2mm; text-align: center; color: #a4161a; }}
h2 {{ font-size: 13pt; margin: 5mm 0 2mm; border-bottom: 1.5pt solid #a4161a; }}
h3 {{ font-size: 11pt; margin: 4mm 0 1.5mm; }}
.month {{ text-align: center; font-size: 13pt; margin: 0; }}
.meta, .note {{ color: #555; font-size: 8.5pt; }}
.meta {{ text-align: center; margin: 1mm 0 4mm; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8.5pt; }}
th, td {{ border: 0.5pt solid #999; padding: 1mm 1.2mm; }}
th {{ background: #eef2f6; }}
td.n {{ text-align: right; white-space: nowrap; }}
tr {{ page-break-inside: avoid; }}
.unranked td {{ color: #777; }}
.page {{ page-break-before: always; }}
.chart {{ margin: 1mm 0 4mm; }}
@media screen {{ body {{ max-width: 186mm; margin: 6mm auto; }} }}
.keep {{ break-inside: avoid; page-break-inside: avoid; }}
"""


def _row(values: list[str], numeric: range | set[int], css: str = "") -> str:
    cells = "".join(
        f'<td class="n">{v}</td>' if i in numeric else f"<td>{v}</td>" for i, v in enumerate(values)
    )
    return f'<tr class="{css}">{cells}</tr>'


def _table(
    head: list[str],
    rows: list[list[str]],
    numeric: range | set[int],
    classes: list[str] | None = None,
) -> str:
    """`head` is plain text (escaped here); `rows` are HTML; `numeric` columns align right."""
    head_html = "".join(f"<th>{escape(h)}</th>" for h in head)
    css = classes or [""] * len(rows)
    body = "".join(_row(r, numeric, css[i]) for i, r in enumerate(rows))
    return f"<table><thead><tr>{head_html}</tr></thead><tbody>{body}</tbody></table>"


def _reasons(unit: dict, lang: str) -> str:
    sep = "；" if lang == "zh" else "; "
    return sep.join(
        f"{escape(metric_label(r['metric'], lang))} {percent(r['value'], lang)}"
        f" (−{r['points_lost']:.2f})"
        for r in unit["reasons"]
    )


def _kind_metrics(model: dict, kind: str) -> list[str]:
    return [r["metric"] for r in model["rules"] if r["unit_kind"] == kind]


def _summary(model: dict, lang: str) -> str:
    totals = model["totals"]
    head = [t("bulletin.col.figure", lang), month_title(model["month"], lang)]
    rows = [
        [escape(t("kpi.received", lang)), str(totals["received"])],
        [escape(t("kpi.closed", lang)), str(totals["closed"])],
    ]
    for rate in ("closure_rate", "on_time_rate", "satisfaction_rate"):
        rows.append([escape(metric_label(rate, lang)), percent(totals[rate], lang)])
    return _table(head, rows, {1})


def _bottom(model: dict, lang: str) -> str:
    out = []
    for kind in UNIT_KINDS:
        units = {u["code"]: u for u in model[kind]}
        out.append(f"<h3>{escape(t(f'bulletin.kind_{kind}', lang))}</h3>")
        codes = model["bottom"][kind]
        if not codes:
            out.append(f'<p class="note">{escape(t("bulletin.bottom_none", lang))}</p>')
            continue
        head = [t(f"bulletin.col.{c}", lang) for c in ("rank", "unit", "score", "reasons")]
        rows = [
            [
                str(units[c]["rank"]),
                escape(unit_name(units[c], lang)),
                f"{units[c]['score']:.2f}",
                _reasons(units[c], lang),
            ]
            for c in codes
        ]
        out.append(_table(head, rows, {0, 2}))
    return "".join(out)


def _rules(model: dict, lang: str) -> str:
    columns = ("kind", "metric", "weight", "floor", "target", "direction")
    head = [t(f"bulletin.col.{c}", lang) for c in columns]
    rows = [
        [
            escape(t(f"bulletin.kind_{r['unit_kind']}", lang)),
            escape(metric_label(r["metric"], lang)),
            f"{r['weight']:g}",
            percent(r["floor"], lang),
            percent(r["target"], lang),
            escape(t(f"bulletin.{'lower' if r['target'] < r['floor'] else 'higher'}_better", lang)),
        ]
        for r in model["rules"]
    ]
    note = t("bulletin.rules_note", lang, min=model["min_received"])
    previous = model["previous_month"]
    prev_note = t(f"bulletin.previous_{previous['source']}", lang, month=previous["month"])
    notes = f'<p class="note">{escape(note)}<br>{escape(prev_note)}</p>'
    return _table(head, rows, {2, 3, 4}) + notes


def _ranking(model: dict, kind: str, lang: str) -> str:
    metrics = _kind_metrics(model, kind)
    head = [
        t("bulletin.col.rank", lang),
        t("bulletin.col.unit", lang),
        t("bulletin.col.received", lang),
        *(f"{metric_label(m, lang)} ({t('bulletin.col.points', lang)})" for m in metrics),
        t("bulletin.col.score", lang),
        t("bulletin.col.previous_rank", lang),
        t("bulletin.col.rank_change", lang),
        t("bulletin.col.score_change", lang),
    ]
    rows, classes = [], []
    for unit in model[kind]:
        cells = [
            str(unit["rank"]) if unit["ranked"] else escape(t("bulletin.unranked", lang)),
            escape(unit_name(unit, lang)),
            str(unit["received"]),
        ]
        for m in metrics:
            got = unit["metrics"][m]
            cells.append(f"{percent(got['value'], lang)}<br>({got['points']:.2f})")
        prev_rank = unit["previous"]["rank"]
        cells += [
            f"{unit['score']:.2f}",
            "–" if prev_rank is None else str(prev_rank),
            signed(unit["change"]["rank"], 0),
            signed(unit["change"]["score"]),
        ]
        rows.append(cells)
        classes.append("" if unit["ranked"] else "unranked")
    return _table(head, rows, range(2, len(head)), classes)


def _chart(title: str, svg: str) -> str:
    """A chart and its title, never split across pages."""
    return f'<div class="keep"><h3>{escape(title)}</h3><div class="chart">{svg}</div></div>'


def _charts(model: dict, lang: str) -> str:
    out = [
        _chart(t("bulletin.chart_daily", lang), daily_chart(model["charts"]["daily"], lang)),
        _chart(
            t("bulletin.chart_channels", lang), channel_chart(model["charts"]["channels"], lang)
        ),
    ]
    for kind in UNIT_KINDS:
        if not model[kind]:
            continue
        kind_name = t(f"bulletin.kind_{kind}", lang)
        chart = rates_chart(model[kind], _kind_metrics(model, kind), lang)
        out.append(_chart(t("bulletin.chart_rates", lang, kind=kind_name), chart))
    return "".join(out)


def bulletin_html(model: dict, lang: str) -> str:
    window = model["window"]
    meta = t(
        "bulletin.generated",
        lang,
        start=window["start"],
        end=window["end"],
        tz=window["tz"],
        at=generated_label(model["generated_at"]),
        by=model.get("generated_by", ""),
    )
    parts = [
        f"<h1>{escape(county_title(model, lang))}</h1>",
        f'<p class="month">{escape(month_title(model["month"], lang))}</p>',
        f'<p class="meta">{escape(meta)}</p>',
        f"<h2>{escape(t('bulletin.summary', lang))}</h2>",
        _summary(model, lang),
        f"<h2>{escape(t('bulletin.bottom', lang))}</h2>",
        _bottom(model, lang),
        f"<h2>{escape(t('bulletin.rules', lang))}</h2>",
        _rules(model, lang),
    ]
    for kind in UNIT_KINDS:
        kind_name = t(f"bulletin.kind_{kind}", lang)
        heading = escape(t("bulletin.ranking", lang, kind=kind_name))
        parts.append(f'<section class="page"><h2>{heading}</h2>')
        parts.append(_ranking(model, kind, lang) + "</section>")
    parts.append(f'<section class="page"><h2>{escape(t("bulletin.charts", lang))}</h2>')
    parts.append(_charts(model, lang) + "</section>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    title = f"{county_title(model, lang)} {month_title(model['month'], lang)}"
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )
