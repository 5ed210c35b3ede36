"""Scopes enforced (CONTRACT 2 "Scopes", 3 "Scopes in the API"): whatever a scoped caller
asks, through the API, an export, a page's callback or a hand-edited URL or payload, no
answer holds a case outside their scope; a filter outside it is a 403, a case outside it
not found. The property test runs on one small seeded county (SQLite); the core figures
are checked on PostgreSQL too."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import date, timedelta

import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from common import clock
from common.config import Settings
from common.scope import COUNTY, Scope, parse_scope, using
from dashboard.auth import principal as principal_module
from dashboard.auth.roles import Principal
from dashboard.bulletin_html import bulletin_html
from dashboard.ids import incident as incident_ids
from dashboard.ids import leader as leader_ids
from data_access import figure_cache
from data_access.bulletin import generate, last_ended_month
from data_access.db import make_engine
from data_access.kpis import Filters, Window, kpis, ranked_units
from data_access.models import Community, Department, Dispute, Grid, Incident, Town
from data_access.schema import migrate
from tests.conftest import REDIS_URL
from tests.small_county import seed_small_county

TOKENS = {
    "county": "tok-county",
    "town:Chengdong": "tok-cd",
    "town:Chengbei,Chengdong": "tok-two",
    "department:urban_mgmt": "tok-dept",
}
SCOPES = {text: parse_scope(text) for text in TOKENS}
ORIGIN = {"Origin": "http://localhost"}


class County:
    """The seeded county, its app, and the truth read straight from SQL."""

    def __init__(self, tmp_path) -> None:
        self.url = f"sqlite:///{tmp_path / 'scoped.sqlite'}"
        migrate(self.url)
        self.engine = make_engine(self.url)
        self.now = clock.now()
        with using(COUNTY):
            seed_small_county(self.engine, self.now, incidents=300, disputes=60)
        self.cfg = Settings(
            database_url=self.url,
            redis_url=REDIS_URL,
            stream_prefix=f"test-{uuid.uuid4().hex[:8]}:",
            secret_key="test-secret",
            data_dir=tmp_path,
            api_token="",
            scoped_tokens=tuple((tok, SCOPES[text]) for text, tok in TOKENS.items()),
            rate_limit_api="100000/minute",
            rate_limit_export="100000/minute",
        )
        with self.engine.connect() as conn:
            self.incidents = {
                r.id: (r.town, r.department, r.title)
                for r in conn.execute(
                    select(Incident.id, Incident.town, Incident.department, Incident.title)
                )
            }
            self.disputes = dict(conn.execute(select(Dispute.id, Dispute.town)).all())
            self.towns = [r[0] for r in conn.execute(select(Town.code))]
            self.departments = [r[0] for r in conn.execute(select(Department.code))]
            # every name of a unit, with the town or department it belongs to
            self.town_names = {
                name: code
                for code, zh, en in conn.execute(select(Town.code, Town.name_zh, Town.name_en))
                for name in (zh, en)
            }
            for model in (Community, Grid):
                rows = conn.execute(select(model.town, model.name_zh, model.name_en))
                self.town_names |= {name: town for town, zh, en in rows for name in (zh, en)}
            self.department_names = {
                zh: code for code, zh in conn.execute(select(Department.code, Department.name_zh))
            }
        self.month = last_ended_month(self.now.astimezone(self.cfg.tz).date())
        with using(COUNTY):
            generate(self.engine, self.cfg, self.month, "test", self.now)

    def inside(self, scope: Scope, town: str | None, department: str | None) -> bool:
        if scope.kind == "town":
            return town in scope.codes
        if scope.kind == "department":
            return department in scope.codes
        return True

    def refused(self, scope: Scope, towns, departments) -> bool:
        mine = towns if scope.kind == "town" else departments if scope.kind == "department" else ()
        return bool(set(mine) - set(scope.codes)) if not scope.is_county else False

    def forbidden_names(self, scope: Scope) -> list[str]:
        """Names of units no answer to `scope` may show."""
        if scope.kind == "town":
            return [n for n, town in self.town_names.items() if town not in scope.codes]
        if scope.kind == "department":
            return [n for n, d in self.department_names.items() if d not in scope.codes]
        return []


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    found = County(tmp_path_factory.mktemp("scoped"))
    yield found
    found.engine.dispose()


@pytest.fixture(scope="module")
def app(county):
    """The app, with a person's session standing in for the scope a test header names
    (users' stored scopes are another module's; the gate and everything after are real)."""
    from dashboard import create_app

    app = create_app(county.cfg)
    patch = pytest.MonkeyPatch()

    def from_session(_cfg):
        text = request.headers.get("X-Test-Scope")
        return None if text is None else Principal("user", "tester", "staff", parse_scope(text))

    patch.setattr(principal_module, "from_session", from_session)
    yield app
    patch.undo()


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def _query(towns, departments, **more) -> list[tuple[str, str]]:
    pairs = [("town", t) for t in towns] + [("department", d) for d in departments]
    return pairs + list(more.items())


def _dash_body(app, output_id: str, values: dict) -> dict:
    """A callback request as Dash's renderer sends it, for the callback writing
    `output_id`, its inputs and state taken from `values` {(id, property): value}."""
    key = next(k for k in app.callback_map if f"{output_id}." in k)
    spec = app.callback_map[key]
    fill = lambda items: [  # noqa: E731
        {**i, "value": values.get((i["id"], i["property"]))} for i in items
    ]
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    inputs = fill(spec["inputs"])
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": fill(spec["state"]),
    }


def _check_no_foreign_names(county: County, scope: Scope, text: str) -> None:
    shown = [n for n in county.forbidden_names(scope) if n and n in text]
    assert not shown, f"{scope}: {shown[:5]}"


def _check_api(county, client, scope, endpoint, towns, departments, case_id):
    headers = {"Authorization": f"Bearer {TOKENS[str(scope)]}"}
    refused = county.refused(scope, towns, departments)
    if endpoint == "incident":
        r = client.get(f"/api/v1/incidents/{case_id}", headers=headers)
        town, department, _title = county.incidents[case_id]
        assert r.status_code == (200 if county.inside(scope, town, department) else 404)
        assert "error" in r.get_json() or r.get_json()["incident"]["id"] == case_id
        return
    if endpoint == "report":
        r = client.get(f"/api/v1/reports/{county.month}", headers=headers)
        body = r.get_json()
        assert r.status_code == 200
        for kind in ("town", "department"):
            codes = [u["code"] for u in body[kind]] + body["bottom"][kind]
            if scope.is_county:
                assert body[kind]
            elif scope.kind == kind:
                assert codes and set(codes) <= set(scope.codes)
            else:
                assert codes == []
        _check_no_foreign_names(county, scope, bulletin_html(body, "zh"))  # the page's
        workbook = client.get(f"/api/v1/reports/{county.month}.xlsx", headers=headers)
        with zipfile.ZipFile(io.BytesIO(workbook.data)) as book:
            strings = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
        _check_no_foreign_names(county, scope, strings)
        return
    path = {"kpis": "/api/v1/kpis", "overdue": "/api/v1/overdue", "alerts": "/api/v1/alerts"}
    params = _query(towns, departments, **({"limit": "1000"} if endpoint != "kpis" else {}))
    r = client.get(path[endpoint], query_string=params, headers=headers)
    if refused:
        assert r.status_code == 403 and "outside your scope" in r.get_json()["error"]
        return
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    if endpoint == "kpis":
        # the same figures as the county's with the scope written out as a filter
        narrowed_towns = towns or (scope.codes if scope.kind == "town" else ())
        narrowed_deps = departments or (scope.codes if scope.kind == "department" else ())
        county_headers = {"Authorization": f"Bearer {TOKENS['county']}"}
        plain = client.get(
            "/api/v1/kpis",
            query_string=_query(narrowed_towns, narrowed_deps),
            headers=county_headers,
        ).get_json()
        assert body["incidents"] == plain["incidents"] and body["backlog"] == plain["backlog"]
        if scope.sees_disputes:
            assert body["disputes"] == plain["disputes"]
        else:
            assert body["disputes"]["accepted"] == 0
        return
    for item in body["items"]:
        town, department, _title = county.incidents[item["id"]]
        assert county.inside(scope, town, department), item["id"]


def _check_export(county, client, scope, kind, towns, departments):
    if kind == "disputes":
        departments = ()  # not a filter of disputes: a 400 "unknown parameter"
    headers = {"X-Test-Scope": str(scope)}
    r = client.get(f"/export/{kind}.csv", query_string=_query(towns, departments), headers=headers)
    if county.refused(scope, towns, departments):
        assert r.status_code == 403 and b"outside your scope" in r.data
        return
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))[1:]
    for row in rows:
        if kind == "incidents":
            town, department, _title = county.incidents[row[0]]
            assert county.inside(scope, town, department), row[0]
        else:
            assert scope.sees_disputes and county.inside(scope, county.disputes[row[0]], None)


def _check_leader(county, app, client, scope, output_id, towns, departments):
    search = "?" + "&".join(f"{k}={v}" for k, v in _query(towns, departments, period="30d"))
    values = {(leader_ids.VIEW, "data"): search, (leader_ids.MEASURE, "value"): "closure"}
    body = _dash_body(app, output_id, values)
    r = client.post(
        "/_dash-update-component", json=body, headers={**ORIGIN, "X-Test-Scope": str(scope)}
    )
    if county.refused(scope, towns, departments):
        assert r.status_code == 403 and "outside your scope" in r.get_json()["error"]
        return
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    _check_no_foreign_names(county, scope, json.dumps(r.get_json(), ensure_ascii=False))


def _check_incident_page(county, app, client, scope, case_id):
    values = {
        (incident_ids.ID, "data"): case_id,
        (incident_ids.VERSION, "data"): 1,
        (incident_ids.LANG, "data"): "en",
    }
    body = _dash_body(app, incident_ids.STATE, values)
    r = client.post(
        "/_dash-update-component", json=body, headers={**ORIGIN, "X-Test-Scope": str(scope)}
    )
    assert r.status_code in (200, 204)
    town, department, title = county.incidents[case_id]
    if not county.inside(scope, town, department):
        assert title not in r.get_data(as_text=True)


ENDPOINTS = (
    "kpis", "overdue", "alerts", "incident", "report",
    "export:incidents", "export:disputes",
    f"leader:{leader_ids.RANK_TOWN}", f"leader:{leader_ids.MATRIX}", f"leader:{leader_ids.MAP}",
    f"leader:{leader_ids.TILES}", "incident_page",
)  # fmt: skip


@st.composite
def requests_(draw, county: County):
    scope = SCOPES[draw(st.sampled_from(sorted(SCOPES)))]
    endpoint = draw(st.sampled_from(ENDPOINTS))
    towns = draw(st.lists(st.sampled_from([*county.towns, "Nowhere"]), max_size=2, unique=True))
    departments = draw(
        st.lists(st.sampled_from([*county.departments, "nobody"]), max_size=2, unique=True)
    )
    case_id = draw(st.sampled_from(sorted(county.incidents)))
    return scope, endpoint, tuple(towns), tuple(departments), case_id


def test_no_answer_holds_a_case_outside_the_scope(county, app, client):
    """Every API endpoint, export and leader callback, with filters and ids drawn from
    the whole county (and unknown ones): a 403 for a filter outside the scope, else no
    row, unit or name outside it; the figures are the county's with the scope as filter."""

    @settings(
        max_examples=70,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requests_(county))
    def check(drawn):
        scope, endpoint, towns, departments, case_id = drawn
        if endpoint.startswith("export:"):
            _check_export(county, client, scope, endpoint[7:], towns, departments)
        elif endpoint.startswith("leader:"):
            _check_leader(county, app, client, scope, endpoint[7:], towns, departments)
        elif endpoint == "incident_page":
            _check_incident_page(county, app, client, scope, case_id)
        else:
            _check_api(county, client, scope, endpoint, towns, departments, case_id)

    check()


def test_each_scope_sees_its_own_cases_at_least_once(county, client):
    """The property above must be able to fail: a scoped caller does get rows, and an
    incident of another town is a 404 while the county's token finds it."""
    scope = SCOPES["town:Chengdong"]
    headers = {"Authorization": f"Bearer {TOKENS['town:Chengdong']}"}
    body = client.get("/api/v1/alerts?limit=1000", headers=headers).get_json()
    assert body["items"] and {i["town"] for i in body["items"]} == {"Chengdong"}
    other = next(i for i, (town, _d, _t) in county.incidents.items() if town != "Chengdong")
    assert client.get(f"/api/v1/incidents/{other}", headers=headers).status_code == 404
    county_headers = {"Authorization": f"Bearer {TOKENS['county']}"}
    assert client.get(f"/api/v1/incidents/{other}", headers=county_headers).status_code == 200
    assert not county.refused(scope, ("Chengdong",), ("urban_mgmt",))


def test_pages_refuse_a_link_outside_the_scope_and_name_the_scope(county, app):
    from callbacks.leader import render_tiles
    from callbacks.shell import render_header
    from dashboard.pages import disputes, leader, mediation

    with app.server.test_request_context("/"), using(SCOPES["town:Chengdong"]):
        refused = str(leader.layout(town="Chengbei", lang="zh"))
        assert "超出您的数据范围" in refused and "Chengbei" in refused
        assert "leader-tiles" not in refused
        assert "leader-tiles" in str(leader.layout(town="Chengdong", lang="zh"))
        header = str(render_header("/", "?lang=zh"))
        assert "城东街道 · 本街道数据" in header
    with app.server.test_request_context("/"), using(SCOPES["department:urban_mgmt"]):
        for page in (mediation, disputes):
            assert "不含矛盾纠纷" in str(page.layout(lang="zh"))
        assert "this department's data" in str(render_header("/", "?lang=en"))
        tiles, _backlog, _window, _as_of = render_tiles("?period=30d&lang=en")
        assert "Disputes accepted" not in str(tiles) and "Received" in str(tiles)
    with app.server.test_request_context("/"), using(SCOPES["town:Chengbei,Chengdong"]):
        assert "城北街道、城东街道 · 本镇街数据" in str(render_header("/", "?lang=zh"))
    with app.server.test_request_context("/"), using(COUNTY):
        assert "数据" not in str(render_header("/", "?lang=zh"))


def test_a_cached_figure_is_never_another_scopes(county):
    """The figure cache keys by scope: the same name and parts under two scopes are two
    computations, each answered its own."""
    name, parts = f"test.scope.{uuid.uuid4().hex}", ["same"]
    answers = {}
    for text in ("town:Chengdong", "department:urban_mgmt", "town:Chengdong", "county"):
        with using(SCOPES[text]):
            answers.setdefault(text, []).append(
                figure_cache.shared(county.cfg, name, parts, county.now, lambda t=text: t)
            )
    assert answers == {
        "town:Chengdong": ["town:Chengdong", "town:Chengdong"],
        "department:urban_mgmt": ["department:urban_mgmt"],
        "county": ["county"],
    }


@pytest.mark.no_scope
def test_no_scope_set_fails_loudly(county):
    """The data layer never falls back to the county: with no scope it raises."""
    window = Window(date.today() - timedelta(days=7), date.today())
    with pytest.raises(LookupError):
        kpis(county.engine, window, Filters(), county.now)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_core_figures_on_postgresql(engine):
    """The scope narrows the summaries' figures on PostgreSQL as a filter would, and a
    town scope ranks its own grids."""
    now = clock.now()
    seed_small_county(engine, now, incidents=200, disputes=20)
    window = Window((now - timedelta(days=30)).date(), now.date())
    as_filter = kpis(engine, window, Filters(towns=("Chengdong",)), now)
    with using(Scope("town", ("Chengdong",))):
        scoped = kpis(engine, window, Filters(), now)
        grids = ranked_units(engine, "grid", "closure", window, Filters(), now)
    assert scoped == as_filter and scoped["incidents"]["received"] > 0
    keys = [r["key"] for r in grids["ranked"]] + grids["no_cases"]
    assert keys and all(k.startswith("CD-") for k in keys)
    with using(Scope("department", ("urban_mgmt",))):
        departments = kpis(engine, window, Filters(), now)
    assert (
        departments["incidents"]
        == kpis(engine, window, Filters(departments=("urban_mgmt",)), now)["incidents"]
    )
    assert departments["disputes"]["accepted"] == 0
