"""One dispute: its current state and its whole timeline, as the incident page shows an
incident's. Drawn on the server when the page opens (a dispute changes a few times in its
life, so it has no live clock); personal data in its events is masked unless the caller's
role may see it, and an unmasked view is audited."""

from __future__ import annotations

from urllib.parse import quote

import dash
from dash import dcc, html

from common.masking import mask_text
from dashboard.auth import unmask_allowed
from dashboard.components import scope_notice
from dashboard.components.timeline import timeline
from dashboard.context import catalog, read_engine, settings
from dashboard.i18n import lang_or_default, t
from dashboard.list_rows import local
from dashboard.tab_title import tab_title
from data_access.disputes import dispute_detail
from data_access.masterdata import Catalog

dash.register_page(
    __name__, path_template="/disputes/<dispute_id>", title=tab_title("nav.disputes")
)

# (field, label key, master-data kind or None)
STATE_FIELDS = (
    ("status", "incident.field.status", "dispute_status"),
    ("kind", "disputes.col.kind", "dispute_kind"),
    ("mediation_type", "disputes.col.mediation_type", "mediation_type"),
    ("mediator", "disputes.col.mediator", "mediator"),
    ("town", "incident.field.town", "town"),
    ("grid", "incident.field.grid", "grid"),
)


def state_panel(state: dict, names: Catalog, lang: str, tz, unmasked: bool) -> html.Dl:
    items = []
    for name, key, kind in STATE_FIELDS:
        value = names.name(kind, state[name], lang) if state[name] else None
        if value and not unmasked:
            value = mask_text(value)
        items += [html.Dt(t(key, lang)), html.Dd(value or "—")]
    for name, key in (
        ("accepted_at", "disputes.col.accepted_at"),
        ("resolved_at", "disputes.col.resolved_at"),
    ):
        items += [html.Dt(t(key, lang)), html.Dd(local(state[name], tz) if state[name] else "—")]
    confirmed = state["judicial_confirmation"]
    answer = "—" if confirmed is None else t("disputes.yes" if confirmed else "disputes.no", lang)
    items += [html.Dt(t("disputes.col.judicial_confirmation", lang)), html.Dd(answer)]
    return html.Dl(items, className="cc-facts")


def layout(dispute_id: str | None = None, lang: str | None = None, **_query) -> html.Div:
    cfg = settings()
    lang = lang_or_default(lang, cfg.lang)
    dispute_id = (dispute_id or "")[:96]
    notice = scope_notice.no_disputes(lang)
    if notice is not None:
        return notice
    back = dcc.Link(t("dispute.back", lang), href=f"/disputes?lang={lang}", className="cc-back")
    found = dispute_detail(read_engine(), dispute_id)
    head = html.H1(t("dispute.heading", lang, id=dispute_id))
    if found is None:
        message = html.P(t("dispute.not_found", lang, id=dispute_id), className="cc-empty")
        return html.Div(className="cc-page cc-dispute", children=[back, head, message])
    state, events = found
    unmasked = unmask_allowed(f"dispute {quote(dispute_id, safe='')}")
    names = catalog()
    return html.Div(
        className="cc-page cc-incident cc-dispute",
        children=[
            back,
            html.Div(className="cc-page__head", children=[head]),
            html.Section(
                className="cc-panel cc-incident__state",
                children=[
                    html.H2(t("incident.state", lang)),
                    state_panel(state, names, lang, cfg.tz, unmasked),
                ],
            ),
            html.Section(
                className="cc-panel",
                children=[
                    html.H2(t("incident.timeline", lang)),
                    timeline(events, names, lang, cfg.tz, unmasked, "dispute_status"),
                ],
            ),
        ],
    )
