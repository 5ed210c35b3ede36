"""The work order's events (CONTRACT 1, second edition) in a clerk's words, zh and en:
签收, 退回 with its reason, 延期 with the old and the new deadline (or why it did not
apply), 先行联系, 回访 (its satisfaction and solved are shown as fields), 合并到 with a
link to the original, 认领, 督办 with its level, 重办. The timeline
(dashboard.components.timeline) calls `clerk_words` for each event, after masking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from dash import dcc

from common.vocabulary import EXTENDED, MERGED, RETURNED
from dashboard.components.timeline import Words
from dashboard.i18n import STRINGS, t
from dashboard.list_rows import local
from data_access.masterdata import Catalog

# an `extended` event's id -> (deadline in force when it came, the one it moved it to)
Steps = dict[str, tuple[datetime, datetime | None]]


def incident_link(incident_id: str, lang: str) -> dcc.Link:
    """A link to an incident's page."""
    href = f"/incidents/{quote(incident_id, safe='')}?lang={lang}"
    return dcc.Link(incident_id, href=href, className="cc-incident-link")


def status_name(code: str, names: Catalog, lang: str) -> str:
    """An incident status's name: the master data's, else this catalogue's (the second
    edition's statuses a county's master data may not name yet)."""
    named = names.name("incident_status", code, lang)
    if named == code and f"incident.status.{code}" in STRINGS:
        return t(f"incident.status.{code}", lang)
    return named


def _extended(fields: dict, steps: Steps, lang: str, tz) -> list:
    if fields.get("event_id") not in steps:
        return []
    old, new = steps[fields["event_id"]]
    if new is None:
        return [t("incident.says.extended_late", lang, old=local(old, tz))]
    days = fields.get("working_days")
    key = "incident.says.extended_days" if days else "incident.says.extended"
    return [t(key, lang, n=days, old=local(old, tz), new=local(new, tz))]


def clerk_words(steps: Steps, lang: str, tz) -> Callable[[dict], Words | None]:
    """The timeline's `words` for an incident whose extensions moved its deadline as
    `steps` says (data_access.case_detail.extension_steps)."""

    def words(fields: dict) -> Words | None:
        status = fields.get("status", "")
        if f"incident.event.{status}" not in STRINGS:
            return None
        name = t(f"incident.event.{status}", lang)
        if status == RETURNED:
            reason = t("incident.says.returned", lang, reason=fields.get("reason") or "")
            return Words(name, [reason], frozenset({"reason"}))
        if status == MERGED and fields.get("into"):
            return Words(name, [incident_link(fields["into"], lang)], frozenset({"into"}))
        if status == EXTENDED:
            said = _extended(fields, steps, lang, tz)
            return Words(name, said, frozenset({"working_days", "deadline"} if said else ()))
        return Words(name)

    return words
