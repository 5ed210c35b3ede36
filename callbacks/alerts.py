"""The alert list (/alerts): the filters become the URL, the rows come from
data_access.alert_list (the API's function) on every live version, and an acknowledge
(认领) click goes through dashboard.acknowledgement, as on the incident page."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import redis
from dash import MATCH, ClientsideFunction, Input, Output, State, dcc, html, no_update

from callbacks.declared import Declared
from callbacks.wall_figures import overdue_text
from common.clock import now
from common.masking import mask_text
from common.vocabulary import BOOLEANS
from dashboard.acknowledgement import NotAllowed, NotOpen, NotOverdue, acknowledge
from dashboard.auth import current_principal, unmask_allowed
from dashboard.components.alert_badge import SHAPES, alert_badge
from dashboard.components.format import count
from dashboard.components.timeline import level_text
from dashboard.context import catalog, engine, mark_written, read_engine, redis_client, settings
from dashboard.i18n import t
from dashboard.ids import alerts as ids
from dashboard.links import FILTER_PARAMS
from dashboard.list_rows import local
from data_access.alert_list import alerts
from data_access.alerts import BLUE, COLOURS
from data_access.incidents import hours_between
from data_access.kpis import Filters

ROWS = 200  # rows a page shows; the total says how many match


def acknowledge_click(incident_id: str, note: str | None, lang: str) -> tuple[str, bool]:
    """(what to tell the person, whether the incident is now in someone's hands) for one
    click, on the incident page or the alert list; the role is checked here, server-side."""
    try:
        taken = acknowledge(
            engine(), redis_client(), settings(), incident_id, current_principal(), now(),
            note or "",
        )  # fmt: skip
    except NotAllowed:
        return t("alert.acknowledge_not_allowed", lang), False
    except NotOpen:
        return t("alert.acknowledge_closed", lang), True
    except NotOverdue:
        return t("alert.acknowledge_not_overdue", lang), False
    except redis.RedisError:
        return t("alert.acknowledge_failed", lang), False
    mark_written()  # this session reads the primary until ingest has applied it
    if taken.new:
        return t("alert.acknowledge_sent", lang), True
    return t("alert.acknowledge_taken", lang, who=mask_text(taken.by) or "—"), True


def taken_text(item: dict, lang: str, tz, unmasked: bool) -> str:
    """ "张三 08:12 认领", "未认领", or "—" for a blue alert (not overdue: nothing to take)."""
    if item["colour"] == BLUE:
        return "—"
    if not item["acknowledged"]:
        return "⚑ " + t("alert.unacknowledged", lang)
    who = item["acknowledged_by"] if unmasked else mask_text(item["acknowledged_by"])
    return "✓ " + t("alert.acknowledged_by", lang, who=who or "—", at=local(
        item["acknowledged_at"], tz
    ))  # fmt: skip


def _action(item: dict, lang: str, may: bool):
    if item["colour"] == BLUE or item["acknowledged"] or not may:
        return None
    return html.Button(
        t("alert.acknowledge", lang),
        id={"type": ids.ACKNOWLEDGE, "index": item["id"]},
        className="cc-button cc-button--small",
    )


def alert_table(items: list[dict], lang: str, may: bool, at) -> html.Table:
    cfg, names = settings(), catalog()
    unmasked = any(mask_text(i["acknowledged_by"]) != i["acknowledged_by"] for i in items) and (
        unmask_allowed("alerts")
    )  # only a view that shows personal data asks (and, when allowed, is audited)
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(f"alerts.col.{c}", lang))
                for c in ("colour", "id", "what", "deadline", "when", "level", "acknowledged")
            ]
            + [html.Th(t("alerts.col.action", lang))]
        )
    )
    rows = []
    for item in items:
        what = f"{names.name('town', item['town'], lang)} · " + names.name(
            "category", item["category"], lang
        )
        if item["colour"] == BLUE:
            when = t("alerts.due_in", lang, hours=f"{hours_between(item['deadline'], at):.1f}")
        else:
            when = overdue_text(item["hours_overdue"], lang)
        unacknowledged = item["colour"] != BLUE and not item["acknowledged"]
        rows.append(
            html.Tr(
                className=f"cc-alert-row cc-alert-row--{item['colour']}"
                + (" cc-alert-row--unacknowledged" if unacknowledged else ""),
                **{"data-id": item["id"]},
                children=[
                    html.Td(alert_badge(item["colour"], lang)),
                    html.Td(
                        dcc.Link(
                            item["id"], href=f"/incidents/{quote(item['id'], safe='')}?lang={lang}"
                        )
                    ),
                    html.Td(what),
                    html.Td(local(item["deadline"], cfg.tz)),
                    html.Td(when),
                    html.Td(level_text(item["escalation_level"] or 0, lang)),
                    html.Td(taken_text(item, lang, cfg.tz, unmasked), className="cc-alert-taken"),
                    html.Td(_action(item, lang, may)),
                ],
            )
        )
    return html.Table([head, html.Tbody(rows)], className="cc-table cc-alerts__table")


declared = Declared()


@declared.callback(
    Output(ids.NAV, "search"),
    Output(ids.PARAMS, "data"),
    Input(ids.COLOUR, "value"),
    Input(ids.ACKNOWLEDGED, "value"),
    State(ids.PARAMS, "data"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def apply_filters(colours: list | None, acknowledged: str | None, before: dict, lang: str):
    """The filters become the URL (a link reproduces the view) and the rows follow; the
    leader page's filters a tile carried stay."""
    chosen = {
        **before,
        "colours": [c for c in COLOURS if c in (colours or [])],
        "acknowledged": acknowledged if acknowledged in BOOLEANS else "",
    }
    pairs = [("colour", c) for c in chosen["colours"]]
    if chosen["acknowledged"]:
        pairs.append(("acknowledged", chosen["acknowledged"]))
    pairs += [(name, v) for name, _ in FILTER_PARAMS for v in chosen.get(name, [])]
    return "?" + urlencode([*pairs, ("lang", lang)]), chosen


def page_scope(chosen: dict) -> Filters:
    """The leader page's filters the alert list was opened with."""
    return Filters(**{field: tuple(chosen.get(name, ())) for name, field in FILTER_PARAMS})


@declared.callback(
    Output(ids.TOTAL, "children"),
    Output(ids.COUNTS, "children"),
    Output(ids.TABLE, "children"),
    Input(ids.PARAMS, "data"),
    Input(ids.VERSION, "data"),
    State(ids.LANG, "data"),
)
def render(chosen: dict, _live, lang: str):
    cfg, at = settings(), now()
    acknowledged = {"true": True, "false": False}.get(chosen.get("acknowledged") or "")
    total, counts, items = alerts(
        read_engine(), page_scope(chosen), at, cfg.warn_hours, cfg.red_hours,
        colours=tuple(chosen.get("colours") or ()), is_acknowledged=acknowledged, limit=ROWS,
    )  # fmt: skip
    principal = current_principal()
    may = principal is not None and principal.may_acknowledge
    shown = t("alerts.total", lang, n=count(total), shown=count(len(items)))
    chips = [
        html.Span(
            f"{SHAPES[c]} " + t(f"alert.count_{c}", lang, n=count(counts[c])),
            className=f"cc-alerts__count cc-alert-badge--{c}",
        )
        for c in COLOURS
    ]
    table = alert_table(items, lang, may, at) if items else html.P(t("alerts.empty", lang))
    return shown, chips, table


@declared.callback(
    Output({"type": ids.ACKNOWLEDGE, "index": MATCH}, "children"),
    Output({"type": ids.ACKNOWLEDGE, "index": MATCH}, "disabled"),
    Input({"type": ids.ACKNOWLEDGE, "index": MATCH}, "n_clicks"),
    State({"type": ids.ACKNOWLEDGE, "index": MATCH}, "id"),
    State(ids.NOTE, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def acknowledge_row(clicks: int | None, button: dict, note: str | None, lang: str):
    """One row's click: the button says what happened and stays off once the alert is in
    someone's hands (the next live version redraws the row with who and when)."""
    if not clicks:
        return no_update, no_update
    message, done = acknowledge_click(str(button["index"]), note, lang)
    return message, done


declared.clientside(
    ClientsideFunction("ccLists", "version"),
    Output(ids.VERSION, "data"),
    Input(ids.LIVE, "data"),
    State(ids.VERSION, "data"),
    prevent_initial_call=True,
)


register = declared.register  # the app factory calls register(app)
