"""The incident page and the lists in the work order's words (issue 16, point 4): each
second-edition event in a clerk's words in zh and en, merged incidents linked both ways,
free text masked, and deadlines under a working-day rule read in working days across a
weekend, a holiday and a make-up Saturday."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from dash import dcc

from callbacks.incident import clock_data, state_panel
from common.workdays import Calendar, working_days_after, working_days_within
from dashboard.components.deadline_text import row_marks, wd_marks, wd_text
from dashboard.components.timeline import timeline
from dashboard.components.work_order_words import clerk_words
from dashboard.ids import incident as ids
from data_access.case_detail import extension_steps
from data_access.db import dispose_all
from data_access.duplicates import merged_children
from data_access.incidents import incident_detail
from data_access.masterdata import Catalog
from data_access.sla import Sla
from tests.factories import TZ, apply_entries, entry, reported
from tests.test_incident_page import render_body

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=TZ).astimezone(UTC)
NAMES = Catalog({("department", "roads"): ("住建局", "Housing Bureau")})
CAL = Calendar()  # the package's calendar alone
SLA = Sla({("sanitation", "normal", "*"): "5wd"}, CAL)  # hours for every other rule
PHONE = "13800001234"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(autouse=True)
def _close_pools():
    yield
    dispose_all()


def work_order() -> list[dict]:
    """Every second-edition event on one incident, and a duplicate merged into it."""
    return [
        reported("WO-1", "2026-09-30T10:00:00"),  # 5wd: 2026-10-14T00:00 (CONTRACT's example)
        entry("WO-1", "dispatched", "2026-09-30T10:30:00", department="roads"),
        entry("WO-1", "signed", "2026-09-30T11:00:00", department="roads", actor="clerk"),
        entry("WO-1", "returned", "2026-09-30T12:00:00", reason=f"不属本部门，联系人{PHONE}"),
        entry("WO-1", "dispatched", "2026-09-30T13:00:00", department="roads"),
        entry("WO-1", "contacted", "2026-09-30T14:00:00"),
        entry("WO-1", "extended", "2026-10-09T09:00:00", working_days=1),
        entry("WO-1", "extended", "2026-10-16T09:00:00", deadline="2026-10-30T18:00:00"),
        entry("WO-1", "escalated", "2026-10-12T09:00:00", level=2),
        entry("WO-1", "acknowledged", "2026-10-15T08:00:00", note=f"值班员认领，回电{PHONE}"),
        entry("WO-1", "closed", "2026-10-16T10:00:00", satisfaction=3, solved="false"),
        entry("WO-1", "visited", "2026-10-17T10:00:00", satisfaction=4, solved="true"),
        entry("WO-1", "reopened", "2026-10-19T09:00:00"),
        reported("WO-2", "2026-10-01T09:00:00"),
        entry("WO-2", "merged", "2026-10-01T10:00:00", into="WO-1"),
    ]


@pytest.fixture
def county(engine):
    apply_entries(engine, work_order(), NOW, SLA)
    return engine


def _text(component) -> str:
    if isinstance(component, str | int | float):
        return str(component)
    if component is None:
        return ""
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        return " ".join(_text(c) for c in children)
    return _text(children)


def _links(component) -> list[str]:
    found = [component.href] if isinstance(component, dcc.Link) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found += _links(child)
    return found


EVENT_WORDS = {
    "zh": [
        "签收",
        "退回 退回原因：不属本部门，联系人138****1234",
        "先行联系",
        "延期 延期 1 个工作日：原时限 2026-10-14 00:00 → 新时限 2026-10-15 00:00",
        "督办 督办2级",
        "认领",
        "值班员认领，回电138****1234",
        "延期 未生效：申请时已过时限 2026-10-15 00:00",
        "回访",
        "满意度 ★★★★☆ 4/5 实际解决 是",
        "重办",
    ],
    "en": [
        "Signed for",
        "Returned Reason: 不属本部门，联系人138****1234",
        "Reporter contacted",
        "Extended Working days added: 1; deadline 2026-10-14 00:00 → 2026-10-15 00:00",
        "Escalated Level 2",
        "Taken in hand",
        "Extended Not applied: asked after the deadline 2026-10-15 00:00",
        "Call-back",
        "Satisfaction ★★★★☆ 4/5 Solved Yes",
        "Reopened",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_work_order_event_in_a_clerks_words(county, lang):
    _, events = incident_detail(county, "WO-1")
    words = clerk_words(extension_steps(events, SLA, TZ), lang, TZ)
    text = _text(timeline(events, NAMES, lang, TZ, unmasked=False, words=words))
    for said in EVENT_WORDS[lang]:
        assert said in text
    assert PHONE not in text  # the reason and the note masked like the rest
    solved = "实际解决 否" if lang == "zh" else "Solved No"  # given on the closing event
    assert solved in text
    shown = _text(timeline(events, NAMES, lang, TZ, unmasked=True, words=words))
    assert f"联系人{PHONE}" in shown


def test_extension_steps_follow_the_fold(county):
    """The timeline's old and new deadlines are the fold's: the last applied one is the
    deadline in force until the reopen."""
    state, events = incident_detail(county, "WO-1")
    steps = list(extension_steps(events, SLA, TZ).values())
    assert steps == [
        (local("2026-10-14T00:00"), local("2026-10-15T00:00")),
        (local("2026-10-15T00:00"), None),  # asked a day after that deadline
    ]
    assert state["extensions"] == 1
    # the reopen's deadline replaced the extension's: 5wd from Monday 2026-10-19
    assert state["deadline"] == local("2026-10-27T00:00")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_merged_incident_links_to_its_original_and_back(county, lang):
    merged, _ = incident_detail(county, "WO-2")
    panel = state_panel(merged, NAMES, lang, TZ, unmasked=False)
    label = "合并到 WO-1" if lang == "zh" else "Merged into WO-1"  # the row's label and link
    assert label in _text(panel)
    clock = clock_data(merged, NOW, lang, 24.0)["text"]
    assert clock == ("重复件已合并，不计时" if lang == "zh" else "Merged as a duplicate: no clock")
    assert f"/incidents/WO-1?lang={lang}" in _links(panel)
    assert ("已合并（重复件）" if lang == "zh" else "Merged (duplicate)") in _text(panel)
    _, events = incident_detail(county, "WO-2")
    said = timeline(events, NAMES, lang, TZ, unmasked=False, words=clerk_words({}, lang, TZ))
    assert ("合并到 WO-1" if lang == "zh" else "Merged into WO-1") in _text(said)
    assert f"/incidents/WO-1?lang={lang}" in _links(said)
    parent, _ = incident_detail(county, "WO-1")
    children = [c["id"] for c in merged_children(county, "WO-1")]
    assert children == ["WO-2"]
    parent_panel = state_panel({**parent, "merged_children": children}, NAMES, lang, TZ, False)
    assert f"/incidents/WO-2?lang={lang}" in _links(parent_panel)
    assert merged_children(county, "WO-2") == []


# --- working days: Friday 2026-11-27 is an ordinary week's end; 2026-10-01..07 is the
# National Day holiday; Saturday 2026-10-10 a make-up working day ---


@pytest.mark.parametrize(
    ("start", "end", "n"),
    [
        ("2026-11-26T10:00", "2026-11-28T00:00", 1),  # to the end of Friday
        ("2026-11-28T00:00", "2026-11-28T10:00", 0),  # Saturday
        ("2026-11-28T00:00", "2026-11-30T10:00", 1),  # Monday
        ("2026-11-28T00:00", "2026-12-01T10:00", 2),
        ("2026-10-01T00:00", "2026-10-08T10:00", 1),  # the holiday counts nothing
        ("2026-10-10T00:00", "2026-10-10T12:00", 1),  # the make-up Saturday counts
        ("2026-10-10T00:00", "2026-10-11T12:00", 1),  # the Sunday after it does not
        ("2026-10-10T00:00", "2026-10-12T12:00", 2),
        ("2026-09-30T10:00", "2026-10-14T00:00", 5),  # the contract's example, inverted
        ("2026-11-30T10:00", "2026-11-26T10:00", 0),  # backwards: none
    ],
)
def test_working_days_within(start, end, n):
    assert working_days_within(CAL, local(start), local(end), TZ) == n


def test_working_days_within_inverts_working_days_after():
    start = local("2026-09-30T10:00")
    for n in range(30):
        assert working_days_within(CAL, start, working_days_after(CAL, start, n, TZ), TZ) == n


@pytest.mark.parametrize(
    ("deadline", "at", "zh", "en"),
    [
        ("2026-11-28T00:00", "2026-11-26T10:00", "剩余 1 个工作日", "1 working day left"),
        ("2026-11-28T00:00", "2026-11-27T10:00", "剩余不足 1 个工作日", "Under 1 working day left"),
        ("2026-11-28T00:00", "2026-11-28T10:00", "超期不足 1 个工作日",
         "Overdue, under 1 working day"),
        ("2026-11-28T00:00", "2026-11-30T10:00", "超期 1 个工作日", "1 working day overdue"),
        ("2026-11-28T00:00", "2026-12-01T10:00", "超期 2 个工作日", "2 working days overdue"),
        ("2026-10-01T00:00", "2026-10-08T10:00", "超期 1 个工作日", "1 working day overdue"),
        ("2026-10-01T00:00", "2026-09-30T10:00", "剩余不足 1 个工作日", "Under 1 working day left"),
        ("2026-10-09T00:00", "2026-09-30T10:00", "剩余 1 个工作日", "1 working day left"),
        ("2026-10-10T00:00", "2026-10-10T10:00", "超期 1 个工作日", "1 working day overdue"),
        ("2026-10-10T00:00", "2026-10-12T10:00", "超期 2 个工作日", "2 working days overdue"),
        ("2026-10-13T00:00", "2026-10-09T10:00", "剩余 2 个工作日", "2 working days left"),
    ],
)  # fmt: skip
def test_working_day_texts(deadline, at, zh, en):
    """Across a weekend, the National Day holiday and the make-up Saturday 2026-10-10."""
    assert wd_text(CAL, local(deadline), local(at), TZ, "zh") == zh
    assert wd_text(CAL, local(deadline), local(at), TZ, "en") == en


def test_marks_change_at_the_deadline_and_each_midnight():
    """The browser's clock gets the texts ahead: at the deadline (the end of Friday) and
    after each local midnight, through the weekend into the next week."""
    at, deadline = local("2026-11-27T10:00"), local("2026-11-28T00:00")
    marks = wd_marks(CAL, deadline, at, TZ, "zh", days=4)
    shown = [(datetime.fromtimestamp(ms / 1000, TZ).strftime("%m-%d %H:%M"), s) for ms, s in marks]
    assert shown == [
        ("11-27 10:00", "剩余不足 1 个工作日"),
        ("11-28 00:00", "超期不足 1 个工作日"),
        ("11-29 00:00", "超期不足 1 个工作日"),
        ("11-30 00:00", "超期 1 个工作日"),
        ("12-01 00:00", "超期 2 个工作日"),
    ]
    # each mark's text is what wd_text says a moment after it
    for ms, text in marks:
        moment = datetime.fromtimestamp(ms / 1000, UTC) + timedelta(seconds=1)
        assert wd_text(CAL, deadline, moment, TZ, "zh") == text


def test_lists_and_clock_read_working_days_only_under_a_working_day_rule():
    at = local("2026-12-01T10:00")
    row = {"status": "dispatched", "category": "sanitation", "priority": "normal",
           "channel": "hotline_12345", "deadline": local("2026-11-28T00:00")}  # fmt: skip
    assert row_marks(row, SLA, at, TZ, "en")[0][1] == "2 working days overdue"
    assert row_marks({**row, "priority": "urgent"}, SLA, at, TZ, "en") is None  # hours rule
    assert row_marks({**row, "status": "closed"}, SLA, at, TZ, "en") is None
    state = {**row, "closed_at": None}
    assert clock_data(state, at, "zh", 24.0, CAL, TZ)["marks"][0][1] == "超期 2 个工作日"
    assert "marks" not in clock_data(state, at, "zh", 24.0)  # hours: the browser counts
    late = {**state, "status": "closed", "closed_at": local("2026-10-12T09:00")}
    late["deadline"] = local("2026-10-10T00:00")  # Friday 10-09's end; Sat 10-10 works
    assert clock_data(late, at, "zh", 24.0, CAL, TZ)["text"] == "▲ 超期 2 个工作日办结"
    assert clock_data(late, at, "en", 24.0, CAL, TZ)["text"] == "▲ Closed 2 working days late"


def _render(client, incident_id: str, lang: str) -> str:
    """The incident page's render answer, as the page's first view asks for it."""
    body = render_body(incident_id, ids.ID, None)
    body["state"][0]["value"] = lang
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json(), ensure_ascii=False)  # as sent, unescaped


@pytest.fixture
def wd_app(settings, db_url, tmp_path):
    """The app with the county's rules in working days (CC_SLA_RULES)."""
    from dashboard import create_app

    rules = tmp_path / "sla.csv"
    rules.write_text("category,priority,channel,limit\nsanitation,normal,*,5wd\n")
    return create_app(dataclasses.replace(settings, sla_rules_path=rules))


def test_the_page_renders_the_events_links_and_working_day_clock(wd_app, engine, make_user):
    apply_entries(engine, [*work_order(), reported("WO-3", "2026-10-12T10:00:00")], NOW, SLA)
    client = wd_app.server.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    from tests.conftest import TEST_PASSWORD

    login = {"username": make_user("leader"), "password": TEST_PASSWORD}  # sees masked
    assert client.post("/auth/login", data=login).status_code == 302
    zh = _render(client, "WO-1", "zh")
    for said in ("签收", "先行联系", "原时限", "回访", "138****1234", "/incidents/WO-2?lang=zh"):
        assert said in zh
    assert PHONE not in zh
    en = _render(client, "WO-2", "en")
    assert "Merged into" in en and "/incidents/WO-1?lang=en" in en
    open_wd = _render(client, "WO-3", "en")  # 5wd from Monday 10-12: overdue by now
    assert "working day" in open_wd and "marks" in open_wd


def test_is_working_day_is_the_packages_rule_on_every_day_it_knows():
    """is_working_day reads the package's tables itself (its is_workday checks the year's
    range over every holiday, 0.2 ms a call: 7 ms a list row); same answer every day."""
    import chinese_calendar

    from common.workdays import PACKAGE_YEARS, is_working_day

    day, last = date(min(PACKAGE_YEARS), 1, 1), date(max(PACKAGE_YEARS), 12, 31)
    while day <= last:
        assert is_working_day(CAL, day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_working_days_within_counts_as_the_days_do_over_years_and_county_rows():
    """The running totals give what counting day by day gives, across years, a county's
    own rows and a year neither the package nor the county knows."""
    from common.workdays import is_working_day

    cal = Calendar({date(2026, 10, 12): False, date(2026, 10, 11): True, date(2027, 2, 6): True})
    start = local("2025-06-30T15:00")
    for days in (0, 1, 100, 200, 400, 600, 800):
        end = start + timedelta(days=days, hours=3)
        day, counted = start.date(), 0
        while day < end.date():
            day += timedelta(days=1)
            counted += is_working_day(cal, day)
        assert working_days_within(cal, start, end, TZ) == counted
