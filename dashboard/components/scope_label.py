"""Whose data a page or wall shows, in one form for the header and the wall's title: the
county's name for the county scope, else the scope's units (names from the master data)
and that the figures are theirs alone, e.g. `城东街道 · 本街道数据`."""

from __future__ import annotations

from common.scope import Scope
from dashboard.context import read_engine
from dashboard.i18n import t
from data_access.masterdata import Catalog, town_kinds


def scope_label(scope: Scope, names: Catalog, lang: str, county_override: str | None) -> str:
    if scope.is_county:
        return names.county_name(lang, county_override)
    units = [names.name(scope.kind, code, lang) for code in scope.codes]
    kind = scope.kind
    if kind == "town" and len(units) == 1:
        kind = "street" if town_kinds(read_engine(), scope.codes) == {"street"} else "town"
    what = t(f"scope.{kind}{'s' if len(units) > 1 else ''}", lang)
    return f"{('、' if lang == 'zh' else ', ').join(units)} · {what}"
