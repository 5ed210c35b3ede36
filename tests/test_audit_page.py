"""The audit log by person and day (CONTRACT 2 Scopes; issue 17 point 5): the admin-only
/audit page, refused by the server to anyone else (the page and its router callback), and
the CLI's `audit` command."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest

from common import clock
from common.config import PROJECT_ROOT
from common.scope import Scope
from data_access.audit import audit
from data_access.db import make_engine
from data_access.masterdata import load_masterdata
from tests.conftest import header_request

ARTIFACTS = PROJECT_ROOT / "artifacts"
CHENGDONG = Scope("town", ("Chengdong",))
FIRST_LOAD_MS = 60_000  # a page's first load on a loaded 2-core machine


@pytest.fixture
def db(settings, app):
    engine = make_engine(settings.database_url)
    load_masterdata(engine, settings.masterdata_dir)  # the scopes' names
    yield engine
    engine.dispose()


@pytest.fixture
def records(db, settings):
    """Today's records of two people (one scoped to a town), and one of yesterday."""
    audit(db, "tl", "view_personal_data", "incident P-1", "role=staff", CHENGDONG)
    audit(db, "tl", "export", "incidents export ?town=Chengdong", "role=staff, unmasked", CHENGDONG)
    audit(db, "dir", "sign_in", "127.0.0.1", "role=admin", Scope())
    try:
        clock.set_offset(timedelta(days=-1))
        audit(db, "tl", "export", "disputes export ?", "role=staff, no personal data", CHENGDONG)
    finally:
        clock.set_offset(timedelta(0))
    return clock.local_today(settings.tz)


def _router(client, search: str):
    """The pages router's callback, as the browser calls it for /audit."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/audit"},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    return client.post("/_dash-update-component", json=body)


@pytest.mark.parametrize("role", ["wall", "leader", "staff"])
def test_only_admins_get_the_audit_page(signed_in_client, client, records, role):
    assert client.get("/audit").status_code == 302  # strangers sign in first
    other = signed_in_client(role)
    for path in ("/audit", "/audit/", "/audit?lang=zh&user=tl"):
        refused = other.get(path)
        assert refused.status_code == 403, path
    assert "仅限管理员" in other.get("/audit?lang=zh").get_data(as_text=True)
    routed = _router(other, f"?day={records}&user=tl")  # the callback refuses as well
    assert routed.status_code == 200
    text = routed.get_data(as_text=True)
    assert "Only administrators" in text and "incident P-1" not in text
    assert signed_in_client("admin").get("/audit").status_code == 200


def test_the_page_lists_people_by_day_and_a_persons_records_with_their_scope(
    signed_in_client, records
):
    admin = signed_in_client("admin")
    day = records.isoformat()
    people = json.dumps(_router(admin, f"?day={day}&lang=en").get_json(), ensure_ascii=False)
    assert "People with records on " + day in people
    for name in ("tl", "dir", "admin-1"):  # the admin's own sign-in is audited too
        assert f'"children": "{name}"' in people
    assert "incident P-1" not in people  # nobody chosen: counts only
    mine = json.dumps(_router(admin, f"?day={day}&user=tl&lang=zh").get_json(), ensure_ascii=False)
    assert "tl 在 " + day + " 的记录" in mine
    assert "事件 P-1" in mine and "事件导出 ?town=Chengdong" in mine  # targets in words
    assert "角色：工作人员" in mine and "incident P-1" not in mine  # and details
    assert "城东街道" in mine and "查看个人信息" in mine  # the scope and action in words
    assert "纠纷导出" not in mine  # yesterday's
    yesterday = (records - timedelta(days=1)).isoformat()
    earlier = json.dumps(_router(admin, f"?day={yesterday}&user=tl").get_json())
    assert "Disputes export" in earlier and "Incident P-1" not in earlier
    for odd in ("?day=yesterday", "?day=a&day=b&user=x&user=y", "?user=%27%3B--"):
        assert _router(admin, odd).status_code == 200, odd  # today, nobody chosen


def test_cli_lists_the_audit_by_day_and_person(settings, db, records, capsys, monkeypatch):
    from dashboard.auth.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["audit"], settings) == 0
    out = capsys.readouterr().out
    assert re.search(r"^tl\s+2 records\s+1 personal data\s+1 exports$", out, re.M)
    assert re.search(r"^dir\s+1 records\s+0 personal data\s+0 exports$", out, re.M)
    assert main(["audit", "--user", "tl", "--day", records.isoformat()], settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1:3] for line in lines] == [
        ["view_personal_data", "town:Chengdong"],
        ["export", "town:Chengdong"],
    ]
    yesterday = (records - timedelta(days=1)).isoformat()
    assert main(["audit", "--user", "tl", "--day", yesterday], settings) == 0
    assert "disputes export" in capsys.readouterr().out
    assert main(["audit", "--user", "nobody"], settings) == 0
    assert "no audit records of nobody" in capsys.readouterr().out
    assert main(["audit", "--day", "03/12/2026"], settings) == 1
    assert "a day is YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_page_in_a_browser(signed_in_page, records, lang):
    page = signed_in_page("admin", f"/audit?user=tl&lang={lang}")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.locator(".cc-audit__table").nth(1).wait_for(timeout=FIRST_LOAD_MS)
    shown = {"zh": "事件 P-1", "en": "Incident P-1"}[lang]
    assert shown in page.locator(".cc-audit").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"audit-{lang}.png"), full_page=True)


def _header(client) -> str:
    """The header callback's answer, as the browser asks for it on every page."""
    response = client.post("/_dash-update-component", json=header_request("?lang=zh"))
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)  # "/" unescaped


def test_the_header_links_the_audit_for_admins_only(signed_in_client):
    assert "/audit?lang=zh" in _header(signed_in_client("admin"))
    for role in ("leader", "staff"):
        header = _header(signed_in_client(role))
        assert "/bulletins?lang=zh" in header and "/audit" not in header
