"""The incident page: state, timeline, map and SLA clock from data_access.incidents, redrawn
on live pushes when the incident changed; escalation through dashboard.escalation."""

from __future__ import annotations

import json
from datetime import datetime

import redis
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update

from callbacks.alerts import acknowledge_click, taken_text
from callbacks.declared import Declared
from common.clock import now
from common.masking import mask_phone, mask_text
from common.vocabulary import CLOSED_STATUSES, MERGED, OPEN_STATUSES
from common.workdays import Calendar
from dashboard.auth import current_principal, unmask_allowed
from dashboard.components.alert_badge import alert_badge
from dashboard.components.deadline_text import in_working_days, wd_late_text, wd_marks
from dashboard.components.grid_map import grid_map_figure
from dashboard.components.incident_grid import clock_params
from dashboard.components.plot_text import plot_text
from dashboard.components.timeline import level_text, stars, timeline, yes_no
from dashboard.components.work_order_words import clerk_words, incident_link, status_name
from dashboard.context import (
    catalog,
    engine,
    grids,
    mark_written,
    read_engine,
    redis_client,
    settings,
    sla,
)
from dashboard.escalation import NotOpen, escalate
from dashboard.i18n import t
from dashboard.ids import incident as ids
from dashboard.list_rows import epoch_ms, local
from data_access.alert_list import alert_state
from data_access.alerts import BLUE
from data_access.case_detail import extension_steps
from data_access.duplicates import merged_children
from data_access.incidents import incident_detail
from data_access.masterdata import Catalog

STATE_FIELDS = (
    ("status", "incident_status"),
    ("priority", "priority"),
    ("channel", "channel"),
    ("category", "category"),
    ("town", "town"),
    ("grid", "grid"),
    ("department", "department"),
)
MAP_PAD = 2.5  # grid sizes around it


def span_text(seconds: float, day: str) -> str:
    """3d 04:05:06, as assets/incidents.js writes it."""
    s = int(abs(seconds))
    days, s = divmod(s, 86400)
    clock = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{days}{day} {clock}" if days else clock


def clock_data(
    state: dict, at: datetime, lang: str, warn_hours: float, wd: Calendar | None = None, tz=None
) -> dict:
    """What the browser needs to run the SLA clock (assets/incidents.js ccIncident.clock);
    with `wd` (the calendar, when the incident's rule is in working days) its texts read
    in working days."""
    data = {"as_of_ms": epoch_ms(at), "deadline_ms": epoch_ms(state["deadline"])}
    day = t("incidents.clock.day", lang)
    if state["status"] in OPEN_STATUSES:
        data = {**data, "state": "open", "texts": clock_params(lang, warn_hours)}
        return (
            data if wd is None else {**data, "marks": wd_marks(wd, state["deadline"], at, tz, lang)}
        )
    if state["status"] in CLOSED_STATUSES and state["closed_at"] is not None:
        late = (state["closed_at"] - state["deadline"]).total_seconds()
        if late <= 0:
            return {**data, "state": "on_time", "text": "✓ " + t("incident.sla.on_time", lang)}
        if wd is not None:  # a rule in working days: late by working days
            text = wd_late_text(wd, state["deadline"], state["closed_at"], tz, lang)
            return {**data, "state": "late", "text": "▲ " + text}
        text = "▲ " + t("incident.sla.late", lang, t=span_text(late, day))
        return {**data, "state": "late", "text": text}
    if state["status"] == MERGED:  # counted once, as the incident it was merged into
        return {**data, "state": "rejected", "text": t("incident.sla.merged", lang)}
    return {**data, "state": "rejected", "text": t("incident.sla.rejected", lang)}


def _row(label: str, value, class_name: str = "") -> list:
    return [
        html.Dt(label),
        html.Dd(value if value not in (None, "") else "—", className=class_name),
    ]


def state_panel(
    state: dict, names: Catalog, lang: str, tz, unmasked: bool, alert: dict | None = None
) -> html.Dl:
    """`alert`: the incident's colour and acknowledgement (data_access.alert_list)."""
    items = []
    if alert is not None:
        items += _row(t("alert.field", lang), alert_badge(alert["colour"], lang))
        taken = taken_text(alert, lang, tz, unmasked) if alert["colour"] else None
        items += _row(t("alert.field_acknowledged", lang), taken)
    for name, kind in STATE_FIELDS:
        value = status_name(state[name], names, lang) if name == "status" else None
        value = value or names.name(kind, state[name], lang)
        items += _row(t(f"incident.field.{name}", lang), value)
    for name in ("reported_at", "deadline", "closed_at"):
        items += _row(t(f"incident.field.{name}", lang), local(state[name], tz))
    level = state["escalation_level"] or 0
    badge = html.Span(level_text(level, lang), className=f"cc-level cc-level--{min(level, 3)}")
    items += _row(
        t("incident.field.escalation_level", lang), badge if level else level_text(0, lang)
    )
    items += _row(t("incident.field.satisfaction", lang), stars(state["satisfaction"], lang))
    if state["solved"] is not None:
        items += _row(t("incident.field.solved", lang), yes_no(state["solved"], lang))
    if state["merged_into"]:
        link = html.Span(incident_link(state["merged_into"], lang), className="cc-merged")
        items += _row(t("incident.field.into", lang), link)
    if state.get("merged_children"):  # the incidents merged into it (render)
        links = [incident_link(child, lang) for child in state["merged_children"]]
        comma = "、" if lang == "zh" else ", "
        listed = [part for link in links for part in (link, comma)][:-1]
        items += _row(t("incident.field.merged_children", lang), html.Span(listed))
    title, description = state["title"], state["description"]
    phone = state["reporter_phone"]
    if not unmasked:
        title, description, phone = mask_text(title), mask_text(description), mask_phone(phone)
    items += _row(t("incident.field.title", lang), title)
    items += _row(t("incident.field.description", lang), description, "cc-incident__text")
    note = t("incident.phone_logged" if unmasked else "incident.phone_masked", lang)
    phone_value = [html.Span(phone, className="cc-phone"), " ", html.Small(note)] if phone else None
    items += _row(t("incident.field.reporter_phone", lang), phone_value)
    return html.Dl(items, className="cc-facts")


def location_figure(state: dict, shapes: list[dict], names: Catalog, lang: str):
    """The shared grid map, the incident's grid filled and its point marked, zoomed to its
    town; None when neither a grid nor coordinates were given."""
    grid = state["grid"]
    shape = next((g for g in shapes if g["code"] == grid), None)
    if state["lat"] is not None and state["lon"] is not None:
        point = (state["lon"], state["lat"])
    elif shape is not None:
        point = tuple(shape["center"])
    else:
        return None
    labels = {g["code"]: names.name("grid", g["code"], lang) for g in shapes}
    fig = grid_map_figure(shapes, {}, labels, lang=lang)
    if shape is not None:  # its grid, outlined on top of the county's
        xs, ys = zip(*shape["ring"], strict=True)
        fig.add_scatter(
            x=xs,
            y=ys,
            fill="toself",
            fillcolor="rgba(198, 40, 40, 0.18)",
            mode="lines",
            line={"color": "#c62828", "width": 2},
            hoverinfo="text",
            text=plot_text(labels.get(grid, grid)),
            showlegend=False,
        )
    fig.add_scatter(
        x=[point[0]],
        y=[point[1]],
        mode="markers",
        marker={
            "symbol": "circle",
            "size": 14,
            "color": "#c62828",
            "line": {"width": 2, "color": "#fff"},
        },
        hoverinfo="text",
        text=f"{state['lat']}, {state['lon']}"
        if state["lat"] is not None
        else plot_text(labels.get(grid, "")),
        showlegend=False,
    )
    # zoomed to the grid and a few of its neighbours
    ring = shape["ring"] if shape else [point]
    xs = [x for x, _ in ring] + [point[0]]
    ys = [y for _, y in ring] + [point[1]]
    size = max(max(xs) - min(xs), max(ys) - min(ys), 0.005)
    pad_x = pad_y = size * MAP_PAD
    fig.update_layout(
        xaxis={"range": [min(xs) - pad_x, max(xs) + pad_x]},
        yaxis={"range": [min(ys) - pad_y, max(ys) + pad_y]},
        height=300,
    )
    return fig


def _signature(state: dict, events: list[dict], alert: dict) -> str:
    """What a redraw compares (the colour changes with time alone); its last two items
    are whether the alert is acknowledged and the escalation level."""
    return json.dumps(
        [
            str(state["updated_at"]),
            len(events),
            alert["colour"],
            alert["acknowledged"],
            state["escalation_level"] or 0,
        ]
    )


def _acknowledge_state(alert: dict, lang: str) -> tuple[bool, str]:
    """(disabled, button text): on for an overdue alert nobody took, for duty officers."""
    principal = current_principal()
    if principal is None or not principal.may_acknowledge:
        return True, t("alert.acknowledge_not_allowed", lang)
    if alert["colour"] in (None, BLUE):
        return True, t("alert.acknowledge", lang)
    if alert["acknowledged"]:
        return True, t("alerts.ack_yes", lang)
    return False, t("alert.acknowledge", lang)


def _escalate_state(state: dict, lang: str) -> tuple[bool, str, str]:
    """(disabled, button text, confirmation) for the escalate button."""
    principal = current_principal()
    level = (state["escalation_level"] or 0) + 1
    label = t("incident.escalate_to", lang, level=level)
    confirm = t("incident.escalate_confirm", lang, id=state["id"], level=level)
    if principal is None or not principal.may_act:
        return True, t("incident.escalate_not_allowed", lang), confirm
    if state["status"] not in OPEN_STATUSES:
        return True, t("incident.escalate_closed", lang), confirm
    return False, label, confirm


declared = Declared()


@declared.callback(
    Output(ids.STATE, "children"),
    Output(ids.MAP, "children"),
    Output(ids.TIMELINE, "children"),
    Output(ids.CLOCK_DATA, "data"),
    Output(ids.SIGNATURE, "data"),
    Output(ids.ESCALATE, "disabled"),
    Output(ids.ESCALATE, "children"),
    Output(ids.ESCALATE_CONFIRM, "message"),
    Output(ids.ACKNOWLEDGE, "disabled"),
    Output(ids.ACKNOWLEDGE, "children"),
    Input(ids.ID, "data"),
    Input(ids.VERSION, "data"),
    State(ids.LANG, "data"),
    State(ids.SIGNATURE, "data"),
)
def render(incident_id: str, _live, lang: str, signature: str | None):
    first_view = ctx.triggered_id != ids.VERSION or signature is None
    found = incident_detail(read_engine(), incident_id) if incident_id else None
    if found is None:
        missing = html.P(t("incident.not_found", lang, id=incident_id), className="cc-alert")
        ack = t("alert.acknowledge", lang)
        return missing, None, None, None, None, True, t("incident.escalate", lang), "", True, ack
    state, events = found
    cfg, at, names = settings(), now(), catalog()
    alert = alert_state(read_engine(), incident_id, at, cfg.warn_hours, cfg.red_hours)
    new_signature = _signature(state, events, alert)
    if not first_view and new_signature == signature:
        return (no_update,) * 10
    # every answer that carries the data is audited when unmasked: which input fired is
    # the request's to say, and a live redraw shows the personal data as the first view did
    unmasked = unmask_allowed(f"incident {incident_id}")
    figure = location_figure(state, grids(), names, lang)
    where = (
        dcc.Graph(figure=figure, config={"displayModeBar": False, "responsive": True})
        if figure is not None
        else html.P(t("incident.no_location", lang), className="cc-muted")
    )
    rules = sla()
    wd = rules.calendar if in_working_days(rules, state) else None
    state["merged_children"] = [  # direct ones: a chain shows in the duplicates panel
        c["id"] for c in merged_children(read_engine(), incident_id) if c["via"] is None
    ]
    steps = extension_steps(events, rules, cfg.tz)
    return (
        state_panel(state, names, lang, cfg.tz, unmasked, alert),
        where,
        timeline(events, names, lang, cfg.tz, unmasked, words=clerk_words(steps, lang, cfg.tz)),
        clock_data(state, at, lang, cfg.warn_hours, wd, cfg.tz),
        new_signature,
        *_escalate_state(state, lang),
        *_acknowledge_state(alert, lang),
    )


@declared.callback(
    Output(ids.MESSAGE, "children", allow_duplicate=True),
    Input(ids.SIGNATURE, "data"),
    Input(ids.PENDING, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def escalation_applied(signature: str | None, pending: int | None, lang: str):
    """Once the incident shows the level asked for, say so (whichever arrives first: the
    redraw after ingest applied it, or the answer to the escalation itself)."""
    if not pending or not signature or json.loads(signature)[-1] < pending:
        return no_update
    return t("incident.escalate_applied", lang, level=pending)


@declared.callback(
    Output(ids.MESSAGE, "children"),
    Output(ids.PENDING, "data"),
    Output(ids.ESCALATE, "disabled", allow_duplicate=True),
    Input(ids.ESCALATE_CONFIRM, "submit_n_clicks"),
    State(ids.ID, "data"),
    State(ids.NOTE, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def escalate_incident(submitted, incident_id: str, note: str | None, lang: str):
    """Push the next level to the stream; the button stays off until ingest applied it
    (the live redraw turns it back on, offering the level after)."""
    principal = current_principal()
    if not submitted:
        return no_update, no_update, no_update
    if principal is None or not principal.may_act:
        return t("incident.escalate_not_allowed", lang), no_update, True
    try:
        level = escalate(
            engine(), redis_client(), settings(), incident_id, principal.name, now(), note or ""
        )
    except NotOpen:
        return t("incident.escalate_closed", lang), no_update, True
    except redis.RedisError:
        return t("incident.escalate_failed", lang), no_update, False
    mark_written()  # this session reads the primary until ingest has applied it
    return t("incident.escalate_sent", lang, level=level), level, True


@declared.callback(
    Output(ids.ACKNOWLEDGE_MESSAGE, "children", allow_duplicate=True),
    Input(ids.SIGNATURE, "data"),
    State(ids.ACKNOWLEDGE_MESSAGE, "children"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def acknowledgement_applied(signature: str | None, message, lang: str):
    """After a click here, once the redraw shows the alert acknowledged, say so."""
    if not message or not signature or not json.loads(signature)[-2]:
        return no_update
    return t("alert.acknowledge_applied", lang)


@declared.callback(
    Output(ids.ACKNOWLEDGE_MESSAGE, "children"),
    Output(ids.ACKNOWLEDGE, "disabled", allow_duplicate=True),
    Input(ids.ACKNOWLEDGE, "n_clicks"),
    State(ids.ID, "data"),
    State(ids.ACKNOWLEDGE_NOTE, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def acknowledge_incident(clicks, incident_id: str, note: str | None, lang: str):
    """Take the alert in hand; the button stays off once it is in someone's hands (the
    live redraw after ingest applied it shows who and when)."""
    if not clicks:
        return no_update, no_update
    message, done = acknowledge_click(incident_id, note, lang)
    return message, done


declared.clientside(
    ClientsideFunction("ccIncident", "clock"),
    Output(ids.CLOCK, "children"),
    Output(ids.CLOCK, "className"),
    Input(ids.TICK, "n_intervals"),
    Input(ids.CLOCK_DATA, "data"),
)

declared.clientside(
    ClientsideFunction("ccLists", "version"),
    Output(ids.VERSION, "data"),
    Input(ids.LIVE, "data"),
    State(ids.VERSION, "data"),
    prevent_initial_call=True,
)


register = declared.register  # the app factory calls register(app)
