"""The incident page's possible duplicates (issue 19): the candidates ingest found, with
their score and reasons, each merged or dismissed with one click; a merged incident's
unmerge; the merged duplicates of a parent and how many times its problem was reported.
Merging goes through the stream (dashboard.duplicates), so the panel shows it once ingest
applied it (the live redraw); a dismissal shows at once."""

from __future__ import annotations

import redis
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from sqlalchemy import Engine

from callbacks.declared import Declared
from common.clock import now
from common.masking import mask_text
from common.vocabulary import MERGED
from dashboard.auth import current_principal
from dashboard.context import engine, mark_written, read_engine, redis_client, settings
from dashboard.duplicates import NotMerged, dismiss_pair, merge, unmerge
from dashboard.i18n import t
from dashboard.ids import incident as ids
from data_access.duplicates import (
    NotACandidate,
    candidates_for,
    merge_state,
    merged_children,
)


def _link(incident_id: str, lang: str) -> dcc.Link:
    return dcc.Link(incident_id, href=f"/incidents/{incident_id}?lang={lang}")


def reasons(row: dict, lang: str) -> str:
    """score 0.82 · 35 m apart · 5 h apart · text 71% alike · same caller"""
    parts = [t("incident.dup.score", lang, score=f"{row['score']:.2f}")]
    if row["distance_m"] is None:
        parts.append(t("incident.dup.same_grid", lang))
    else:
        parts.append(t("incident.dup.metres", lang, m=round(row["distance_m"])))
    parts.append(t("incident.dup.hours", lang, h=f"{row['hours']:.1f}"))
    parts.append(t("incident.dup.text", lang, pct=round(row["text"] * 100)))
    if row["same_caller"]:
        parts.append(t("incident.dup.same_caller", lang))
    return " · ".join(parts)


def candidate_item(row: dict, lang: str, may_act: bool) -> html.Li:
    other = row["other"]
    title = row["candidate_title"] if row["later"] else row["incident_title"]
    merge_text = "incident.dup.merge_this" if row["later"] else "incident.dup.merge_that"
    buttons = []
    if may_act:
        buttons = [
            html.Button(
                t(merge_text, lang, id=other),
                id={"type": ids.DUP_MERGE, "other": other},
                className="cc-button cc-button--danger",
            ),
            html.Button(
                t("incident.dup.dismiss", lang),
                id={"type": ids.DUP_DISMISS, "other": other},
                className="cc-button",
            ),
        ]
    return html.Li(
        className="cc-duplicates__item",
        children=[
            _link(other, lang),
            " ",
            html.Span(mask_text(title) or "—"),
            html.Div(reasons(row, lang), className="cc-muted"),
            html.Div(buttons, className="cc-duplicates__acts"),
        ],
    )


def panel(eng: Engine, incident_id: str, lang: str, may_act: bool) -> tuple[list, bool]:
    """(the panel's content, whether the unmerge button is hidden)."""
    found = merge_state(eng, incident_id) if incident_id else None
    if found is None:
        return [], True
    status, into = found
    if status == MERGED:
        text = t("incident.dup.merged_into", lang, id="{id}").split("{id}")
        return [html.P([text[0], _link(into or "", lang), text[1]])], not may_act
    out = []
    children = merged_children(eng, incident_id)
    if children:
        out.append(html.P(t("incident.dup.reported_times", lang, n=len(children) + 1)))
        out.append(
            html.Ul(
                [
                    html.Li(
                        [_link(c["id"], lang), " ", mask_text(c["title"]) or ""]
                        + (
                            [" (", t("incident.dup.via", lang, id=c["via"]), ")"]
                            if c["via"]
                            else []
                        )
                    )
                    for c in children
                ]
            )
        )
    rows = candidates_for(eng, incident_id)
    if rows:
        out.append(
            html.Ul([candidate_item(r, lang, may_act) for r in rows], className="cc-duplicates")
        )
    else:
        out.append(html.P(t("incident.dup.none", lang), className="cc-muted"))
    return out, True


# a style, not the `hidden` attribute: the buttons' own CSS display would show it anyway
HIDDEN = {"display": "none"}
declared = Declared()


@declared.callback(
    Output(ids.DUPLICATES, "children"),
    Output(ids.DUP_UNMERGE, "style"),
    Input(ids.ID, "data"),
    Input(ids.VERSION, "data"),
    Input(ids.DUP_DONE, "data"),
    State(ids.LANG, "data"),
)
def render_duplicates(incident_id: str, _live, _done, lang: str):
    principal = current_principal()
    may_act = principal is not None and principal.may_act
    content, hidden = panel(read_engine(), incident_id, lang, may_act)
    return content, HIDDEN if hidden else {}


@declared.callback(
    Output(ids.DUP_MESSAGE, "children"),
    Output(ids.DUP_DONE, "data"),
    Input({"type": ids.DUP_MERGE, "other": ALL}, "n_clicks"),
    Input({"type": ids.DUP_DISMISS, "other": ALL}, "n_clicks"),
    Input(ids.DUP_UNMERGE, "n_clicks"),
    State(ids.ID, "data"),
    State(ids.LANG, "data"),
    State(ids.DUP_DONE, "data"),
    prevent_initial_call=True,
)
def act(_merges, _dismissals, _unmerge, incident_id: str, lang: str, done: int | None):
    """One click: merge (the later report into the earlier), dismiss, or unmerge."""
    trigger = ctx.triggered_id
    if trigger is None or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update, no_update  # buttons drawn anew, not pressed
    principal = current_principal()
    if principal is None or not principal.may_act:
        return t("incident.dup.not_allowed", lang), no_update
    cfg, at, who = settings(), now(), principal.name
    try:
        if trigger == ids.DUP_UNMERGE:
            unmerge(engine(), redis_client(), cfg, incident_id, who, at)
            message = t("incident.dup.unmerge_sent", lang)
        elif trigger["type"] == ids.DUP_MERGE:
            merged, into = merge(
                engine(), redis_client(), cfg, incident_id, trigger["other"], who, at
            )
            message = t("incident.dup.merge_sent", lang, id=merged, into=into)
        else:
            dismiss_pair(engine(), incident_id, trigger["other"], who, at)
            message = t("incident.dup.dismissed", lang, id=trigger["other"])
    except (NotACandidate, NotMerged):
        message = t("incident.dup.gone", lang)
    except redis.RedisError:
        return t("incident.escalate_failed", lang), no_update
    mark_written()  # this session reads the primary until ingest has applied it
    return message, (done or 0) + 1


register = declared.register  # the app factory calls register(app)
