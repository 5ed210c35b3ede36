"""The monthly bulletin (月度通报, CONTRACT section 2, second edition): the scoring, the
model's equality with GET /api/v1/kpis on both databases, its generations kept in SQL,
and its printed forms (PDF, workbook)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from common.assessment import (
    AssessmentError,
    Rule,
    bottom,
    parse_rules,
    points,
    rank_units,
    score_unit,
)
from common.clock import now as clock_now
from dashboard.bulletin_html import bulletin_html
from dashboard.bulletin_pdf import bulletin_pdf
from dashboard.bulletin_xlsx import bulletin_xlsx
from data_access.bulletin import (
    BulletinError,
    build_bulletin,
    generations,
    latest,
    month_window,
    store,
)
from data_access.masterdata import Catalog, load_catalog
from tests.factories import TZ, apply_entries, entry, reported

RULES_CSV = """unit_kind,metric,weight,floor,target
town,on_time_rate,40,0.5,0.9
town,satisfaction_rate,40,0.6,1.0
town,closure_rate,20,0.5,1.0
department,on_time_rate,60,0.5,0.9
department,closure_rate,40,0.5,1.0
"""
RULES = parse_rules(RULES_CSV)


@pytest.fixture
def settings(settings, tmp_path):
    """The app's settings with these tests' rules as CC_ASSESSMENT."""
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES_CSV, encoding="utf-8")
    return settings.with_(assessment_path=rules)


# --- the rules file -------------------------------------------------------------------


def test_rules_parse_in_file_order():
    assert [(r.unit_kind, r.metric, r.weight) for r in RULES[:2]] == [
        ("town", "on_time_rate", 40.0),
        ("town", "satisfaction_rate", 40.0),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unit_kind,metric,weight\ntown,on_time_rate,1\n", "header"),
        ("unit_kind,metric,weight,floor,target\n", "no rules"),
        ("unit_kind,metric,weight,floor,target\ngrid,on_time_rate,1,0.5,0.9\n", "unit_kind"),
        ("unit_kind,metric,weight,floor,target\ntown,no_such_rate,1,0.5,0.9\n", "no_such_rate"),
        ("unit_kind,metric,weight,floor,target\ntown,on_time_rate,x,0.5,0.9\n", "weight"),
        ("unit_kind,metric,weight,floor,target\ntown,on_time_rate,0,0.5,0.9\n", "above 0"),
        ("unit_kind,metric,weight,floor,target\ntown,on_time_rate,1,80,98\n", "fraction"),
        ("unit_kind,metric,weight,floor,target\ntown,on_time_rate,1,0.5,0.5\n", "equal"),
        (
            "unit_kind,metric,weight,floor,target\n"
            "town,on_time_rate,1,0.5,0.9\ntown,on_time_rate,2,0.5,0.9\n",
            "twice",
        ),
    ],
)
def test_a_bad_rules_file_is_refused_with_its_fault(text: str, message: str):
    with pytest.raises(AssessmentError, match=message):
        parse_rules(text)


def test_a_rate_the_product_does_not_compute_fails_naming_it():
    """The second edition's work-order rates score once the vocabulary has them; until
    then a rules file naming one is refused, by name, before anything is generated."""
    text = "unit_kind,metric,weight,floor,target\ntown,a_pending_rate,20,0.8,0.98\n"
    with pytest.raises(AssessmentError, match="'a_pending_rate' is not a rate the product"):
        parse_rules(text, "rules.csv")


def test_the_demo_countys_rules_name_the_contracts_rates():
    from common.config import PROJECT_ROOT

    text = (PROJECT_ROOT / "masterdata" / "assessment.csv").read_text(encoding="utf-8")
    rows = [line.split(",") for line in text.splitlines()[1:]]
    metrics = {(kind, metric): float(weight) for kind, metric, weight, *_ in rows}
    for kind in ("town", "department"):
        assert {m: w for (k, m), w in metrics.items() if k == kind} == {
            "on_time_rate": 30,
            "timely_sign_rate": 20,
            "satisfaction_rate": 30,
            "solved_rate": 10,
            "return_rate": 10,
        }
    ret = next(r for r in rows if r[1] == "return_rate")
    assert float(ret[4]) < float(ret[3])  # lower is better: target below floor


def test_every_rate_a_county_may_score_has_its_name_in_both_languages():
    from common.vocabulary import INCIDENT_RATES
    from dashboard.bulletin_labels import metric_label

    for rate in INCIDENT_RATES:
        assert metric_label(rate, "zh") != rate and metric_label(rate, "en") != rate
    assert metric_label("satisfaction_rate", "zh") == "回访满意率"


# --- points, score, reasons -----------------------------------------------------------


def test_points_clamp_between_floor_and_target_rounded():
    rule = Rule("town", "on_time_rate", 30, 0.8, 0.98)
    assert points(rule, 0.7) == 0  # below the floor
    assert points(rule, 0.8) == 0
    assert points(rule, 0.89) == 15.0
    assert points(rule, 0.9) == pytest.approx(16.67)  # 30 * 0.1 / 0.18 = 16.666...
    assert points(rule, 0.99) == 30  # past the target
    assert points(rule, None) == 0  # a null rate scores nothing


def test_a_target_below_its_floor_scores_a_lower_is_better_rate():
    rule = Rule("town", "closure_rate", 10, 0.2, 0.02)
    assert rule.lower_is_better
    assert points(rule, 0.25) == 0
    assert points(rule, 0.11) == 5.0
    assert points(rule, 0.02) == 10
    assert points(rule, 0.0) == 10


def test_score_sums_points_and_reasons_name_every_metric_that_lost_points():
    rules = tuple(r for r in RULES if r.unit_kind == "town")
    figures = {"on_time_rate": 0.9, "satisfaction_rate": 0.8, "closure_rate": None}
    scored = score_unit(rules, figures)
    assert scored["metrics"]["on_time_rate"] == {"value": 0.9, "points": 40.0, "weight": 40.0}
    assert scored["metrics"]["satisfaction_rate"]["points"] == 20.0
    assert scored["score"] == 60.0
    assert scored["reasons"] == [
        {"metric": "satisfaction_rate", "value": 0.8, "points_lost": 20.0},
        {"metric": "closure_rate", "value": None, "points_lost": 20.0},
    ]


def test_figures_without_a_ruled_metric_fail_clearly():
    with pytest.raises(AssessmentError, match="no 'on_time_rate'"):
        score_unit(RULES, {"closure_rate": 1.0})


# --- ranks, unranked units, bottom three ----------------------------------------------


def _unit(code: str, score: float, received: int = 100) -> dict:
    return {"code": code, "score": score, "received": received}


def test_ties_share_a_rank_and_the_next_skips():
    ranked = rank_units(
        [_unit("A", 80), _unit("B", 90), _unit("C", 90), _unit("D", 70), _unit("E", 90, 29)],
        min_received=30,
    )
    assert [(u["code"], u["rank"], u["ranked"]) for u in ranked] == [
        ("B", 1, True),
        ("C", 1, True),
        ("A", 3, True),
        ("D", 4, True),
        ("E", None, False),  # fewer than 30 received: listed, not ranked
    ]


def _units(scores: tuple[int, ...]) -> list[dict]:
    return rank_units([_unit(chr(65 + i), s) for i, s in enumerate(scores)], 30)


def test_bottom_three_are_the_lowest_ranked_lowest_first_with_ties_at_the_cut():
    units = _units((90, 80, 70, 60, 60, 50)) + rank_units([_unit("Z", 0, received=3)], 30)
    # F 50 (rank 6), D and E 60 (rank 4, both named: the same standing); Z is unranked
    assert bottom(units) == ["F", "D", "E"]
    assert bottom(_units((90, 80, 70, 70, 70))) == ["C", "D", "E"]
    assert bottom(_units((90, 80, 80, 80, 70))) == ["E", "B", "C", "D"]
    assert bottom(rank_units([_unit("A", 1), _unit("B", 2, received=1)], 30)) == ["A"]


# --- the month ------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "", "2026-11-01"])
def test_a_bad_month_is_refused(month: str):
    with pytest.raises(BulletinError):
        month_window(month)


def test_month_window_is_the_calendar_month():
    window = month_window("2026-02")
    assert (window.start.isoformat(), window.end.isoformat()) == ("2026-02-01", "2026-02-28")


# --- the model against GET /api/v1/kpis, both databases --------------------------------

NOVEMBER = [
    # T1: 4 received, 3 on time, 1 late; satisfied 2 of 3 rated
    *[reported(f"a{i}", f"2026-11-0{i + 2}T09:00:00", town="T1") for i in range(4)],
    entry("a0", "dispatched", "2026-11-02T09:30:00", department="D1"),
    entry("a0", "closed", "2026-11-02T12:00:00", satisfaction=5),
    entry("a1", "dispatched", "2026-11-03T09:30:00", department="D1"),
    entry("a1", "closed", "2026-11-03T12:00:00", satisfaction=2),
    entry("a2", "dispatched", "2026-11-04T09:30:00", department="D2"),
    entry("a2", "closed", "2026-11-04T12:00:00", satisfaction=4),
    entry("a3", "dispatched", "2026-11-05T09:30:00", department="D2"),
    entry("a3", "closed", "2026-11-25T12:00:00"),  # past its deadline
    # T2: 3 received, all closed on time and satisfied
    *[reported(f"b{i}", f"2026-11-1{i}T09:00:00", town="T2", channel="wechat") for i in range(3)],
    *[entry(f"b{i}", "closed", f"2026-11-1{i}T10:00:00", satisfaction=5) for i in range(3)],
    # T3: one received, never closed; Z9 (in no master data) only in October
    reported("c0", "2026-11-20T09:00:00", town="T3"),
    reported("z0", "2026-10-20T09:00:00", town="Z9"),
    entry("z0", "closed", "2026-10-20T10:00:00", satisfaction=5),
]
AFTER = datetime(2026, 12, 2, 9, 0, tzinfo=TZ).astimezone(UTC)


def _bulletin(engine, min_received: int = 2, at: datetime | None = None) -> dict:
    return build_bulletin(
        engine,
        load_catalog(engine),
        "2026-11",
        RULES,
        now=at or clock_now(),
        tz=TZ,
        min_received=min_received,
    )


def test_each_units_figures_equal_the_kpis_api(engine, client, auth_header):
    apply_entries(engine, NOVEMBER, AFTER)
    model = _bulletin(engine)
    assert [u["code"] for u in model["town"]] == ["T2", "T1", "T3"]  # Z9: nothing in Nov
    assert {u["code"] for u in model["department"]} == {"D1", "D2"}
    checked = 0
    for kind in ("town", "department"):
        for unit in model[kind]:
            query = f"start=2026-11-01&end=2026-11-30&{kind}={unit['code']}"
            api = client.get(f"/api/v1/kpis?{query}", headers=auth_header).get_json()
            assert unit["received"] == api["incidents"]["received"]
            for metric, got in unit["metrics"].items():
                assert got["value"] == api["incidents"][metric], (unit["code"], metric)
                checked += 1
    assert checked == 3 * 3 + 2 * 2
    t1 = next(u for u in model["town"] if u["code"] == "T1")
    assert t1["metrics"]["on_time_rate"]["value"] == 0.75
    assert t1["metrics"]["satisfaction_rate"]["value"] == pytest.approx(2 / 3)


def test_the_model_ranks_and_names_the_bottom(engine):
    apply_entries(engine, NOVEMBER, AFTER)
    model = _bulletin(engine, min_received=2)
    t2, t1, t3 = model["town"]
    assert (t2["code"], t2["score"], t2["rank"], t2["reasons"]) == ("T2", 100.0, 1, [])
    # T1: on time 0.75 -> 40 * 0.25/0.4 = 25; satisfied 2/3 -> 40 * (0.0667/0.4) = 6.67;
    # closure 1.0 -> 20
    assert (t1["score"], t1["rank"]) == (51.67, 2)
    assert [r["metric"] for r in t1["reasons"]] == ["on_time_rate", "satisfaction_rate"]
    assert (t3["rank"], t3["ranked"], t3["received"]) == (None, False, 1)
    assert model["bottom"]["town"] == ["T1", "T2"]
    assert model["window"] == {"start": "2026-11-01", "end": "2026-11-30", "tz": "Asia/Shanghai"}
    assert model["previous_month"] == {"month": "2026-10", "source": "computed"}
    assert t1["change"] == {"score": None, "rank": None}  # T1 had nothing in October
    assert sum(d["received"] for d in model["charts"]["daily"]) == 8
    assert {c["code"]: c["received"] for c in model["charts"]["channels"]} == {
        "hotline_12345": 5,
        "wechat": 3,
    }


def test_generations_are_kept_and_the_latest_serves(engine):
    apply_entries(engine, NOVEMBER, AFTER)
    assert latest(engine, "2026-11") is None
    first, second = (datetime(2026, 12, 1, h, tzinfo=UTC) for h in (0, 3))
    store(engine, {**_bulletin(engine), "generated_at": "first"}, first, "system")
    store(engine, {**_bulletin(engine), "generated_at": "second"}, second, "admin-1")
    assert latest(engine, "2026-11")["generated_at"] == "second"
    assert latest(engine, "2026-11")["generated_by"] == "admin-1"
    assert [(g["month"], g["generated_by"]) for g in generations(engine)] == [
        ("2026-11", "admin-1"),
        ("2026-11", "system"),
    ]
    json.dumps(latest(engine, "2026-11"))  # plain JSON through and through


def test_month_over_month_reads_last_months_kept_bulletin(engine):
    apply_entries(engine, NOVEMBER, AFTER)
    october = build_bulletin(
        engine, load_catalog(engine), "2026-10", RULES, now=clock_now(), tz=TZ, min_received=1
    )
    store(engine, october, AFTER, "system")
    model = _bulletin(engine, min_received=1)
    assert model["previous_month"]["source"] == "kept"
    # Z9 was first of one in October; it has no November unit. T2 has no October unit.
    t2 = next(u for u in model["town"] if u["code"] == "T2")
    assert t2["previous"] == {"score": None, "rank": None}


def test_a_month_not_yet_ended_has_no_bulletin(engine):
    with pytest.raises(BulletinError, match="not ended"):
        _bulletin(engine, at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # 23:00 local


# --- the printed forms: PDF and workbook, from one stored model -------------------------

NAMES = {
    ("town", "T1"): ("一号镇", "Town One"),
    ("town", "T2"): ("二号镇", "Town Two"),
    ("department", "D1"): ("县城管局", "Urban Management"),
    ("county", "c"): ("滨江县", "Binjiang County"),
}


@pytest.fixture
def printed_model(engine) -> dict:
    apply_entries(engine, NOVEMBER, AFTER)
    model = build_bulletin(
        engine, Catalog(NAMES), "2026-11", RULES, now=clock_now(), tz=TZ, min_received=2
    )
    store(engine, model, AFTER, "admin-1")
    return latest(engine, "2026-11")  # the forms render the kept model


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("lang", "title"), [("zh", "滨江县社会治理月度通报"), ("en", "Monthly bulletin")]
)
def test_the_pdf_is_a4_with_its_fonts_embedded(printed_model, tmp_path, lang, title):
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(bulletin_pdf(printed_model, lang))
    info = _run("pdfinfo", str(path))
    assert "(A4)" in info
    # the title block and bottom three, the town ranking, the department ranking, the charts
    assert re.search(r"^Pages:\s+4$", info, re.M)
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the emb column
    assert any("WenQuanYi" in line for line in fonts)
    text = _run("pdftotext", "-layout", str(path), "-")
    assert title.lower() in text.lower()
    assert ("一号镇" if lang == "zh" else "Town One") in text
    assert "51.67" in text  # T1's score, as the model has it


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_workbook_has_numbers_percentages_and_chinese_intact(printed_model):
    book = load_workbook(BytesIO(bulletin_xlsx(printed_model, "zh")))
    assert book.sheetnames == [
        "概况",
        "镇街排名",
        "部门排名",
        "后三名",
        "考核办法",
        "每日受理",
        "来源渠道",
    ]
    towns = book["镇街排名"]
    head = [c.value for c in towns[1]]
    rows = {r[1].value: r for r in towns.iter_rows(min_row=2)}
    t1 = rows["T1"]
    assert t1[head.index("单位")].value == "一号镇"
    assert t1[head.index("受理量")].value == 4
    on_time = t1[head.index("按时办结率")]
    assert (on_time.value, on_time.number_format) == (0.75, "0.0%")
    assert t1[head.index("得分")].value == 51.67
    assert t1[head.index("排名")].value == 2
    assert rows["T3"][head.index("排名")].value == "不排名"
    assert rows["T3"][head.index("回访满意率")].value is None  # a null rate: an empty cell
    assert book["概况"]["B2"].value == "滨江县"
    daily = list(book["每日受理"].iter_rows(min_row=2, values_only=True))
    assert len(daily) == 30 and sum(r[1] for r in daily) == 8
    share = book["来源渠道"]["D2"]
    assert (share.value, share.number_format) == (0.625, "0.0%")


# --- the command ----------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_command_generates_keeps_and_writes_the_forms(engine, settings, tmp_path, capsys):
    from dashboard.bulletin import main

    apply_entries(engine, NOVEMBER, AFTER)
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES_CSV, encoding="utf-8")
    cfg = settings.with_(assessment_path=rules, report_min_received=2)
    xlsx = tmp_path / "b.xlsx"
    argv = ["--month", "2026-11", "--by", "ops", "--xlsx", str(xlsx)]
    assert main([*argv, "--database-url", settings.database_url], cfg) == 0
    assert "bulletin 2026-11 generated" in capsys.readouterr().out
    assert latest(engine, "2026-11")["generated_by"] == "ops"
    assert load_workbook(xlsx)["镇街排名"]["C3"].value == "T1"

    assert main(["--month", "2099-01"], cfg) == 1
    assert "2099-01 has not ended yet" in capsys.readouterr().err
    rules.write_text(RULES_CSV + "town,not_a_rate,10,0.5,0.9\n", encoding="utf-8")
    assert main(["--month", "2026-11"], cfg) == 1
    assert "'not_a_rate' is not a rate the product computes" in capsys.readouterr().err
    assert [g["generated_by"] for g in generations(engine)] == ["ops"]  # failures keep nothing


# --- GET /api/v1/reports ----------------------------------------------------------------


def test_reports_api_lists_generations_and_serves_the_latest(engine, client, auth_header):
    assert client.get("/api/v1/reports").status_code == 401
    assert client.get("/api/v1/reports", headers=auth_header).get_json() == []
    assert client.get("/api/v1/reports/2026-11", headers=auth_header).status_code == 404
    apply_entries(engine, NOVEMBER, AFTER)
    first, second = (datetime(2026, 12, 1, h, tzinfo=UTC) for h in (0, 3))
    store(engine, _bulletin(engine), first, "system")
    store(engine, _bulletin(engine), second, "admin-1")
    listed = client.get("/api/v1/reports", headers=auth_header).get_json()
    assert listed == [
        {
            "month": "2026-11",
            "generated_at": "2026-12-01T11:00:00+08:00",
            "generated_by": "admin-1",
        },
        {"month": "2026-11", "generated_at": "2026-12-01T08:00:00+08:00", "generated_by": "system"},
    ]
    body = client.get("/api/v1/reports/2026-11", headers=auth_header).get_json()
    assert body == latest(engine, "2026-11")
    assert {"month", "generated_at", "window", "town", "department", "bottom"} <= set(body)
    unit = body["town"][0]
    assert set(unit) >= {"code", "name_zh", "name_en", "received", "score", "rank", "ranked"}
    assert set(unit) >= {"metrics", "reasons"}
    xlsx = client.get("/api/v1/reports/2026-11.xlsx?lang=en", headers=auth_header)
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(BytesIO(xlsx.data)).sheetnames[1] == "Towns"


@pytest.mark.parametrize(
    "path",
    ["2026-13", "2026-11.csv", "x", "2026-11.pdf?lang=fr", "2026-11?x=1"],
)
def test_reports_api_refuses_bad_names_and_parameters(client, auth_header, path):
    response = client.get(f"/api/v1/reports/{path}", headers=auth_header)
    assert response.status_code == 400
    assert "error" in response.get_json()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_reports_api_prints_the_pdf(engine, client, auth_header):
    apply_entries(engine, NOVEMBER, AFTER)
    store(engine, _bulletin(engine), AFTER, "system")
    response = client.get("/api/v1/reports/2026-11.pdf", headers=auth_header)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert 'filename="bulletin-2026-11.pdf"' in response.headers["Content-Disposition"]


# --- the settings -----------------------------------------------------------------------


def test_settings_read_and_check_the_bulletins_variables(tmp_path):
    from common.config import ConfigError, load_settings

    rules = tmp_path / "rules.csv"
    rules.write_text(RULES_CSV, encoding="utf-8")
    env = {"CC_DATA_DIR": str(tmp_path), "CC_SECRET_KEY": "k"}
    cfg = load_settings(env)
    assert (cfg.report_min_received, cfg.report_hour) == (30, 8)
    assert cfg.assessment_file.name == "assessment.csv"  # the master data's
    cfg = load_settings(
        {**env, "CC_ASSESSMENT": str(rules), "CC_REPORT_MIN_RECEIVED": "5", "CC_REPORT_HOUR": "7"}
    )
    assert (cfg.assessment_file, cfg.report_min_received, cfg.report_hour) == (rules, 5, 7)
    with pytest.raises(ConfigError, match="CC_REPORT_HOUR"):
        load_settings({**env, "CC_REPORT_HOUR": "24"})
    rules.write_text(RULES_CSV + "town,nope_rate,1,0.1,0.2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="CC_ASSESSMENT.*nope_rate"):
        load_settings({**env, "CC_ASSESSMENT": str(rules)})


# --- the page ---------------------------------------------------------------------------


def _page(app, **query) -> object:
    from dashboard.pages.bulletins import layout

    with app.server.test_request_context("/bulletins"):
        return layout(**query)


def _find(component, cls) -> list:
    found = [component] if isinstance(component, cls) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children else []:
        found += _find(child, cls)
    return found


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_page_shows_the_kept_bulletin_its_files_and_generations(app, engine):
    from dash import html

    empty = _page(app, lang="zh")
    assert not _find(empty, html.Iframe)
    apply_entries(engine, NOVEMBER, AFTER)
    model = _bulletin(engine)
    store(engine, {**model, "month": "2026-10"}, AFTER, "system")
    store(engine, model, AFTER, "admin-1")
    page = _page(app, lang="en")
    (document,) = _find(page, html.Iframe)
    assert document.srcDoc == bulletin_html(latest(engine, "2026-11"), "en")  # as the PDF
    links = {a.id: a.href for a in _find(page, html.A)}
    assert links == {
        "bulletin-pdf": "/api/v1/reports/2026-11.pdf?lang=en",
        "bulletin-xlsx": "/api/v1/reports/2026-11.xlsx?lang=en",
    }
    cells = [c.children for c in _find(page, html.Td)]
    assert cells[:3] == ["November 2026", "2026-12-02 09:00", "admin-1"]
    older = _page(app, month="2026-10", lang="zh")
    assert "2026-10.pdf" in {a.id: a.href for a in _find(older, html.A)}["bulletin-pdf"]
    assert _page(app, month="1999-01")  # an unknown month shows the latest


def _generate_body(month: str) -> dict:
    """The bulletin page's "generate again" request, as Dash's renderer sends it."""
    return {
        "output": "bulletin-message.children",
        "outputs": {"id": "bulletin-message", "property": "children"},
        "inputs": [{"id": "bulletin-generate", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["bulletin-generate.n_clicks"],
        "state": [
            {"id": "bulletin-month", "property": "data", "value": month},
            {"id": "bulletin-lang", "property": "data", "value": "en"},
        ],
    }


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_only_an_admin_generates_again_from_the_page_and_it_is_audited(
    app, engine, signed_in_client
):
    from dash import html

    from data_access.audit import recent

    apply_entries(engine, NOVEMBER, AFTER)
    leader = signed_in_client("leader")
    refused = leader.post("/_dash-update-component", json=_generate_body("2026-11"))
    assert "Only an admin" in refused.get_data(as_text=True)
    assert generations(engine) == []
    admin = signed_in_client("admin")
    done = admin.post("/_dash-update-component", json=_generate_body("2026-11"))
    assert done.status_code == 200 and "Generated at" in done.get_data(as_text=True)
    assert [g["generated_by"] for g in generations(engine)] == ["admin-2"]
    assert [e["target"] for e in recent(engine, "generate_bulletin")] == ["2026-11"]
    failed = admin.post("/_dash-update-component", json=_generate_body("2099-01"))
    assert "Not generated: 2099-01 has not ended yet" in failed.get_data(as_text=True)
    with app.server.test_request_context("/bulletins"):
        from dashboard.pages.bulletins import layout

        assert not _find(layout(lang="en"), html.Button)  # no session here: no admin


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_hostile_code_is_text_in_every_form(engine):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    apply_entries(
        engine,
        [
            reported("h0", "2026-11-03T09:00:00", town=hostile, channel=hostile),
            entry("h0", "dispatched", "2026-11-03T09:10:00", department=hostile),
        ],
        AFTER,
    )
    model = _bulletin(engine, min_received=1)
    assert {u["code"] for u in model["town"]} == {hostile}
    for lang in ("zh", "en"):
        page = bulletin_html(model, lang)
        assert "<script" not in page and "<img" not in page
        assert "&lt;script&gt;" in page
    book = load_workbook(BytesIO(bulletin_xlsx(model, "en")))
    assert book["Towns"]["B2"].value == hostile  # a workbook cell is text, never markup


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_code_that_looks_like_a_formula_stays_text_in_the_workbook(engine):
    formula = '=HYPERLINK("http://x.invalid","click")'
    apply_entries(engine, [reported("f0", "2026-11-03T09:00:00", town=formula)], AFTER)
    book = load_workbook(BytesIO(bulletin_xlsx(_bulletin(engine, min_received=1), "en")))
    cell = book["Towns"]["B2"]
    assert (cell.value, cell.data_type) == (formula, "s")


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_page_draws_the_bulletin_in_a_browser_under_the_csp(engine, signed_in_page):
    apply_entries(engine, NOVEMBER, AFTER)
    at = clock_now()
    model = build_bulletin(engine, Catalog(NAMES), "2026-11", RULES, now=at, tz=TZ, min_received=2)
    store(engine, model, AFTER, "system")
    page = signed_in_page("leader", "/bulletins?lang=zh")
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.reload()
    page.wait_for_selector("#bulletin-document", timeout=60_000)
    frame = page.frame_locator("#bulletin-document")
    assert frame.locator("h1").inner_text(timeout=20_000) == "滨江县社会治理月度通报"
    assert frame.locator("svg").count() >= 3  # the charts
    assert page.locator("#bulletin-pdf").get_attribute("href").endswith("2026-11.pdf?lang=zh")
    assert page.locator("#bulletin-generate").count() == 0  # a leader generates nothing
    assert seen == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_generation_instant_reads_as_a_reader_writes_it(engine):
    """Not the kept ISO form (2026-12-01T11:00:00+08:00): the window's time zone is named
    beside it already."""
    apply_entries(engine, NOVEMBER, AFTER)
    kept = {"generated_at": "2026-12-01T11:00:00+08:00", "generated_by": "system"}
    page = bulletin_html({**_bulletin(engine), **kept}, "zh")
    meta = re.search(r'<p class="meta">(.*?)</p>', page).group(1)
    assert "2026-12-01 11:00 由 system 生成" in meta and "T11" not in meta
