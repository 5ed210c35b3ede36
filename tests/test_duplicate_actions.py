"""Staff acting on duplicate candidates (issue 19, point 2): merge and unmerge through the
stream (real Redis, ingest, both databases), dismissals remembered, a chain of merges as
the parent's page shows it, and the page's one-click callback with its permissions."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from callbacks.incident_duplicates import panel, reasons
from common import clock
from dashboard.duplicates import NotMerged, dismiss_pair, merge, unmerge
from dashboard.ids import duplicates as list_ids
from dashboard.ids import incident as ids
from data_access.audit import recent
from data_access.duplicates import NotACandidate, candidates_for, merge_state, merged_children
from tests.factories import TZ, entry, reported
from tests.servers import drain, fast_ingest, publish

NOW = clock.now().replace(microsecond=0)
TITLE = "小区垃圾未及时清运"
TEXT = "市民来电反映：城东社区5幢附近小区垃圾未及时清运，气味很大。"


def ts(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).astimezone(TZ).isoformat()


def rubbish(ident: str, hours: float, **fields) -> dict:
    fields = {"grid": "G1", "lat": "31.9", "lon": "120.28", "title": TITLE, **fields}
    return reported(ident, ts(hours), description=TEXT, **fields)


@pytest.fixture
def stream(settings, redis_client, engine):
    """stream(*entries): XADD them and let ingest apply them (candidates on)."""
    ingest = fast_ingest(settings)

    def go(*entries: dict) -> None:
        if entries:
            publish(redis_client, settings.stream_key, list(entries))
        drain(ingest)

    yield go
    ingest.close()


def last_entry(redis_client, settings) -> dict[str, str]:
    [(_, raw)] = redis_client.xrevrange(settings.stream_key, count=1)
    return {k.decode(): v.decode() for k, v in raw.items()}


def test_merge_then_unmerge_go_through_the_stream(stream, engine, redis_client, settings):
    stream(rubbish("A", -5), rubbish("B", -1))
    [pair] = candidates_for(engine, "A")
    assert pair["other"] == "B" and not pair["later"]
    # pressed on the earlier one's page: still the later report is merged into the earlier
    assert merge(engine, redis_client, settings, "A", "B", "clerk-1", NOW) == ("B", "A")
    sent = last_entry(redis_client, settings)
    assert sent["status"] == "merged" and sent["id"] == "B" and sent["into"] == "A"
    assert sent["actor"] == "clerk-1"
    [audited] = recent(engine, "merge")
    assert audited["actor"] == "clerk-1" and audited["target"] == "incident B"
    stream()
    assert merge_state(engine, "B") == ("merged", "A")
    assert candidates_for(engine, "A") == []  # a merged incident is no longer a candidate
    assert [c["id"] for c in merged_children(engine, "A")] == ["B"]

    assert unmerge(engine, redis_client, settings, "B", "clerk-2", NOW) == "A"
    sent = last_entry(redis_client, settings)
    assert sent["status"] == "reopened" and sent["id"] == "B" and sent["actor"] == "clerk-2"
    stream()
    assert merge_state(engine, "B") == ("reopened", None)
    assert [c["other"] for c in candidates_for(engine, "A")] == ["B"]
    assert merged_children(engine, "A") == []
    with pytest.raises(NotMerged):
        unmerge(engine, redis_client, settings, "B", "clerk-2", NOW)


def test_only_shown_pairs_can_be_merged_or_dismissed(stream, engine, redis_client, settings):
    stream(rubbish("A", -5), rubbish("B", -1), rubbish("FAR", -1, lat="31.99", grid="G7"))
    length = redis_client.xlen(settings.stream_key)
    with pytest.raises(NotACandidate):
        merge(engine, redis_client, settings, "A", "FAR", "clerk", NOW)
    with pytest.raises(NotACandidate):
        dismiss_pair(engine, "A", "nope", "clerk", NOW)
    assert redis_client.xlen(settings.stream_key) == length  # nothing sent


def test_a_dismissal_is_remembered(stream, engine, settings):
    stream(rubbish("A", -5), rubbish("B", -1))
    dismiss_pair(engine, "A", "B", "clerk", NOW)
    assert candidates_for(engine, "A") == candidates_for(engine, "B") == []
    assert recent(engine, "dismiss_duplicate")[0]["target"] == "incident B"
    with pytest.raises(NotACandidate):
        dismiss_pair(engine, "B", "A", "clerk", NOW)
    stream(rubbish("B", -1, event_id="again"))  # the report replayed: not found again
    assert candidates_for(engine, "A") == []


def test_a_chain_shows_on_the_last_parent_with_the_way_it_came(stream, engine):
    """A into B, then B into C: C's page says the problem was reported 3 times and lists
    B, then A "via B"; B's page says it is merged into C; A's that it is merged into B."""
    stream(
        rubbish("C", -10),
        rubbish("B", -5),
        rubbish("A", -1),
        entry("A", "merged", ts(-0.5), into="B"),
        entry("B", "merged", ts(-0.4), into="C"),
    )
    children = merged_children(engine, "C")
    assert [(c["id"], c["via"]) for c in children] == [("B", None), ("A", "B")]
    content, hidden = panel_for(engine, "C")
    assert "reported 3 times" in content and "via B" in content and hidden
    content, hidden = panel_for(engine, "B")
    assert "merged into C" in content and not hidden  # unmerge offered
    assert "merged into B" in panel_for(engine, "A")[0]


def text_of(node) -> str:
    """The text a component tree shows, links' text included."""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(text_of(n) for n in node)
    return text_of(getattr(node, "children", None) or "")


def panel_for(engine, incident_id: str) -> tuple[str, bool]:
    children, hidden = panel(engine, incident_id, "en", may_act=True)
    return text_of(children), hidden


def test_reasons_read_as_staff_need_them():
    row = {"score": 0.8234, "distance_m": 35.4, "hours": 5.04, "text": 0.712, "same_caller": True}
    assert (
        reasons(row, "en") == "score 0.82 · 35 m apart · 5.0 h apart · text 71% alike · same caller"
    )
    row |= {"distance_m": None, "same_caller": False}
    assert reasons(row, "zh") == "相似度 0.82 · 同一网格 · 相隔5.0小时 · 文本相似71%"


# --- the page's callback, through the app ----------------------------------------------


def clicks(kind: str, others: list[str], trigger) -> list[dict]:
    return [
        {
            "id": {"type": kind, "other": o},
            "property": "n_clicks",
            "value": 1 if trigger == {"type": kind, "other": o} else None,
        }
        for o in others
    ]


def act_body(trigger: dict | str, incident_id: str, others: list[str]) -> dict:
    """The request the browser sends when one of the panel's buttons is pressed."""
    outputs = [(ids.DUP_MESSAGE, "children"), (ids.DUP_DONE, "data")]
    key = trigger
    if isinstance(trigger, dict):
        key = json.dumps(trigger, sort_keys=True, separators=(",", ":"))
    unmerge = 1 if trigger == ids.DUP_UNMERGE else None
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [
            clicks(ids.DUP_MERGE, others, trigger),
            clicks(ids.DUP_DISMISS, others, trigger),
            {"id": ids.DUP_UNMERGE, "property": "n_clicks", "value": unmerge},
        ],
        "changedPropIds": [f"{key}.n_clicks"],
        "state": [
            {"id": ids.ID, "property": "data", "value": incident_id},
            {"id": ids.LANG, "property": "data", "value": "en"},
            {"id": ids.DUP_DONE, "property": "data", "value": 3},
        ],
    }


def test_one_click_dismiss_and_merge_from_the_page(stream, engine, app, signed_in_client):
    stream(rubbish("A", -5), rubbish("B", -1), rubbish("C", -2))
    staff = signed_in_client("staff")
    dismiss = {"type": ids.DUP_DISMISS, "other": "C"}
    answer = staff.post("/_dash-update-component", json=act_body(dismiss, "A", ["B", "C"]))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    response = answer.get_json()["response"]
    assert response[ids.DUP_MESSAGE]["children"] == "Noted: C is not a duplicate."
    assert response[ids.DUP_DONE]["data"] == 4
    assert [c["other"] for c in candidates_for(engine, "A")] == ["B"]
    merge_b = {"type": ids.DUP_MERGE, "other": "B"}
    answer = staff.post("/_dash-update-component", json=act_body(merge_b, "A", ["B"]))
    message = answer.get_json()["response"][ids.DUP_MESSAGE]["children"]
    assert message.startswith("Merge sent (B → A)")
    # a stale page pressing a pair someone dealt with meanwhile: a message, never a 500
    gone = staff.post("/_dash-update-component", json=act_body(dismiss, "A", ["B", "C"]))
    assert gone.get_json()["response"][ids.DUP_MESSAGE]["children"].startswith("That possible")


def test_a_role_that_may_not_act_is_told_so(stream, engine, app, signed_in_client):
    stream(rubbish("A", -5), rubbish("B", -1))
    wall = signed_in_client("wall")
    dismiss = {"type": ids.DUP_DISMISS, "other": "B"}
    answer = wall.post("/_dash-update-component", json=act_body(dismiss, "A", ["B"]))
    assert "cannot merge" in answer.get_data(as_text=True)
    assert [c["other"] for c in candidates_for(engine, "A")] == ["B"]


# --- the possible duplicates list (/duplicates) ---------------------------------------


def list_body(done: int) -> dict:
    return {
        "output": f"{list_ids.LIST}.children",
        "outputs": {"id": list_ids.LIST, "property": "children"},
        "inputs": [
            {"id": list_ids.DONE, "property": "data", "value": done},
            {"id": list_ids.TICK, "property": "n_intervals", "value": None},
        ],
        "changedPropIds": [f"{list_ids.DONE}.data"],
        "state": [{"id": list_ids.LANG, "property": "data", "value": "en"}],
    }


def list_act_body(kind: str, later: str, earlier: str) -> dict:
    outputs = [(list_ids.MESSAGE, "children"), (list_ids.DONE, "data")]
    pressed = json.dumps({"type": kind, "later": later, "earlier": earlier}, sort_keys=True)

    def buttons(of: str) -> list[dict]:
        value = 1 if of == kind else None
        button = {"type": of, "later": later, "earlier": earlier}
        return [{"id": button, "property": "n_clicks", "value": value}]

    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [buttons(list_ids.MERGE), buttons(list_ids.DISMISS)],
        "changedPropIds": [pressed.replace(" ", "") + ".n_clicks"],
        "state": [
            {"id": list_ids.LANG, "property": "data", "value": "en"},
            {"id": list_ids.DONE, "property": "data", "value": 0},
        ],
    }


def test_the_list_shows_recent_pairs_best_first_and_acts(stream, engine, app, signed_in_client):
    stream(
        rubbish("A", -5),
        rubbish("B", -1),  # same text, same spot
        rubbish("C", -2, lat="31.9015"),  # 167 m away: a weaker pair
    )
    staff = signed_in_client("staff")
    assert staff.get("/duplicates?lang=en").status_code == 200
    shown = staff.post("/_dash-update-component", json=list_body(0)).get_data(as_text=True)
    order = [shown.index(f"Merge {later} into {earlier}") for later, earlier in
             (("B", "A"), ("B", "C"), ("C", "A"))]  # fmt: skip
    assert order == sorted(order)  # best first: B/A (1.0) before the pairs with C
    dismissed = staff.post(
        "/_dash-update-component", json=list_act_body(list_ids.DISMISS, "C", "A")
    ).get_json()["response"]
    assert dismissed[list_ids.MESSAGE]["children"] == "Noted: C / A is not a duplicate."
    merged = staff.post("/_dash-update-component", json=list_act_body(list_ids.MERGE, "B", "A"))
    assert "Merge sent (B → A)" in merged.get_data(as_text=True)
    stream()
    shown = staff.post("/_dash-update-component", json=list_body(2)).get_data(as_text=True)
    assert "No possible duplicates." in shown  # B merged, C/A dismissed
