"""CSV export of the lists: the same rows as the list for the same parameters, names and
codes, BOM, masking by role (audited when unmasked), 400 JSON for bad parameters."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from dashboard.components.tables import csv_text
from dashboard.export import csv_chunks
from dashboard.list_params import incident_query, incident_sort
from data_access.audit import recent
from data_access.db import dispose_all, make_engine
from data_access.incident_list import incident_page
from tests.factories import TZ, apply_entries, entry, reported
from tests.small_county import MASTERDATA


@pytest.fixture(autouse=True)
def _close_pools():
    """The app's engines keep pooled connections; close them so PostgreSQL's fill up less."""
    yield
    dispose_all()


@pytest.fixture
def seeded(settings):
    """Four incidents in real towns of the demo master data, reported in the last hours."""
    from data_access.masterdata import load_masterdata

    engine = make_engine(settings.database_url)
    load_masterdata(engine, MASTERDATA)
    now = datetime.now(UTC)
    at = (now - timedelta(hours=6)).astimezone(TZ).replace(tzinfo=None).isoformat("T", "seconds")
    apply_entries(
        engine,
        [
            reported("E-1", at, town="Chengdong", priority="urgent", reporter_phone="13800001234",
                     title="call 13912345678"),
            reported("E-2", at, town="Chengbei"),
            entry("E-2", "dispatched", at, department="urban_mgmt"),
            entry("E-2", "closed", at, satisfaction=5),
            reported("E-3", at, town="Chengdong", category="noise"),
            reported("E-4", at, town="NewTown", title="联系人王先生13900001111"),
        ],
        now,
    )  # fmt: skip
    yield engine
    engine.dispose()


def rows_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_holds_the_filtered_list_with_names_and_codes(signed_in_client, seeded, settings):
    client = signed_in_client("leader")
    query = "town=Chengdong&town=NewTown&sort=priority&dir=asc&lang=zh"
    response = client.get(f"/export/incidents.csv?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *body = rows_of(response)
    assert header[:3] == ["编号", "镇街", "镇街代码"]
    args = MultiDict([tuple(p.split("=")) for p in query.split("&")])
    now = datetime.now(UTC)
    listed = incident_page(
        seeded, incident_query(args, now.date()), now, 24.0, incident_sort(args), "zh", 0, 100
    )
    assert [r[0] for r in body] == [r["id"] for r in listed] == ["E-1", "E-3", "E-4"]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert by_id["E-1"]["镇街"] == "城东街道" and by_id["E-1"]["镇街代码"] == "Chengdong"
    assert by_id["E-4"]["镇街"] == "NewTown"  # an unknown code is shown as itself
    # a leader sees personal data masked; the export is audited as such
    assert by_id["E-1"]["联系电话"] == "138****1234"
    assert by_id["E-1"]["标题"] == "call 139****5678"
    assert by_id["E-4"]["标题"] == "联系人王先生139****1111"
    assert recent(seeded, "view_personal_data") == []
    assert [a["detail"] for a in recent(seeded, "export")] == ["role=leader, masked"]


def test_staff_export_is_unmasked_and_audited(signed_in_client, seeded):
    response = signed_in_client("staff").get("/export/incidents.csv?q=E-1&lang=en")
    header, *body = rows_of(response)
    row = dict(zip(header, body[0], strict=True))
    assert (row["Reporter's phone"], row["Town code"]) == ("13800001234", "Chengdong")
    [audited] = recent(seeded, "export")  # one record of the export, saying it was unmasked
    assert (audited["action"], audited["detail"]) == ("export", "role=staff, unmasked")
    assert audited["target"].startswith("incidents export ?q=E-1")


BAD_QUERIES = (
    "sort=title",
    "sort=reported_at;drop",
    "reported_from=yesterday",
    "start=2026-01-01&end=2026-01-02",
    "set=everything",
    "status=escalating",
    "unknown=1",
    "reported_from=2026-02-01&reported_to=2026-01-01",
)


def test_bad_parameters_answer_400_json(signed_in_client, seeded):
    client = signed_in_client("leader")
    for query in BAD_QUERIES:
        response = client.get(f"/export/incidents.csv?{query}")
        assert response.status_code == 400, query
        assert "error" in response.get_json()
    assert client.get("/export/disputes.csv?kind=" + "x" * 65).status_code == 400


def test_dispute_export_and_sign_in_required(client, signed_in_client, seeded):
    assert client.get("/export/incidents.csv").status_code == 302  # to the sign-in page
    now = datetime.now(UTC)
    at = (now - timedelta(minutes=5)).astimezone(TZ)
    start = at.date()
    apply_entries(
        seeded,
        [entry("D-1", "accepted", at.isoformat(), entity="dispute", town="Chengdong",
               kind="neighbour")],
        now,
    )  # fmt: skip
    response = signed_in_client("leader").get(
        f"/export/disputes.csv?set=pending&start={start}&end={start}&lang=en"
    )
    header, *body = rows_of(response)
    assert header[:3] == ["Id", "Town", "Town code"]
    assert [r[0] for r in body] == ["D-1"]


FORMULAS = ('=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
            "\t=1+1", "\r=1+1")  # fmt: skip


def test_formula_cells_are_quoted_and_numbers_stay_numbers():
    """OWASP CSV injection: every writer quotes a text cell a spreadsheet would run."""
    columns = [("unit", "=label", "text"), ("rate", "rate", "rate"), ("n", "n", "count")]
    rows = [{"unit": f, "rate": -0.25, "n": -3} for f in FORMULAS]
    header, *table = list(csv.reader(io.StringIO(csv_text(columns, rows)[1:])))
    assert header[0] == "'=label"
    assert table == [["'" + f, "-0.25", "-3"] for f in FORMULAS]
    row = {"id": "-", "hours_overdue": -1.5, "title": "城东 -1", "town": ""}
    chunks = "".join(csv_chunks(tuple(row), "en", iter([row])))
    assert list(csv.reader(io.StringIO(chunks)))[1] == ["'-", "-1.5", "城东 -1", ""]


def test_export_quotes_a_producers_formula(signed_in_client, seeded):
    at = (datetime.now(UTC) - timedelta(hours=1)).astimezone(TZ).replace(tzinfo=None)
    stamp = at.isoformat("T", "seconds")
    apply_entries(
        seeded,
        [reported(f"F-{i}", stamp, town="Chengbei", title=f) for i, f in enumerate(FORMULAS)],
        datetime.now(UTC),
    )
    response = signed_in_client("leader").get("/export/incidents.csv?town=Chengbei&lang=en")
    header, *body = rows_of(response)
    titles = [dict(zip(header, r, strict=True))["Title"] for r in body if r[0].startswith("F-")]
    assert len(titles) == len(FORMULAS)
    for title in titles:  # as given, or trimmed if ingest trims text
        assert title[0] == "'" and title[1:].strip() in {f.strip() for f in FORMULAS}, title
