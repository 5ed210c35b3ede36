"""Names and numbers as the bulletin's forms print them, in the reader's language."""

from __future__ import annotations

from calendar import month_name
from datetime import datetime

from dashboard.i18n import STRINGS, t


def metric_label(metric: str, lang: str) -> str:
    """A rate's name as bulletins call it, else as the pages do, else the rate's own name."""
    for key in (f"bulletin.metric.{metric}", f"kpi.{metric}"):
        if key in STRINGS:
            return t(key, lang)
    return metric


def unit_name(unit: dict, lang: str) -> str:
    return unit["name_zh"] if lang == "zh" else unit["name_en"]


def month_title(month: str, lang: str) -> str:
    year, number = month.split("-")
    return t(
        "bulletin.month", lang, year=year, month=int(number), month_name=month_name[int(number)]
    )


def county_title(model: dict, lang: str) -> str:
    county = model["county"]["name_zh" if lang == "zh" else "name_en"]
    return t("bulletin.title", lang, county=county)


def percent(value: float | None, lang: str) -> str:
    return t("bulletin.no_value", lang) if value is None else f"{value * 100:.1f}%"


def signed(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "0"
    return f"{value:+.{digits}f}" if digits else f"{value:+d}"


def generated_label(instant: str) -> str:
    """The kept ISO instant (local, with its offset) as a reader writes it: 2026-12-01
    08:00 (the window's time zone is named beside it)."""
    try:
        return datetime.fromisoformat(instant).strftime("%Y-%m-%d %H:%M")
    except ValueError:  # not an instant: shown as kept
        return instant
