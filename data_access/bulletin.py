"""The monthly bulletin's model (月度通报, CONTRACT section 2, second edition) and its
generations kept in SQL.

Each unit's figures are those GET /api/v1/kpis gives for the month's window with that unit
as the filter (one definition per figure), read for all units of a kind in one grouped
pass (`incident_figures_by`, the rankings' function), which tests hold equal. The
model is the JSON of GET /api/v1/reports/YYYY-MM plus what the printed forms need (the
county's name, the rules, the month-over-month change, the charts' series); the PDF and
the workbook are rendered from the stored model, never recomputed.

Scopes: a bulletin is generated for the whole county, whoever asks (`generate` runs under
the county scope). What a scoped caller is shown (`shown`) keeps only the units of their
scope, no list of the other kind, and totals and charts over their scope alone.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from common.assessment import UNIT_KINDS, Rule, bottom, load_rules, rank_units, score_unit
from common.clock import iso_local, local_today
from common.config import Settings
from common.scope import COUNTY, current, using
from data_access.kpis import (
    Filters,
    Window,
    daily_series,
    incident_figures,
    incident_figures_by,
    nothing_counted,
)
from data_access.masterdata import Catalog, load_catalog
from data_access.models import Bulletin
from data_access.months import next_month, previous_month

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
SCOPE = "county"


class BulletinError(ValueError):
    """A month that cannot have a bulletin (malformed, or not yet ended)."""


def month_window(month: str) -> Window:
    found = MONTH.match(month or "")
    if not found:
        raise BulletinError(f"a month is YYYY-MM, got {month[:16]!r}")
    start = date(int(found[1]), int(found[2]), 1)
    return Window(start, next_month(start) - timedelta(days=1))


def last_ended_month(today: date) -> str:
    """The month that ended last before local day `today` (the one the 1st generates)."""
    return previous_month(today.replace(day=1)).strftime("%Y-%m")


def _names(catalog: Catalog, kind: str, code: str) -> dict:
    return {"name_zh": catalog.name(kind, code, "zh"), "name_en": catalog.name(kind, code, "en")}


def score_kind(
    engine: Engine,
    catalog: Catalog,
    kind: str,
    rules: tuple[Rule, ...],
    window: Window,
    now: datetime,
    warn_hours: float,
    min_received: int,
) -> list[dict]:
    """The units of one kind, scored and ranked (the contract's unit objects)."""
    kind_rules = tuple(r for r in rules if r.unit_kind == kind)
    # One grouped pass for every unit: the same figures as a filter on each unit (the
    # rankings' definition, tests/test_bulletin.py holds them equal to the API's), which
    # at 5 M incidents is the difference between one query and a hundred.
    found = incident_figures_by(engine, kind, window, Filters(), now, warn_hours, work_order=True)
    by_unit = {r["key"]: r for r in found if r["key"] is not None}
    known = catalog.codes(kind)
    # every unit of the master data, and any other code with a received incident (those
    # not yet dispatched have no department: no unit)
    others = sorted(code for code, r in by_unit.items() if code not in known and r["received"])
    units = []
    for code in [*known, *others]:
        figures = by_unit.get(code) or nothing_counted(work_order=True)
        units.append(
            {
                "code": code,
                **_names(catalog, kind, code),
                "received": figures["received"],
                **score_unit(kind_rules, figures),
            }
        )
    return rank_units(units, min_received)


def _change(units: list[dict], before: list[dict] | None) -> list[dict]:
    """Each unit with "previous": {"score", "rank"} of last month and "change": the score's
    difference and the places gained (positive = up), None where either is missing."""
    last = {u["code"]: u for u in before or []}
    out = []
    for unit in units:
        prev = last.get(unit["code"])
        prev_score = prev["score"] if prev else None
        prev_rank = prev["rank"] if prev else None
        out.append(
            {
                **unit,
                "previous": {"score": prev_score, "rank": prev_rank},
                "change": {
                    "score": None if prev_score is None else round(unit["score"] - prev_score, 2),
                    "rank": None
                    if prev_rank is None or unit["rank"] is None
                    else prev_rank - unit["rank"],
                },
            }
        )
    return out


def _charts(engine: Engine, catalog: Catalog, window: Window, now: datetime) -> dict:
    found = {r["key"]: r for r in daily_series(engine, window, Filters(), now)}
    days = (window.start + timedelta(days=i) for i in range((window.end - window.start).days + 1))
    daily = [
        {
            "day": day.isoformat(),
            "received": found[day]["received"] if day in found else 0,
            "closed": found[day]["closed"] if day in found else 0,
        }
        for day in days
    ]
    channels = [
        {"code": r["key"], **_names(catalog, "channel", r["key"]), "received": r["received"]}
        for r in incident_figures_by(engine, "channel", window, Filters(), now)
        if r["key"] is not None and r["received"] > 0
    ]
    return {"daily": daily, "channels": channels}


def build_bulletin(
    engine: Engine,
    catalog: Catalog,
    month: str,
    rules: tuple[Rule, ...],
    *,
    now: datetime,
    tz: ZoneInfo,
    warn_hours: float = 24.0,
    min_received: int = 30,
    county_name: tuple[str, str] | None = None,
) -> dict:
    """The bulletin of `month` as of `now` (the model every form renders)."""
    window = month_window(month)
    if local_today(tz, now) <= window.end:
        raise BulletinError(f"{month} has not ended yet")
    previous = previous_month(window.start).strftime("%Y-%m")
    stored = latest(engine, previous)
    prev_window = month_window(previous)
    model: dict = {
        "month": month,
        "generated_at": iso_local(now, tz),
        "window": {
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "tz": tz.key,
        },
    }
    for kind in UNIT_KINDS:
        args = (rules, window, now, warn_hours, min_received)
        units = score_kind(engine, catalog, kind, *args)
        if stored is not None:
            before = stored[kind]
        else:  # no bulletin kept for last month: score it now, by the same rules
            before = score_kind(
                engine, catalog, kind, rules, prev_window, now, warn_hours, min_received
            )
        model[kind] = _change(units, before)
    model["bottom"] = {kind: bottom(model[kind]) for kind in UNIT_KINDS}
    zh, en = county_name or (catalog.county_name("zh"), catalog.county_name("en"))
    model["county"] = {"name_zh": zh, "name_en": en}
    model["totals"] = incident_figures(engine, window, Filters(), now, warn_hours, work_order=True)
    model["previous_month"] = {"month": previous, "source": "kept" if stored else "computed"}
    model["rules"] = [
        {
            "unit_kind": r.unit_kind,
            "metric": r.metric,
            "weight": r.weight,
            "floor": r.floor,
            "target": r.target,
        }
        for r in rules
    ]
    model["min_received"] = min_received
    model["charts"] = _charts(engine, catalog, window, now)
    return model


def store(engine: Engine, model: dict, generated_at: datetime, generated_by: str) -> None:
    """Keep one generation (every one is kept; the latest of a month is the bulletin)."""
    row = {
        "month": model["month"],
        "scope": SCOPE,
        "generated_at": generated_at,
        "generated_by": generated_by,
        "model": json.dumps({**model, "generated_by": generated_by}, ensure_ascii=False),
    }
    with engine.begin() as conn:
        conn.execute(insert(Bulletin).values(**row))


def latest(engine: Engine, month: str) -> dict | None:
    """The latest generation's model of `month`, or None."""
    query = (
        select(Bulletin.model)
        .where(Bulletin.month == month, Bulletin.scope == SCOPE)
        .order_by(Bulletin.generated_at.desc(), Bulletin.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        found = conn.execute(query).scalar_one_or_none()
    return None if found is None else json.loads(found)


def generations(engine: Engine) -> list[dict]:
    """Every generation kept: newest month first, within a month newest first."""
    query = select(Bulletin.month, Bulletin.generated_at, Bulletin.generated_by).order_by(
        Bulletin.month.desc(), Bulletin.generated_at.desc(), Bulletin.id.desc()
    )
    with engine.connect() as conn:
        return [r._asdict() for r in conn.execute(query)]


def generate(engine: Engine, cfg: Settings, month: str, generated_by: str, at: datetime) -> dict:
    """Build `month`'s bulletin by the configured rules as of `at` and keep it; returns the
    kept model. The one way every caller (the command, the schedule, an admin) makes one;
    always the county's (CONTRACT 2), whatever the caller's own scope."""
    with using(COUNTY):
        return _generate(engine, cfg, month, generated_by, at)


def _generate(engine: Engine, cfg: Settings, month: str, generated_by: str, at: datetime) -> dict:
    rules = load_rules(cfg.assessment_file)
    catalog = load_catalog(engine)
    override = cfg.county_name
    names = (catalog.county_name("zh", override), catalog.county_name("en", override))
    model = build_bulletin(
        engine,
        catalog,
        month,
        rules,
        now=at,
        tz=cfg.tz,
        warn_hours=cfg.warn_hours,
        min_received=cfg.report_min_received,
        county_name=names,
    )
    store(engine, model, at, generated_by)
    return {**model, "generated_by": generated_by}


def for_scope(engine: Engine, model: dict, warn_hours: float, now: datetime) -> dict:
    """The kept (county) `model` as the current scope is shown it: a town scope's towns and
    no department list, a department scope's departments and no town list; the totals (as
    of the generation) and the charts over the scope alone."""
    scope = current()
    if scope.is_county:
        return model
    codes = set(scope.codes)
    units: dict[str, list] = {kind: [] for kind in UNIT_KINDS}
    units[scope.kind] = [u for u in model[scope.kind] if u["code"] in codes]
    window = Window(
        date.fromisoformat(model["window"]["start"]), date.fromisoformat(model["window"]["end"])
    )
    at = min(datetime.fromisoformat(model["generated_at"]), now)
    totals = incident_figures(engine, window, Filters(), now, warn_hours, at, work_order=True)
    bottoms = {k: [c for c in model["bottom"][k] if c in codes and units[k]] for k in UNIT_KINDS}
    return {
        **model,
        **units,
        "bottom": bottoms,
        "totals": totals,
        "charts": _charts(engine, load_catalog(engine), window, now),
        "scope": str(scope),
    }


def shown(engine: Engine, month: str, warn_hours: float, now: datetime) -> dict | None:
    """The latest generation of `month` as the current scope sees it (for_scope), or None."""
    model = latest(engine, month)
    return None if model is None else for_scope(engine, model, warn_hours, now)
