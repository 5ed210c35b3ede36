"""The dispute page (/disputes/<id>): state and timeline, masked unless the role may see
personal data, with the unmasked view audited; an unknown id says so."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from common import clock
from data_access.db import make_engine
from data_access.models import AuditEntry
from tests.factories import TZ, accepted, apply_entries, entry


def _text(component) -> str:
    """Every string in a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def _seed(settings) -> None:
    engine = make_engine(settings.database_url)
    at = (clock.now() - timedelta(hours=3)).astimezone(TZ).isoformat()
    later = (clock.now() - timedelta(hours=1)).astimezone(TZ).isoformat()
    apply_entries(
        engine,
        [
            accepted("D-7", at, town="T1", kind="neighbour", mediator="M1"),
            entry("D-7", "mediating", at, entity="dispute", actor="调解员王芳13900001111"),
            entry("D-7", "mediated", later, entity="dispute", note="双方和解，联系13800001234"),
        ],
        clock.now(),
    )
    engine.dispose()


def _render(app, dispute_id: str, cookie: str | None = None) -> str:
    from dashboard.pages.dispute import layout

    headers = {"Cookie": f"cc_session={cookie}"} if cookie else {}
    with app.server.test_request_context(f"/disputes/{dispute_id}", headers=headers):
        return _text(layout(dispute_id=dispute_id, lang="zh"))


def _audits(settings) -> int:
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).where(AuditEntry.action == "view_personal_data")
        ).scalar_one()
    engine.dispose()
    return n


def test_the_page_shows_state_and_timeline_masked_for_a_leader(app, settings, signed_in_client):
    _seed(settings)
    leader = signed_in_client("leader").get_cookie("cc_session").value
    text = _render(app, "D-7", leader)
    assert "矛盾纠纷 D-7" in text
    assert "13800001234" not in text and "138****1234" in text
    assert "13900001111" not in text and "139****1111" in text
    assert _audits(settings) == 0


def test_staff_see_it_unmasked_and_the_view_is_audited(app, settings, signed_in_client):
    _seed(settings)
    staff = signed_in_client("staff").get_cookie("cc_session").value
    text = _render(app, "D-7", staff)
    assert "13800001234" in text
    assert _audits(settings) == 1


def test_an_unknown_dispute_says_so(app, settings):
    assert "没有编号为 D-404 的纠纷" in _render(app, "D-404")


def test_a_click_in_the_dispute_list_opens_the_dispute():
    from callbacks.disputes import open_row

    assert open_row({"rowId": "D 7/x"}, "en") == "/disputes/D%207%2Fx?lang=en"


def test_a_disputes_timeline_names_its_fields_in_the_pages_language():
    from datetime import UTC, datetime

    from dashboard.components.timeline import timeline
    from data_access.masterdata import Catalog

    event = {
        "status": "accepted",
        "ts": datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        "kind": "neighbour",
        "mediation_type": "people",
        "mediator": "M1",
        "amount": "37400.0",
        "parties": "3",
    }
    text = _text(timeline([event], Catalog({}), "zh", TZ, True, "dispute_status"))
    for raw in ("mediation_type", "mediator", "amount", "parties", "kind"):
        assert raw not in text, raw
    assert "调解组织" in text and "当事人数" in text
