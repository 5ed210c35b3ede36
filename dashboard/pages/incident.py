"""One incident: current state, the live SLA clock, its place on the county map, the whole
timeline, satisfaction, and escalation (督办). The content is drawn by callbacks/incident.py
and redrawn when a live push says the data changed."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.context import settings
from dashboard.i18n import lang_or_default, t
from dashboard.ids import incident as ids
from dashboard.tab_title import tab_title

dash.register_page(
    __name__, path_template="/incidents/<incident_id>", title=tab_title("nav.incidents")
)


def escalate_panel(lang: str) -> html.Section:
    return html.Section(
        className="cc-panel cc-escalate",
        children=[
            html.H2(t("incident.escalate", lang)),
            html.Label(t("incident.escalate_note", lang), htmlFor=ids.NOTE),
            dcc.Textarea(id=ids.NOTE, className="cc-escalate__note", maxLength=500),
            dcc.ConfirmDialogProvider(
                id=ids.ESCALATE_CONFIRM,
                message="",
                children=html.Button(
                    t("incident.escalate", lang),
                    id=ids.ESCALATE,
                    className="cc-button cc-button--danger",
                    disabled=True,
                ),
            ),
            html.Div(id=ids.MESSAGE, className="cc-escalate__message", role="status"),
        ],
    )


def acknowledge_panel(lang: str) -> html.Section:
    """认领: the duty officer takes the alert in hand (enabled by callbacks/incident.py
    when the incident is overdue, nobody has, and the caller's role may)."""
    return html.Section(
        className="cc-panel cc-escalate",
        children=[
            html.H2(t("alert.acknowledge", lang)),
            html.Label(t("alert.acknowledge_note", lang), htmlFor=ids.ACKNOWLEDGE_NOTE),
            dcc.Textarea(id=ids.ACKNOWLEDGE_NOTE, className="cc-escalate__note", maxLength=500),
            html.Button(
                t("alert.acknowledge", lang),
                id=ids.ACKNOWLEDGE,
                className="cc-button",
                disabled=True,
            ),
            html.Div(id=ids.ACKNOWLEDGE_MESSAGE, className="cc-escalate__message", role="status"),
        ],
    )


def duplicates_panel(lang: str) -> html.Section:
    """Filled by callbacks/incident_duplicates.py; the unmerge button is always in the
    layout (not shown unless merged) so its callback has an input on every page."""
    return html.Section(
        className="cc-panel cc-duplicates",
        children=[
            html.H2(t("incident.dup.heading", lang)),
            dcc.Store(id=ids.DUP_DONE, data=0),
            html.Div(id=ids.DUPLICATES),
            html.Button(
                t("incident.dup.unmerge", lang),
                id=ids.DUP_UNMERGE,
                className="cc-button",
                style={"display": "none"},
            ),
            html.Div(id=ids.DUP_MESSAGE, className="cc-escalate__message", role="status"),
        ],
    )


def layout(incident_id: str | None = None, lang: str | None = None, **_query) -> html.Div:
    lang = lang_or_default(lang, settings().lang)
    incident_id = (incident_id or "")[:96]
    return html.Div(
        className="cc-page cc-incident",
        children=[
            dcc.Store(id=ids.ID, data=incident_id),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.SIGNATURE),
            dcc.Store(id=ids.CLOCK_DATA),
            dcc.Store(id=ids.PENDING),
            dcc.Store(id=ids.VERSION),
            dcc.Store(id=ids.LIVE),
            html.Div(id=ids.LIVE_ANCHOR, hidden=True),
            dcc.Interval(id=ids.TICK, interval=1000),
            dcc.Link(t("incident.back", lang), href=f"/incidents?lang={lang}", className="cc-back"),
            html.Div(
                className="cc-page__head",
                children=[
                    html.H1(t("incident.heading", lang, id=incident_id)),
                    html.Div(id=ids.CLOCK, className="cc-clock", **{"aria-live": "off"}),
                ],
            ),
            html.Div(
                className="cc-incident__grid",
                children=[
                    html.Section(
                        className="cc-panel cc-incident__state",
                        children=[html.H2(t("incident.state", lang)), html.Div(id=ids.STATE)],
                    ),
                    html.Div(
                        className="cc-incident__side",
                        children=[
                            html.Section(
                                className="cc-panel",
                                children=[
                                    html.H2(t("incident.location", lang)),
                                    html.Div(id=ids.MAP, className="cc-incident__map"),
                                ],
                            ),
                            acknowledge_panel(lang),
                            escalate_panel(lang),
                        ],
                    ),
                ],
            ),
            duplicates_panel(lang),
            html.Section(
                className="cc-panel",
                children=[html.H2(t("incident.timeline", lang)), html.Div(id=ids.TIMELINE)],
            ),
        ],
    )
