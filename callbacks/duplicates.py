"""The possible duplicates list: data_access.duplicates' recent pairs as rows with their
reasons and one-click merge (through the stream, dashboard.duplicates) or dismiss."""

from __future__ import annotations

import redis
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from callbacks.declared import Declared
from callbacks.incident_duplicates import reasons
from common.clock import now
from common.duplicates import WINDOW
from common.masking import mask_text
from dashboard.auth import current_principal
from dashboard.context import engine, mark_written, read_engine, redis_client, settings
from dashboard.duplicates import dismiss_pair, merge
from dashboard.i18n import t
from dashboard.ids import duplicates as ids
from data_access.duplicates import NotACandidate, recent_candidates


def _incident(incident_id: str, title: str | None, lang: str) -> list:
    link = dcc.Link(incident_id, href=f"/incidents/{incident_id}?lang={lang}")
    return [link, " ", html.Span(mask_text(title) or "—")]


def pair_item(row: dict, lang: str, may_act: bool) -> html.Li:
    later, earlier = row["incident_id"], row["candidate_id"]
    key = {"later": later, "earlier": earlier}
    buttons = []
    if may_act:
        buttons = [
            html.Button(
                t("duplicates.merge", lang, later=later, earlier=earlier),
                id={"type": ids.MERGE, **key},
                className="cc-button cc-button--danger",
            ),
            html.Button(
                t("incident.dup.dismiss", lang),
                id={"type": ids.DISMISS, **key},
                className="cc-button",
            ),
        ]
    return html.Li(
        className="cc-duplicates__item",
        children=[
            html.Div(_incident(later, row["incident_title"], lang)),
            html.Div(_incident(earlier, row["candidate_title"], lang)),
            html.Div(reasons(row, lang), className="cc-muted"),
            html.Div(buttons, className="cc-duplicates__acts"),
        ],
    )


declared = Declared()


@declared.callback(
    Output(ids.LIST, "children"),
    Input(ids.DONE, "data"),
    Input(ids.TICK, "n_intervals"),
    State(ids.LANG, "data"),
)
def render_list(_done, _tick, lang: str):
    principal = current_principal()
    may_act = principal is not None and principal.may_act
    rows = recent_candidates(read_engine(), now() - WINDOW)
    if not rows:
        return html.P(t("incident.dup.none", lang), className="cc-muted")
    return html.Ul([pair_item(r, lang, may_act) for r in rows], className="cc-duplicates")


@declared.callback(
    Output(ids.MESSAGE, "children"),
    Output(ids.DONE, "data"),
    Input({"type": ids.MERGE, "later": ALL, "earlier": ALL}, "n_clicks"),
    Input({"type": ids.DISMISS, "later": ALL, "earlier": ALL}, "n_clicks"),
    State(ids.LANG, "data"),
    State(ids.DONE, "data"),
    prevent_initial_call=True,
)
def act(_merges, _dismissals, lang: str, done: int | None):
    """One click: merge the later report into the earlier, or dismiss the pair."""
    trigger = ctx.triggered_id
    if trigger is None or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update, no_update  # buttons drawn anew, not pressed
    principal = current_principal()
    if principal is None or not principal.may_act:
        return t("incident.dup.not_allowed", lang), no_update
    later, earlier = trigger["later"], trigger["earlier"]
    try:
        if trigger["type"] == ids.MERGE:
            cfg = settings()
            merge(engine(), redis_client(), cfg, later, earlier, principal.name, now())
            message = t("incident.dup.merge_sent", lang, id=later, into=earlier)
        else:
            dismiss_pair(engine(), later, earlier, principal.name, now())
            message = t("incident.dup.dismissed", lang, id=f"{later} / {earlier}")
    except NotACandidate:
        message = t("incident.dup.gone", lang)
    except redis.RedisError:
        return t("incident.escalate_failed", lang), no_update
    mark_written()  # this session reads the primary until ingest has applied it
    return message, (done or 0) + 1


register = declared.register  # the app factory calls register(app)
