"""The SLA rules (CONTRACT 2): Nh/Nwd limits, the precedence of (category, priority,
channel), CC_SLA_RULES replacing the master data's, the first edition's files."""

from __future__ import annotations

from datetime import datetime

import pytest

from common.config import PROJECT_ROOT
from common.workdays import Calendar, Limit, load_calendar
from data_access.masterdata import load_masterdata
from data_access.sla import Sla, SlaRulesError, load_sla, read_rules
from tests.factories import TZ

RULES = Sla(
    {
        ("noise", "normal", "wechat"): "1h",
        ("noise", "normal", "*"): "2h",
        ("*", "normal", "wechat"): "3h",
        ("*", "normal", "*"): "4h",
        ("*", "high", "*"): "1wd",
    }
)


@pytest.mark.parametrize(
    "category, priority, channel, limit",
    [
        ("noise", "normal", "wechat", Limit(1, "h")),
        ("noise", "normal", "hotline_12345", Limit(2, "h")),
        ("sanitation", "normal", "wechat", Limit(3, "h")),
        ("sanitation", "normal", "hotline_12345", Limit(4, "h")),
        ("noise", "high", "wechat", Limit(1, "wd")),
        ("noise", "urgent", "wechat", Limit(4, "h")),  # the defaults
        ("noise", "low", "wechat", Limit(168, "h")),
    ],
)
def test_the_first_rule_that_matches(category, priority, channel, limit):
    assert RULES.limit(category, priority, channel) == limit


def test_deadlines_in_hours_and_working_days():
    start = datetime(2026, 9, 30, 10, tzinfo=TZ)
    assert RULES.deadline(start, "noise", "normal", "wechat", TZ) == datetime(
        2026, 9, 30, 11, tzinfo=TZ
    )
    assert RULES.deadline(start, "noise", "high", "wechat", TZ) == datetime(
        2026, 10, 9, tzinfo=TZ
    )  # National Day: the next working day is 10-08


def test_a_county_holiday_moves_a_working_day_deadline(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("date,workday\n2026-10-08,0\n")
    sla = Sla({("*", "high", "*"): "1wd"}, load_calendar(path))
    start = datetime(2026, 9, 30, 10, tzinfo=TZ)
    assert sla.deadline(start, "x", "high", "y", TZ) == datetime(2026, 10, 10, tzinfo=TZ)


def test_cc_sla_rules_replace_the_master_datas(engine, settings, tmp_path):
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    assert load_sla(engine).limit("noise", "normal", "wechat") == Limit(3, "wd")
    path = tmp_path / "rules.csv"
    path.write_text("category,priority,channel,limit\nnoise,normal,*,36h\n")
    sla = load_sla(engine, settings.with_(sla_rules_path=path))
    assert sla.limit("noise", "normal", "wechat") == Limit(36, "h")
    assert sla.limit("sanitation", "normal", "wechat") == Limit(72, "h")  # default, not 3wd


def test_load_sla_takes_the_settings_calendar(engine, settings, tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("date,workday\n2027-01-04,0\n")
    assert load_sla(engine, settings.with_(calendar_path=path)).calendar.county
    assert load_sla(engine).calendar == Calendar()


def test_a_first_edition_rules_file_still_reads(tmp_path):
    path = tmp_path / "sla.csv"
    path.write_text("category,priority,hours\n*,normal,72\nnoise,high,12.5\n")
    assert read_rules(path) == [
        {"category": "*", "priority": "normal", "channel": "*", "limit": "72h"},
        {"category": "noise", "priority": "high", "channel": "*", "limit": "12.5h"},
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("category,priority,limit\n", "header"),
        ("category,priority,channel,limit\n*,soon,*,4h\n", ":2: priority"),
        ("category,priority,channel,limit\n*,high,*,4 days\n", ":2: limit"),
        ("category,priority,channel,limit\n,high,*,4h\n", ":2: category and channel"),
    ],
)
def test_a_bad_rules_file_is_refused_with_its_line(tmp_path, text, message):
    path = tmp_path / "sla.csv"
    path.write_text(text)
    with pytest.raises(SlaRulesError, match=message):
        read_rules(path)


def test_the_demo_rules_are_real_practice(engine):
    load_masterdata(engine, PROJECT_ROOT / "masterdata")
    sla = load_sla(engine)
    assert sla.limit("noise", "urgent", "hotline_12345") == Limit(4, "h")
    assert sla.limit("noise", "high", "hotline_12345") == Limit(1, "wd")
    assert sla.limit("noise", "normal", "hotline_12345") == Limit(5, "wd")
    assert sla.limit("noise", "normal", "wechat") == Limit(3, "wd")
    assert sla.limit("illegal_construction", "normal", "wechat") == Limit(15, "wd")
    assert sla.limit("noise", "normal", "grid_patrol") == Limit(5, "wd")


def test_ingest_applies_cc_sla_rules_and_keeps_them_when_the_file_breaks(
    settings, redis_client, engine, tmp_path, caplog
):
    from tests.servers import fast_ingest

    path = tmp_path / "rules.csv"
    path.write_text("category,priority,channel,limit\n*,normal,*,2wd\n")
    ingest = fast_ingest(settings.with_(sla_rules_path=path))
    try:
        ingest._refresh_sla()
        assert ingest.sla.limit("noise", "normal", "wechat") == Limit(2, "wd")
        path.write_text("category,priority,channel,limit\n*,normal,*,two days\n")
        ingest._refresh_sla()
        assert ingest.sla.limit("noise", "normal", "wechat") == Limit(2, "wd")
        assert "SLA rules or calendar not reloaded" in caplog.text
    finally:
        ingest.close()
