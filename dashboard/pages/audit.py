"""The audit log for administrators, by person and day (local days, CC_TZ): who has
records on a day, with their counts of personal-data views and exports, and one person's
records that day with the scope each was made under. Drawn on the server when the page
opens, for an admin only (dashboard.auth.admin_pages answers 403 to anyone else); a plain
GET form picks the day and the person. The CLI lists the same (`audit --day --user`)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

import dash
from dash import dcc, html

from common.clock import local_today, now
from common.scope import ScopeError, parse_scope
from dashboard.audit_words import detail_words, target_words
from dashboard.auth.admin_pages import is_admin
from dashboard.context import catalog, engine, settings
from dashboard.i18n import STRINGS, lang_or_default, t
from dashboard.tab_title import tab_title
from data_access.audit import day_of, people_on

dash.register_page(__name__, path="/audit", title=tab_title("nav.audit"))

RECORDS_SHOWN = 2000
PEOPLE_LIST = "audit-people"  # the person box's suggestions


def _one(value) -> str | None:
    """A query value given once (a repeated key arrives as a list: ignored)."""
    return value if isinstance(value, str) and value else None


def _day(value: str | None, today: date) -> date:
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


def _href(day: date, lang: str, person: str | None = None) -> str:
    query = {"day": day.isoformat(), **({"user": person} if person else {}), "lang": lang}
    return f"/audit?{urlencode(query)}"


def scope_words(text: str | None, lang: str) -> str:
    """A stored scope in words: the county, or its towns' or departments' names."""
    if not text:
        return t("audit.scope.none", lang)
    try:
        scope = parse_scope(text)
    except ScopeError:
        return text
    if scope.is_county:
        return t("audit.scope.county", lang)
    names = catalog()
    return ("、" if lang == "zh" else ", ").join(
        names.name(scope.kind, c, lang) for c in scope.codes
    )


def _action(name: str, lang: str) -> str:
    key = f"audit.action.{name}"
    return t(key, lang) if key in STRINGS else name


def _table(head: list[str], rows: list[list], lang: str, current: int | None = None):
    """A table of `rows` under `head`'s translated keys; row `current` stands out."""
    body = [
        html.Tr(
            [html.Td(cell) for cell in row], className="cc-audit__current" if i == current else None
        )
        for i, row in enumerate(rows)
    ]
    return html.Table(
        className="cc-table cc-audit__table",
        children=[html.Thead(html.Tr([html.Th(t(k, lang)) for k in head])), html.Tbody(body)],
    )


def _field(label: str, control) -> html.Label:
    return html.Label(
        className="cc-filter",
        children=[html.Span(label, className="cc-filter__label"), control],
    )


def _picker(day: date, person: str | None, people: list[str], lang: str) -> html.Form:
    """A plain GET form (no callback): the day, and a person from that day's or any name."""
    day_box = dcc.Input(
        type="text",
        name="day",
        value=day.isoformat(),
        pattern=r"\d{4}-\d{2}-\d{2}",
        placeholder="YYYY-MM-DD",
        className="cc-filter__text",
    )
    person_box = dcc.Input(
        type="search",
        name="user",
        value=person or "",
        list=PEOPLE_LIST,
        placeholder=t("audit.everyone", lang),
        className="cc-filter__text",
    )
    steps = [
        (t("audit.previous_day", lang), day - timedelta(days=1)),
        (t("audit.next_day", lang), day + timedelta(days=1)),
    ]
    return html.Form(
        action="/audit",
        method="get",
        className="cc-filters cc-audit__picker",
        children=[
            _field(t("audit.day", lang), day_box),
            _field(t("audit.person", lang), person_box),
            html.Datalist(id=PEOPLE_LIST, children=[html.Option(value=n) for n in people]),
            dcc.Input(type="hidden", name="lang", value=lang),
            html.Div(
                className="cc-filter cc-filter--buttons",
                children=[
                    html.Button(t("audit.show", lang), type="submit", className="cc-button"),
                    *(
                        html.A(text, href=_href(step, lang, person), className="cc-button--link")
                        for text, step in steps
                    ),
                ],
            ),
        ],
    )


def _people(day: date, people: list[dict], person: str | None, lang: str) -> list:
    title = html.H2(t("audit.people_on", lang, day=day.isoformat()))
    if not people:
        return [title, html.P(t("audit.none_on", lang, day=day.isoformat()), className="cc-empty")]
    rows = [
        [
            html.A(p["actor"], href=_href(day, lang, p["actor"])),
            p["records"],
            p["personal_data"],
            p["exports"],
        ]
        for p in people
    ]
    head = ["audit.col.person", "audit.col.records", "audit.col.personal_data", "audit.col.exports"]
    current = next((i for i, p in enumerate(people) if p["actor"] == person), None)
    return [title, _table(head, rows, lang, current)]


def _records(day: date, person: str, lang: str) -> list:
    tz = settings().tz
    words = {"person": person, "day": day.isoformat()}
    title = html.H2(t("audit.records_of", lang, **words))
    found = day_of(engine(), person, day, tz, limit=RECORDS_SHOWN + 1)
    if not found:
        return [title, html.P(t("audit.none_of", lang, **words), className="cc-empty")]
    rows = [
        [
            f"{r['at'].astimezone(tz):%H:%M:%S}",
            _action(r["action"], lang),
            target_words(r["target"], lang),
            detail_words(r["detail"], lang, scope_words),
            scope_words(r["scope"], lang),
        ]
        for r in found[:RECORDS_SHOWN]
    ]
    head = [
        "audit.col.time",
        "audit.col.action",
        "audit.col.target",
        "audit.col.detail",
        "audit.col.scope",
    ]
    more = [html.P(t("audit.truncated", lang, count=RECORDS_SHOWN), className="cc-muted")]
    return [title, _table(head, rows, lang), *(more if len(found) > RECORDS_SHOWN else [])]


def layout(day: str | None = None, user: str | None = None, lang: str | None = None, **_query):
    cfg = settings()
    lang = lang_or_default(lang, cfg.lang)
    head = html.Div(className="cc-page__head", children=[html.H1(t("audit.title", lang))])
    if not is_admin():  # the server refused the page already; a callback gets nothing either
        return html.Div(
            className="cc-page cc-audit", children=[head, html.P(t("audit.admins_only", lang))]
        )
    shown = _day(_one(day), local_today(cfg.tz, now()))
    people = people_on(engine(), shown, cfg.tz)
    person = _one(user)
    names = sorted({p["actor"] for p in people} | ({person} if person else set()))
    children = [
        head,
        html.P(t("audit.intro", lang), className="cc-muted"),
        _picker(shown, person, names, lang),
        *_people(shown, people, person, lang),
        *(_records(shown, person, lang) if person else []),
    ]
    return html.Div(className="cc-page cc-audit", children=children)
