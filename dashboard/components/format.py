"""Number formatting for people: rates as percentages, counts with separators."""

from __future__ import annotations


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


# what a town's name may drop where space is short (the wall): 城东街道 -> 城东
TOWN_SUFFIXES = {"zh": ("街道", "镇", "乡"), "en": (" Subdistrict", " Township", " Town")}


def short_town(name: str, lang: str) -> str:
    """A town's name without its kind (镇, 街道; Town, Subdistrict), for the wall's large
    type; a name that would be left a single character stays whole."""
    for suffix in TOWN_SUFFIXES.get(lang, ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name
