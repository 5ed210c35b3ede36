"""A case's timeline (incidents and disputes alike): every event oldest first, with its
actor, department and every other field in words, masked for roles that may not see
personal data. Also the small texts it shares with the case pages (stars, levels)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dash import html

from common.masking import mask_fields
from common.vocabulary import BOOLEANS, SYSTEM_ACTOR
from dashboard.i18n import t
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
# fields the contract gives as `true`/`false` (common.vocabulary.BOOLEANS): shown as words
YES_NO = frozenset({"solved", "judicial_confirmation"})
# shown in an event's heading line, not among its other fields
EVENT_HEAD = frozenset({"event_id", "entity", "id", "status", "ts", "actor", "department"})


def stars(score: int | None, lang: str) -> str:
    if score is None:
        return t("incident.not_rated", lang)
    return "★" * score + "☆" * (5 - score) + f" {score}/5"


def level_text(level: int, lang: str) -> str:
    return t("incident.level", lang, n=level) if level else t("incident.level_none", lang)


def yes_no(value, lang: str) -> str | None:
    """是/否 (Yes/No) for a boolean given as a bool or as the contract's `true`/`false`;
    None for anything else."""
    text = str(value).lower() if isinstance(value, bool | str) else None
    if text not in BOOLEANS:
        return None
    return t("disputes.yes" if text == "true" else "disputes.no", lang)


def _field_value(name: str, value: str, names: Catalog, lang: str, tz) -> str:
    if name in YES_NO and yes_no(value, lang) is not None:
        return yes_no(value, lang)
    if name in CODED:
        return names.name(CODED[name], value, lang)
    if name == "level":
        return level_text(int(value) if str(value).isdigit() else 1, lang)
    if name == "satisfaction" and str(value).isdigit():
        return stars(int(value), lang)
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


@dataclass(frozen=True)
class Words:
    """An event said in a clerk's words: its name, what it says, and the fields that says
    (not listed again)."""

    name: str
    says: list = field(default_factory=list)
    fields: frozenset[str] = frozenset()


def timeline(
    events: list[dict],
    names: Catalog,
    lang: str,
    tz,
    unmasked: bool,
    status_kind: str = "incident_status",
    words: Callable[[dict], Words | None] | None = None,
) -> html.Ol:
    """Every event, oldest first, with its actor, department and every other field;
    `status_kind` names the statuses (incident_status or dispute_status); `words`
    (dashboard.components.work_order_words) may say an event in a clerk's words."""
    items = []
    for event in events:
        fields = {k: v for k, v in event.items() if k != "ts"}
        if not unmasked:
            fields = mask_fields(fields)
        status = fields.get("status", "")
        said = words(fields) if words else None
        head = [
            html.Time(local(event["ts"], tz), className="cc-event__ts"),
            html.Strong(
                said.name if said else names.name(status_kind, status, lang),
                className="cc-event__status",
            ),
        ]
        if said and said.says:
            head.append(html.Span(said.says, className="cc-event__says"))
        if status == "escalated":
            level = fields.get("level") or "1"
            head.append(
                html.Span(_field_value("level", level, names, lang, tz), className="cc-level")
            )
        actor = fields.get("actor") or SYSTEM_ACTOR
        if actor == SYSTEM_ACTOR:  # the product's own events (the escalation ladder)
            actor = t("incident.system", lang)
        who = [html.Span(f"{t('incident.field.actor', lang)}: {actor}")]
        if fields.get("department"):
            department = names.name("department", fields["department"], lang)
            who.append(html.Span(f"{t('incident.field.department', lang)}: {department}"))
        extra = []
        shown = EVENT_HEAD | (said.fields if said else frozenset())
        shown |= {"level"} if status == "escalated" else set()
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
