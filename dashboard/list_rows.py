"""List rows for people: codes named in the page's language, instants in local time.
The grid and the CSV export both use these, so a list and its export say the same."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from common.masking import mask_phone, mask_text
from common.vocabulary import OPEN_STATUSES
from dashboard.components.alert_badge import SHAPES
from dashboard.i18n import t
from data_access.dispute_list import NAMED as DISPUTE_NAMED
from data_access.incident_list import NAMED as INCIDENT_NAMED
from data_access.incident_list import WORK_COLUMNS
from data_access.masterdata import Catalog

INCIDENT_CODED = ("town", "grid", "category", "channel", "department", "priority", "status")


def _with_codes(names) -> tuple[str, ...]:
    return tuple(c for name in names for c in (name, f"{name}_code"))


INCIDENT_CSV_COLUMNS = (
    "id",
    *_with_codes(INCIDENT_CODED),
    "reported_at",
    "deadline",
    "closed_at",
    "hours_overdue",
    "escalation_level",
    "satisfaction",
    *WORK_COLUMNS,
    "title",
    "reporter_phone",
)
DISPUTE_CSV_COLUMNS = (
    "id",
    *_with_codes(DISPUTE_NAMED),
    "accepted_at",
    "resolved_at",
    "judicial_confirmation",
)


def longest_names(catalog: Catalog, named: dict[str, str], lang: str) -> dict[str, str]:
    """Each coded column's longest name in `lang` ({column: code kind} in, {column: name}
    out), what a list's column must be wide enough to show."""
    return {
        column: max((catalog.name(kind, c, lang) for c in catalog.codes(kind)), key=len, default="")
        for column, kind in named.items()
    }


def local(value: datetime | None, tz: ZoneInfo) -> str:
    return "" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def epoch_ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def hours_overdue(row: dict, now: datetime) -> float | None:
    """Hours past the deadline of an open incident, as of `now`; None when not overdue."""
    if row["status"] not in OPEN_STATUSES or row["deadline"] > now:
        return None
    return round((now - row["deadline"]).total_seconds() / 3600, 2)


def alert_text(colour: str | None, lang: str) -> str:
    """ "■ 红色预警": an alert colour as a shape and a word; "" without one."""
    return f"{SHAPES[colour]} {t('alert.' + colour, lang)}" if colour in SHAPES else ""


def incident_grid_row(row: dict, catalog: Catalog, lang: str, tz: ZoneInfo, now: datetime):
    """A grid row: names for display, the deadline in epoch ms for the live countdown, the
    title masked for every role (the case page shows it whole to those who may see it)."""
    named = {k: catalog.name(kind, row[k], lang) for k, kind in INCIDENT_NAMED.items()}
    return {
        **row,
        **named,
        "title": mask_text(row.get("title")) or "",
        "reported_at": local(row["reported_at"], tz),
        "deadline": local(row["deadline"], tz),
        "closed_at": local(row["closed_at"], tz),
        "deadline_ms": epoch_ms(row["deadline"]),
        "as_of_ms": epoch_ms(now),
        "open": row["status"] in OPEN_STATUSES,
        # the alert colour as a shape and a word (dashboard.components.alert_badge)
        "alert": alert_text(row.get("colour"), lang),
    }


def incident_csv_row(
    row: dict,
    catalog: Catalog,
    lang: str,
    tz: ZoneInfo,
    now: datetime,
    unmasked: bool,
    solved_words: tuple[str, str] = ("true", "false"),
) -> dict:
    """An export row: each coded column as its name and its code, personal data masked
    unless the caller's role may see it, `solved` in words (solved, not solved)."""
    out = {"id": row["id"]}
    for name in INCIDENT_CODED:
        out[name] = catalog.name(INCIDENT_NAMED[name], row[name], lang)
        out[f"{name}_code"] = row[name] or ""
    out.update(
        reported_at=local(row["reported_at"], tz),
        deadline=local(row["deadline"], tz),
        closed_at=local(row["closed_at"], tz),
        hours_overdue=hours_overdue(row, now) or "",
        escalation_level=row["escalation_level"],
        satisfaction="" if row["satisfaction"] is None else row["satisfaction"],
        signed_at=local(row["signed_at"], tz),
        contacted_at=local(row["contacted_at"], tz),
        returns=row["returns"],
        extensions=row["extensions"],
        merged_into=row["merged_into"] or "",
        solved="" if row["solved"] is None else solved_words[0 if row["solved"] else 1],
        title=(row["title"] if unmasked else mask_text(row["title"])) or "",
        reporter_phone=(row["reporter_phone"] if unmasked else mask_phone(row["reporter_phone"]))
        or "",
    )
    return out


def dispute_row(row: dict, catalog: Catalog, lang: str, tz: ZoneInfo, yes_no: tuple[str, str]):
    """A dispute row for the grid and the export: names, codes (`<name>_code`), local times."""
    out = {"id": row["id"]}
    for name, kind in DISPUTE_NAMED.items():
        out[name] = catalog.name(kind, row[name], lang)
        out[f"{name}_code"] = row[name] or ""
    confirmed = row["judicial_confirmation"]
    out.update(
        accepted_at=local(row["accepted_at"], tz),
        resolved_at=local(row["resolved_at"], tz),
        judicial_confirmation="" if confirmed is None else yes_no[0 if confirmed else 1],
    )
    return out
