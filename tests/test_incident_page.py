"""The incident page's parts without a browser: escalation onto the stream (and its audit),
masking by role in the state and the timeline, the SLA clock's data, and the lists'
message for a bad link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dash
import pytest
from dash import html

from callbacks.incident import clock_data, span_text, state_panel
from dashboard.components.timeline import timeline
from dashboard.escalation import NotOpen, escalate
from dashboard.ids import incident as ids
from data_access.audit import recent
from data_access.db import dispose_all
from data_access.incidents import incident_detail
from data_access.masterdata import Catalog
from tests.factories import TZ, apply_entries, entry, reported

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=TZ).astimezone(UTC)
NAMES = Catalog({("town", "T1"): ("一镇", "Town One")})


@pytest.fixture(autouse=True)
def _close_pools():
    """The app's engines keep pooled connections; close them so PostgreSQL's fill up less."""
    yield
    dispose_all()


@pytest.fixture
def two(engine):
    apply_entries(
        engine,
        [
            reported("OPEN", "2026-11-25T08:00:00", priority="urgent", reporter_phone="13800001234",
                     description="call 13912345678", grid="G1", lat="31.9", lon="120.2"),
            entry("OPEN", "escalated", "2026-11-25T09:00:00", level=2, actor="chief",
                  note="hurry", source="radio"),
            reported("DONE", "2026-11-24T08:00:00"),
            entry("DONE", "closed", "2026-11-24T09:00:00", satisfaction=4),
        ],
        NOW,
    )  # fmt: skip
    return engine


def test_escalate_adds_the_next_level_to_the_stream_and_audits(two, settings, redis_client):
    level = escalate(two, redis_client, settings, "OPEN", "ops-1", NOW, note=" call back ")
    assert level == 3
    [(_, fields)] = redis_client.xrange(settings.stream_key)
    fields = {k.decode(): v.decode() for k, v in fields.items()}
    assert fields["status"] == "escalated" and fields["entity"] == "incident"
    assert (fields["id"], fields["level"], fields["actor"]) == ("OPEN", "3", "ops-1")
    assert fields["ts"] == "2026-11-25T12:00:00+08:00" and fields["note"] == "call back"
    assert fields["event_id"].startswith("web-esc-")
    [row] = recent(two, "escalate")
    assert (row["actor"], row["target"]) == ("ops-1", "incident OPEN")
    # the web tier changed nothing itself
    assert incident_detail(two, "OPEN")[0]["escalation_level"] == 2
    for closed_or_unknown in ("DONE", "NOPE"):
        with pytest.raises(NotOpen):
            escalate(two, redis_client, settings, closed_or_unknown, "ops-1", NOW)
    assert redis_client.xlen(settings.stream_key) == 1


def _text(component) -> str:
    if isinstance(component, str | int | float):
        return str(component)
    if component is None:
        return ""
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        return " ".join(_text(c) for c in children)
    return _text(children)


def test_personal_data_masked_unless_allowed(two):
    state, events = incident_detail(two, "OPEN")
    masked = _text(state_panel(state, NAMES, "en", TZ, unmasked=False))
    assert "138****1234" in masked and "13800001234" not in masked
    assert "call 139****5678" in masked
    shown = _text(state_panel(state, NAMES, "en", TZ, unmasked=True))
    assert "13800001234" in shown and "call 13912345678" in shown
    events_masked = _text(timeline(events, NAMES, "en", TZ, unmasked=False))
    assert "13800001234" not in events_masked and "138****1234" in events_masked
    assert "13912345678" not in events_masked


def test_masked_timeline_masks_numbers_in_the_actor_and_chinese_text():
    events = [
        {"ts": NOW, "event_id": "E-13800001234", "id": "INC-20261125-0001", "status": "rejected",
         "actor": "网格员王先生13800001234", "reason": "联系人李女士１３９００００１１１１空号",
         "result": "wx13700002222"},
    ]  # fmt: skip
    text = _text(timeline(events, NAMES, "zh", TZ, unmasked=False))
    assert "王先生138****1234" in text and "李女士139****1111" in text
    assert "wx137****2222" in text
    assert "13800001234" not in text and "00001111" not in text and "13700002222" not in text


def test_timeline_shows_every_event_with_actor_and_extra_fields(two):
    _, events = incident_detail(two, "OPEN")
    tree = timeline(events, NAMES, "en", TZ, unmasked=True)
    assert isinstance(tree, html.Ol) and len(tree.children) == 2
    text = _text(tree)
    assert "By: chief" in text and "Level 2" in text
    assert "hurry" in text and "source radio" in text  # a field the contract does not name
    assert "Town One" in text  # codes named in the page's language


def test_clock_data_by_state(two):
    open_state, _ = incident_detail(two, "OPEN")
    data = clock_data(open_state, NOW, "en", 24.0)
    assert data["state"] == "open" and data["deadline_ms"] == data["as_of_ms"]  # urgent: 4 h
    done, _ = incident_detail(two, "DONE")
    assert clock_data(done, NOW, "zh", 24.0)["state"] == "on_time"
    late = {**done, "closed_at": done["deadline"] + timedelta(hours=26, seconds=5)}
    assert clock_data(late, NOW, "en", 24.0)["text"] == "▲ Closed 1d 02:00:05 late"
    assert span_text(59, "d") == "00:00:59"
    merged = {**done, "status": "merged", "closed_at": None}
    assert clock_data(merged, NOW, "en", 24.0)["text"] == "Merged as a duplicate: no clock"


RENDER_OUTPUTS = (
    (ids.STATE, "children"),
    (ids.MAP, "children"),
    (ids.TIMELINE, "children"),
    (ids.CLOCK_DATA, "data"),
    (ids.SIGNATURE, "data"),
    (ids.ESCALATE, "disabled"),
    (ids.ESCALATE, "children"),
    (ids.ESCALATE_CONFIRM, "message"),
    (ids.ACKNOWLEDGE, "disabled"),
    (ids.ACKNOWLEDGE, "children"),
)


def render_body(incident_id: str, changed: str, signature: str | None) -> dict:
    """The incident page's render request, in the shape Dash's renderer sends it."""
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in RENDER_OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in RENDER_OUTPUTS],
        "inputs": [
            {"id": ids.ID, "property": "data", "value": incident_id},
            {"id": ids.VERSION, "property": "data", "value": 7},
        ],
        "changedPropIds": [f"{changed}.data"],
        "state": [
            {"id": ids.LANG, "property": "data", "value": "en"},
            {"id": ids.SIGNATURE, "property": "data", "value": signature},
        ],
    }


def test_every_unmasked_answer_is_audited(two, signed_in_client):
    """A hand-made live redraw (the version input, a stale signature) answers unmasked,
    so it is audited like the first view; an answer with nothing new carries no data."""
    staff = signed_in_client("staff")
    views = lambda: len(recent(two, "view_personal_data"))  # noqa: E731
    first = staff.post("/_dash-update-component", json=render_body("OPEN", ids.ID, None))
    assert first.status_code == 200 and "13800001234" in first.get_data(as_text=True)
    assert views() == 1
    signature = first.get_json()["response"][ids.SIGNATURE]["data"]
    for stale in ("[]", '["edited", 0, 0]'):
        redraw = staff.post("/_dash-update-component", json=render_body("OPEN", ids.VERSION, stale))
        assert "13800001234" in redraw.get_data(as_text=True)
    assert views() == 3
    same = staff.post("/_dash-update-component", json=render_body("OPEN", ids.VERSION, signature))
    assert "13800001234" not in same.get_data(as_text=True) and views() == 3
    leader = signed_in_client("leader")
    masked = leader.post("/_dash-update-component", json=render_body("OPEN", ids.VERSION, "[]"))
    assert "138****1234" in masked.get_data(as_text=True) and views() == 3


def test_a_bad_link_shows_a_message_not_a_traceback(app):
    pages = {p["path"]: p["layout"] for p in dash.page_registry.values()}
    incidents, disputes = pages["/incidents"], pages["/disputes"]
    with app.server.test_request_context("/incidents"):
        page = incidents(lang="en", sort="title", view="overdue")
        assert "cannot be used" in _text(page) and "sort must be one of" in _text(page)
        assert "reported_from" in _text(incidents(lang="zh", reported_from="x"))
        assert "cannot be used" in _text(disputes(lang="en", set="nope"))
        ok = incidents(lang="en", set=["closed", "due_soon"])
        assert "Figure: Closed or Due soon" in _text(ok)


@pytest.mark.parametrize(("lang", "yes", "no"), [("zh", "是", "否"), ("en", "Yes", "No")])
def test_timeline_shows_booleans_as_words(lang, yes, no):
    events = [
        {"ts": NOW, "event_id": "E1", "id": "I1", "status": "closed", "solved": "true"},
        {"ts": NOW, "event_id": "E2", "id": "D1", "status": "mediated",
         "judicial_confirmation": "false"},
        {"ts": NOW, "event_id": "E3", "id": "I1", "status": "visited", "solved": True},
    ]  # fmt: skip
    items = timeline(events, NAMES, lang, TZ, unmasked=True).children
    values = [_text(item.children[2]) for item in items]
    assert [v.endswith(w) for v, w in zip(values, (yes, no, yes), strict=True)] == [True] * 3
    assert not any("true" in v or "false" in v or "True" in v for v in values)


def test_list_columns_are_as_wide_as_their_text_in_english():
    """No truncated column: each is at least as wide as its header and its longest value
    (names of its codes, instants, the countdown) in the page's language."""
    from dashboard.components.incident_grid import (
        CELL_PX,
        INCIDENT_COLUMNS,
        PAD_PX,
        case_grid,
        clock_params,
    )
    from dashboard.components.label_place import text_width
    from dashboard.list_rows import longest_names
    from data_access.incident_list import NAMED
    from data_access.listing import Sort

    catalog = Catalog(
        {
            ("department", "housing"): ("县住建局", "Housing and Urban-Rural Development Bureau"),
            ("department", "water"): ("县水利局", "Water Bureau"),
        }
    )
    longest = longest_names(catalog, NAMED, "en")
    assert longest["department"] == "Housing and Urban-Rural Development Bureau"
    grid = case_grid(
        "g", INCIDENT_COLUMNS, frozenset(), Sort("id"), "en", clock_params("en", 24.0), longest
    )
    widths = {c["field"]: c["minWidth"] for c in grid.columnDefs}
    need = lambda text: text_width(text, CELL_PX) + PAD_PX  # noqa: E731
    assert widths["department"] >= need(longest["department"])
    assert widths["reported_at"] >= need("2026-12-31 23:59")
    assert widths["hours_overdue"] >= need("▲ 999d 23:59:59 overdue")
    assert all(widths[c["field"]] >= need(c["headerName"]) for c in grid.columnDefs)
    assert grid.dashGridOptions["suppressColumnVirtualisation"] is True
