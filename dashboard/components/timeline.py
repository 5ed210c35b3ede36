"""A case's timeline (incidents and disputes alike): every event oldest first, with its
actor, department and every other field in words, masked for roles that may not see
personal data. Also the small texts it shares with the case pages (stars, levels)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from dash import dcc, html

from common.masking import mask_fields
from common.vocabulary import BOOLEANS, EXTENDED, MERGED, RETURNED, SATISFACTION_SCORES, VISITED
from dashboard.i18n import STRINGS, t
from dashboard.list_rows import local
from data_access.masterdata import Catalog

# fields whose value is a master-data code, and the code's kind
CODED = {
    "status": "incident_status",
    "priority": "priority",
    "channel": "channel",
    "category": "category",
    "town": "town",
    "grid": "grid",
    "department": "department",
    "kind": "dispute_kind",
    "mediation_type": "mediation_type",
    "mediator": "mediator",
}
INSTANTS = ("deadline",)
# shown in an event's heading line, not among its other fields
EVENT_HEAD = frozenset({"event_id", "entity", "id", "status", "ts", "actor", "department"})
# the fields a work-order event's words say (_says)
SAID_RETURNED = frozenset({"reason"})
SAID_MERGED = frozenset({"into"})
SAID_VISITED = frozenset({"satisfaction", "solved"})
SAID_EXTENDED = frozenset({"working_days", "deadline"})
# an `extended` event's id -> (deadline in force when it came, the one it moved it to)
Steps = dict[str, tuple[datetime, datetime | None]]


def stars(score: int | None, lang: str) -> str:
    if score is None:
        return t("incident.not_rated", lang)
    return "★" * score + "☆" * (5 - score) + f" {score}/5"


def level_text(level: int, lang: str) -> str:
    return t("incident.level", lang, n=level) if level else t("incident.level_none", lang)


def _field_value(name: str, value: str, names: Catalog, lang: str, tz) -> str:
    if name in CODED:
        return names.name(CODED[name], value, lang)
    if name == "level":
        return level_text(int(value) if str(value).isdigit() else 1, lang)
    if name == "satisfaction" and str(value).isdigit():
        return stars(int(value), lang)
    if name == "solved":
        return yes_no(value, lang)
    if name in INSTANTS:
        try:
            return local(datetime.fromisoformat(value.replace("Z", "+00:00")), tz)
        except ValueError:
            return value
    return value


def _field_label(name: str, lang: str) -> str:
    key = f"incident.field.{name}"
    try:
        return t(key, lang)
    except KeyError:  # a field the contract does not name: shown under its own name
        return name


def incident_link(incident_id: str, lang: str) -> dcc.Link:
    """A link to another incident's page."""
    href = f"/incidents/{quote(incident_id, safe='')}?lang={lang}"
    return dcc.Link(incident_id, href=href, className="cc-incident-link")


def yes_no(value: str | None, lang: str) -> str:
    if value not in BOOLEANS:
        return t("incident.says.solved_unknown", lang)
    return t("incident.yes" if value == "true" else "incident.no", lang)


def _says(fields: dict, steps: Steps, names: Catalog, lang: str, tz) -> tuple[list, frozenset[str]]:
    """What a work-order event says in a clerk's words, and the fields that says (so they
    are not listed again)."""
    status = fields.get("status")
    if status == RETURNED:
        return [t("incident.says.returned", lang, reason=fields.get("reason") or "")], SAID_RETURNED
    if status == MERGED and fields.get("into"):
        return [incident_link(fields["into"], lang)], SAID_MERGED
    if status == VISITED:
        score = fields.get("satisfaction")
        shown = stars(int(score), lang) if score in SATISFACTION_SCORES else stars(None, lang)
        solved = yes_no(fields.get("solved"), lang)
        return [t("incident.says.visited", lang, stars=shown, solved=solved)], SAID_VISITED
    if status == EXTENDED and fields.get("event_id") in steps:
        old, new = steps[fields["event_id"]]
        if new is None:
            return [t("incident.says.extended_late", lang, old=local(old, tz))], SAID_EXTENDED
        days = fields.get("working_days")
        key = "incident.says.extended_days" if days else "incident.says.extended"
        return [t(key, lang, n=days, old=local(old, tz), new=local(new, tz))], SAID_EXTENDED
    return [], frozenset()


def status_name(code: str, names: Catalog, lang: str) -> str:
    """An incident status's name: the master data's, else this catalogue's (the second
    edition's statuses a county's master data may not name yet)."""
    named = names.name("incident_status", code, lang)
    if named == code and f"incident.status.{code}" in STRINGS:
        return t(f"incident.status.{code}", lang)
    return named


def event_word(status: str, names: Catalog, lang: str, status_kind: str) -> str:
    """The event's name: the clerk's word for a work-order event, else the status's name."""
    if status_kind == "incident_status" and f"incident.event.{status}" in STRINGS:
        return t(f"incident.event.{status}", lang)
    return names.name(status_kind, status, lang)


def timeline(
    events: list[dict],
    names: Catalog,
    lang: str,
    tz,
    unmasked: bool,
    status_kind: str = "incident_status",
    steps: Steps | None = None,
) -> html.Ol:
    """Every event, oldest first, with its actor, department and every other field;
    `status_kind` names the statuses (incident_status or dispute_status); `steps` the
    deadlines each `extended` event moved (data_access.case_detail.extension_steps)."""
    items = []
    for event in events:
        fields = {k: v for k, v in event.items() if k != "ts"}
        if not unmasked:
            fields = mask_fields(fields)
        status = fields.get("status", "")
        head = [
            html.Time(local(event["ts"], tz), className="cc-event__ts"),
            html.Strong(event_word(status, names, lang, status_kind), className="cc-event__status"),
        ]
        if status == "escalated":
            level = fields.get("level") or "1"
            head.append(
                html.Span(_field_value("level", level, names, lang, tz), className="cc-level")
            )
        says, said = _says(fields, steps or {}, names, lang, tz)
        if says:
            head.append(html.Span(says, className="cc-event__says"))
        actor = fields.get("actor") or t("incident.system", lang)
        who = [html.Span(f"{t('incident.field.actor', lang)}: {actor}")]
        if fields.get("department"):
            department = names.name("department", fields["department"], lang)
            who.append(html.Span(f"{t('incident.field.department', lang)}: {department}"))
        extra = []
        shown = EVENT_HEAD | said | ({"level"} if status == "escalated" else set())
        for name, value in fields.items():
            if name in shown or value in (None, ""):
                continue
            extra += [
                html.Dt(_field_label(name, lang)),
                html.Dd(_field_value(name, value, names, lang, tz)),
            ]
        items.append(
            html.Li(
                className=f"cc-event cc-event--{status}",
                children=[
                    html.Div(head, className="cc-event__head"),
                    html.Div(who, className="cc-event__who"),
                    html.Dl(extra, className="cc-event__fields") if extra else None,
                ],
            )
        )
    return html.Ol(items, className="cc-timeline")
