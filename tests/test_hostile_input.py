"""Hostile input never makes a 5xx: every route and parameter gets a corpus of values a
prober sends (NUL bytes, other scripts' digits, days in year 1 and 9999, huge numbers and
strings), on SQLite and on PostgreSQL (which refuses NUL bytes and INTEGER overflow where
SQLite does not). Bad input answers 400/404/413 with a message; under /api/ in JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from common.clock import local_today
from dashboard import api_params, list_params, request_limits
from dashboard.api_params import BadParameter
from dashboard.auth.cookies import KIOSK_COOKIE, kiosk_credentials
from dashboard.links import view_from_query
from dashboard.period import PERIODS, comparison_unit, period_window
from data_access.comparisons import last_year_window, previous_window
from data_access.db import make_engine
from tests.factories import TZ, apply_entries, reported
from tests.small_county import MASTERDATA

HOSTILE = (
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "²",  # a digit to str.isdigit(), not to int()
    "٣",  # ARABIC-INDIC DIGIT THREE: a digit to int() too
    "0001-01-01",
    "9999-12-31",
    "-1",
    str(2**31),
    str(2**64),
    "'; DROP TABLE incidents; --",
    "😀",
    "x" * 1025,
)
EXTREME_DAYS = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31", "1899-12-31", "3000-01-01")
KPIS_PARAMS = ("start", "end", "town", "category", "channel", "department", "unknown")
OVERDUE_PARAMS = ("town", "department", "category", "limit")


def _problems(response, where: str) -> list[str]:
    """Nothing at or above 500, and under /api/ every refusal is JSON {"error": "..."}."""
    found = []
    if response.status_code >= 500:
        found.append(f"{where}: {response.status_code}")
    if where.startswith("/api/") and response.status_code >= 400:
        body = response.get_json(silent=True)
        if not (isinstance(body, dict) and isinstance(body.get("error"), str)):
            found.append(f"{where}: {response.status_code} without a JSON error")
    return found


def _get(client, path: str, query, **kwargs) -> list[str]:
    response = client.get(path, query_string=query, **kwargs)
    response.get_data()  # a streamed body runs to its end here
    return _problems(response, f"{path}?{query!r}")


@pytest.fixture
def seeded(settings):
    """A few incidents in towns of the demo master data, so queries have rows to read."""
    from data_access.masterdata import load_masterdata

    engine = make_engine(settings.database_url)
    load_masterdata(engine, MASTERDATA)
    now = datetime.now(UTC)
    at = (now - timedelta(days=3)).astimezone(TZ).replace(tzinfo=None).isoformat("T", "seconds")
    apply_entries(engine, [reported("E-1", at, town="Chengdong"), reported("E-2", at)], now)
    yield engine
    engine.dispose()


# --- the parsers, one by one ---


@pytest.mark.parametrize("raw", ["²", "٣", "١٠", "0", "1001", "-1", "+5", " 5", str(2**64), ""])
def test_limit_refuses_what_is_not_an_ascii_number_in_range(raw):
    with pytest.raises(BadParameter, match="limit"):
        api_params.limit(MultiDict({"limit": raw}))


@pytest.mark.parametrize("raw", EXTREME_DAYS + ("20261101", "2026-W01", "２０２６-11-01"))
def test_days_outside_the_supported_range_or_form_are_refused(raw):
    with pytest.raises(BadParameter, match="start"):
        api_params.window(MultiDict({"start": raw, "end": "2026-11-25"}), date(2026, 11, 25))
    with pytest.raises(BadParameter, match="reported_from"):
        list_params.incident_query(MultiDict({"reported_from": raw}), date(2026, 11, 25))


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\r\n", "\x7f", "x" * 1025])
def test_every_list_parameter_refuses_control_characters_and_huge_values(value):
    today = date(2026, 11, 25)
    for name in sorted(list_params.INCIDENT_PARAMS):
        with pytest.raises(BadParameter):
            list_params.incident_query(MultiDict({name: value}), today)
    for name in sorted(list_params.DISPUTE_PARAMS):
        with pytest.raises(BadParameter):
            list_params.dispute_query(MultiDict({name: value}), today)
    with pytest.raises(BadParameter):
        api_params.reject_unknown(MultiDict({"town": value}), {"town"})


def test_filters_count_empty_values_against_their_maximum():
    """The OpenAPI document's maxItems counts every value given, empty ones too
    (schemathesis sent 51 departments, one of them empty, and got a 200)."""
    given = MultiDict([("department", ""), *(("department", f"D{i}") for i in range(50))])
    with pytest.raises(BadParameter, match="at most 50"):
        api_params.filters(given)
    assert len(api_params.filters(MultiDict([("department", "D1")] * 50)).departments) == 50


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("days", [("0001-01-01", "0001-01-05"), ("9999-12-25", "9999-12-31")])
def test_page_periods_far_in_the_past_or_future_fall_back_and_compare(period, days):
    view = view_from_query({"period": period, "start": days[0], "end": days[1]}, "en")
    today = date(2026, 11, 25)
    window = view.window(today)
    assert window.end <= today
    previous_window(window, comparison_unit(period)), last_year_window(window)  # no overflow
    start, end = date.fromisoformat(days[0]), date.fromisoformat(days[1])
    assert period_window("custom", today, start, end).end == today


def test_page_filters_drop_control_characters():
    view = view_from_query({"town": ["A", "B\x00"], "category": "\x00"}, "en")
    assert view.filters.towns == ("A",) and view.filters.categories == ()


@pytest.mark.parametrize(
    "value",
    ["².abc", "٣.abc", f"{2**31}.abc", "99999999999999999999.abc", "-1.abc", "1.", ".abc", ""],
)
def test_kiosk_cookies_that_cannot_name_a_kiosk_are_no_credentials(value):
    assert kiosk_credentials(value) is None


def test_kiosk_cookie_parses_a_real_one():
    assert kiosk_credentials(f"{2**31 - 1}.s3cret.x") == (2**31 - 1, "s3cret.x")


# --- every route, on both databases ---


def test_api_answers_hostile_values_with_json_errors(client, auth_header, seeded):
    problems = []
    for value in HOSTILE:
        for name in KPIS_PARAMS:
            problems += _get(client, "/api/v1/kpis", {name: value}, headers=auth_header)
        for name in OVERDUE_PARAMS:
            problems += _get(client, "/api/v1/overdue", {name: value}, headers=auth_header)
        path = "/api/v1/incidents/" + value.replace("%", "%25").replace("/", "%2F")
        problems += _get(client, path, {}, headers=auth_header)
        problems += _get(client, "/api/v1/openapi.json", {"x": value}, headers=auth_header)
    for start in EXTREME_DAYS:
        query = {"start": start, "end": start}
        response = client.get("/api/v1/kpis", query_string=query, headers=auth_header)
        assert response.status_code == 400, start
        assert "start" in response.get_json()["error"]
    assert problems == []


def test_limit_with_a_superscript_digit_is_a_400(client, auth_header):
    response = client.get("/api/v1/overdue?limit=²", headers=auth_header)
    assert response.status_code == 400
    assert "limit" in response.get_json()["error"]


def test_nul_bytes_answer_400_with_a_message_everywhere(client, auth_header):
    for path in ("/api/v1/kpis", "/api/v1/overdue", "/api/v1/incidents/a%00b", "/health"):
        response = client.get(path, query_string={"town": "a\x00b"}, headers=auth_header)
        assert response.status_code == 400, path
        assert "control character" in response.get_json()["error"]
    page = client.get("/incidents", query_string={"town": "\x00"})
    assert page.status_code == 400
    assert "控制字符" in page.get_data(as_text=True)


def test_exports_validate_every_parameter_before_streaming(signed_in_client, seeded):
    client = signed_in_client("staff")
    exports = {
        "/export/incidents.csv": list_params.INCIDENT_PARAMS,
        "/export/disputes.csv": list_params.DISPUTE_PARAMS,
    }
    problems = []
    for path, names in exports.items():
        for name in sorted(names):
            for value in HOSTILE:
                query = {name: value, **({"set": "received"} if name in ("start", "end") else {})}
                problems += _get(client, path, query)
        for day in EXTREME_DAYS:
            kpi_set = "accepted" if "disputes" in path else "received"
            query = {"set": kpi_set, "start": day, "end": day}
            response = client.get(path, query_string=query)
            assert response.status_code == 400, (path, day)
            assert "start" in response.get_json()["error"]
    response = client.get("/export/incidents.csv", query_string={"town": "a\x00b"})
    assert response.status_code == 400
    assert "control character" in response.get_json()["error"]
    assert problems == []


def test_list_page_layouts_show_a_message_for_hostile_values(app, seeded):
    """Every value is parsed without an exception; a NUL in any parameter is refused
    with its message, never handed to the grid's queries."""
    from dashboard.pages import disputes, incidents, leader, mediation

    with app.server.test_request_context("/"):
        for value in HOSTILE:
            for name in sorted(list_params.INCIDENT_PARAMS - {"lang"}):
                shown = str(incidents.layout(**{name: value}))
                assert "\x00" not in value or "control character" in shown, name
            for name in sorted(list_params.DISPUTE_PARAMS - {"lang"}):
                shown = str(disputes.layout(**{name: value}))
                assert "\x00" not in value or "control character" in shown, name
            for page in (leader, mediation):
                page.layout(period="custom", start=value, end=value, town=value)


def test_leader_data_of_hostile_views_reads_no_bad_window(app, settings, seeded):
    from callbacks import leader_data

    at = datetime.now(UTC)
    for start, end in [("0001-01-01", "0001-01-05"), ("9999-12-25", "9999-12-31")]:
        query = {"period": "custom", "start": start, "end": end, "town": "\x00"}
        view = view_from_query(query, "en")
        found = leader_data.tiles_data.__wrapped__(seeded, settings, view, at)
        assert found["window"].end == local_today(settings.tz, at)


@pytest.mark.parametrize(
    "cookie", ["².abc", "٣.abc", f"{2**31}.abc", "99999999999999999999.abc", "1\x00.abc"]
)
def test_hostile_kiosk_cookies_need_no_sign_in_to_be_refused(client, cookie):
    client.set_cookie(KIOSK_COOKIE, cookie)
    assert client.get("/").status_code == 302  # to the sign-in page
    response = client.get("/api/v1/kpis")
    assert response.status_code == 401
    assert response.get_json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/nope/x.js",
        "/_dash-component-suites/dash/nope.js",
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/plotly/package_data/nope.min.js",
    ],
)
def test_unknown_component_suite_files_are_404_without_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/", "/api/v1/", "/api/v1/nope", "/api/v2/kpis"])
def test_unknown_api_paths_answer_a_json_404(client, auth_header, path):
    response = client.get(path, headers=auth_header)
    assert response.status_code == 404
    assert response.get_json()["error"]
    stranger = client.get(path)
    assert stranger.status_code in (401, 404)
    assert stranger.get_json()["error"]


def test_request_bodies_are_capped_with_a_413(client):
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    big = b"x" * (request_limits.MAX_BODY_BYTES + 1)
    callback = client.post("/_dash-update-component", data=big, content_type="application/json")
    assert callback.status_code == 413
    assert "larger than" in callback.get_json()["error"]
    form = client.post("/auth/login", data={"username": "u", "password": "x" * len(big)})
    assert form.status_code == 413
    assert "字节" in form.get_data(as_text=True)


def test_each_query_parameter_and_their_number_are_capped(client, auth_header):
    long_value = {"town": "x" * (request_limits.MAX_PARAM_CHARS + 1)}
    many = [("town", str(n)) for n in range(request_limits.MAX_PARAMS + 1)]
    for query in (long_value, many):
        api = client.get("/api/v1/kpis", query_string=query, headers=auth_header)
        assert api.status_code == 400
        assert "too long or too many" in api.get_json()["error"]
        page = client.get("/", query_string=query)
        assert page.status_code == 400
        assert "查询参数" in page.get_data(as_text=True)


SHELL_CALLBACK = {
    "output": "shell-header.children",
    "outputs": {"id": "shell-header", "property": "children"},
    "inputs": [
        {"id": "shell-url", "property": "pathname", "value": "/"},
        {"id": "shell-url", "property": "search", "value": ""},
    ],
    "changedPropIds": ["shell-url.pathname"],
    "state": [],
}


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        "x",
        None,
        {"output": 1},
        {"output": "nope.children"},
        {**SHELL_CALLBACK, "inputs": "y"},
        {**SHELL_CALLBACK, "inputs": [5, 6]},
        {**SHELL_CALLBACK, "inputs": SHELL_CALLBACK["inputs"][:1]},
        {**SHELL_CALLBACK, "state": [{"id": "x"}]},
        {**SHELL_CALLBACK, "outputs": 3},
        {**SHELL_CALLBACK, "changedPropIds": [1]},
    ],
)
def test_callback_requests_no_renderer_sends_are_a_400(signed_in_client, body):
    staff = signed_in_client("staff")
    response = staff.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("bad callback request")
    assert staff.post("/_dash-update-component", json=SHELL_CALLBACK).status_code == 200
