"""The bulletin as an XLSX workbook (openpyxl), from the stored model: one sheet per table,
counts and points as numbers, rates as numbers in a percentage format (0.875 shown as
87.5 %), so a reader can sort and sum them; a null rate is an empty cell. Text from the
stream (codes, names) is always text: a value starting with "=" is never a formula."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.assessment import UNIT_KINDS
from dashboard.bulletin_labels import metric_label, month_title, unit_name
from dashboard.i18n import t

PERCENT = "0.0%"
POINTS = "0.00"


def _sheet(book: Workbook, title: str, head: list[str], rows: list[list], formats: dict) -> None:
    """A sheet with a bold header row; `formats` maps a column index to a number format."""
    sheet: Worksheet = book.create_sheet(title[:31])
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":  # text that starts with "=" stays text, never a formula
                cell.data_type = "s"
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            cell.number_format = number_format
    for i, title_text in enumerate(head, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(
            10, min(40, 2 * len(title_text) + 4)
        )
    sheet.freeze_panes = "A2"


def _summary(book: Workbook, model: dict, lang: str) -> None:
    totals = model["totals"]
    rows = [
        [t("bulletin.field.county", lang), unit_name(model["county"], lang)],
        [t("bulletin.field.month", lang), month_title(model["month"], lang)],
        [t("bulletin.field.generated_at", lang), model["generated_at"]],
        [t("bulletin.field.generated_by", lang), model.get("generated_by", "")],
        [t("kpi.received", lang), totals["received"]],
        [t("kpi.closed", lang), totals["closed"]],
        *(
            [metric_label(r, lang), totals[r]]
            for r in ("closure_rate", "on_time_rate", "satisfaction_rate")
        ),
    ]
    head = [t("bulletin.col.figure", lang), ""]
    _sheet(book, t("bulletin.sheet.summary", lang), head, rows, {})
    sheet = book[t("bulletin.sheet.summary", lang)[:31]]
    for row in sheet.iter_rows(min_row=8, max_row=10, min_col=2, max_col=2):
        row[0].number_format = PERCENT


def _rules(book: Workbook, model: dict, lang: str) -> None:
    columns = ("kind", "metric", "weight", "floor", "target", "direction")
    rows = [
        [
            t(f"bulletin.kind_{r['unit_kind']}", lang),
            metric_label(r["metric"], lang),
            r["weight"],
            r["floor"],
            r["target"],
            t(f"bulletin.{'lower' if r['target'] < r['floor'] else 'higher'}_better", lang),
        ]
        for r in model["rules"]
    ]
    head = [t(f"bulletin.col.{c}", lang) for c in columns]
    _sheet(book, t("bulletin.sheet.rules", lang), head, rows, {3: PERCENT, 4: PERCENT})


def _reasons_text(unit: dict, lang: str) -> str:
    sep = "；" if lang == "zh" else "; "
    return sep.join(
        f"{metric_label(r['metric'], lang)} -{r['points_lost']:.2f}" for r in unit["reasons"]
    )


def _ranking(book: Workbook, model: dict, kind: str, lang: str) -> None:
    metrics = [r["metric"] for r in model["rules"] if r["unit_kind"] == kind]
    head = [
        t("bulletin.col.rank", lang),
        t("bulletin.col.code", lang),
        t("bulletin.col.unit", lang),
        t("bulletin.col.received", lang),
    ]
    formats: dict[int, str] = {}
    for metric in metrics:
        formats[len(head)], formats[len(head) + 1] = PERCENT, POINTS
        head += [
            metric_label(metric, lang),
            f"{metric_label(metric, lang)} {t('bulletin.col.points', lang)}",
        ]
    formats.update({len(head): POINTS, len(head) + 1: POINTS, len(head) + 3: POINTS})
    head += [
        t("bulletin.col.score", lang),
        t("bulletin.col.previous_score", lang),
        t("bulletin.col.previous_rank", lang),
        t("bulletin.col.score_change", lang),
        t("bulletin.col.rank_change", lang),
        t("bulletin.col.reasons", lang),
    ]
    rows = []
    for unit in model[kind]:
        row = [
            unit["rank"] if unit["ranked"] else t("bulletin.unranked", lang),
            unit["code"],
            unit_name(unit, lang),
            unit["received"],
        ]
        for metric in metrics:
            row += [unit["metrics"][metric]["value"], unit["metrics"][metric]["points"]]
        row += [
            unit["score"],
            unit["previous"]["score"],
            unit["previous"]["rank"],
            unit["change"]["score"],
            unit["change"]["rank"],
            _reasons_text(unit, lang),
        ]
        rows.append(row)
    _sheet(book, t(f"bulletin.sheet.{kind}", lang), head, rows, formats)


def _bottom(book: Workbook, model: dict, lang: str) -> None:
    head = [
        t("bulletin.col.kind", lang),
        t("bulletin.col.rank", lang),
        t("bulletin.col.unit", lang),
        t("bulletin.col.score", lang),
        t("bulletin.col.metric", lang),
        t("bulletin.col.value", lang),
        t("bulletin.col.points_lost", lang),
    ]
    rows = []
    for kind in UNIT_KINDS:
        units = {u["code"]: u for u in model[kind]}
        for code in model["bottom"][kind]:
            unit = units[code]
            first = [
                t(f"bulletin.kind_{kind}", lang),
                unit["rank"],
                unit_name(unit, lang),
                unit["score"],
            ]
            for reason in unit["reasons"] or [None]:
                tail = (
                    [metric_label(reason["metric"], lang), reason["value"], reason["points_lost"]]
                    if reason
                    else [None, None, None]
                )
                rows.append(first + tail)
    _sheet(book, t("bulletin.sheet.bottom", lang), head, rows, {3: POINTS, 5: PERCENT, 6: POINTS})


def _charts_data(book: Workbook, model: dict, lang: str) -> None:
    head = [
        t("bulletin.col.day", lang),
        t("bulletin.col.received", lang),
        t("bulletin.col.closed", lang),
    ]
    rows = [
        [date.fromisoformat(d["day"]), d["received"], d["closed"]] for d in model["charts"]["daily"]
    ]
    _sheet(book, t("bulletin.sheet.daily", lang), head, rows, {0: "yyyy-mm-dd"})
    channels = model["charts"]["channels"]
    total = sum(c["received"] for c in channels)
    head = [
        t("bulletin.col.code", lang),
        t("bulletin.col.channel", lang),
        t("bulletin.col.received", lang),
        t("bulletin.col.share", lang),
    ]
    rows = [
        [c["code"], unit_name(c, lang), c["received"], c["received"] / total if total else None]
        for c in sorted(channels, key=lambda c: -c["received"])
    ]
    _sheet(book, t("bulletin.sheet.channels", lang), head, rows, {3: PERCENT})


def bulletin_xlsx(model: dict, lang: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _summary(book, model, lang)
    for kind in UNIT_KINDS:
        _ranking(book, model, kind, lang)
    _bottom(book, model, lang)
    _rules(book, model, lang)
    _charts_data(book, model, lang)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
