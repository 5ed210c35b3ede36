"""The second edition's settings (CONTRACT section 4)."""

from __future__ import annotations

import pytest

from common.config import ConfigError, load_settings
from common.workdays import Limit


def test_second_edition_defaults(tmp_path):
    settings = load_settings({"CC_DATA_DIR": str(tmp_path)})
    assert settings.sign_limit == Limit(1, "wd")
    assert settings.contact_limit == Limit(24, "h")
    assert settings.red_hours == 24.0
    assert settings.sla_rules_path is None and settings.calendar_path is None
    assert settings.calendar_file == settings.masterdata_dir / "calendar.csv"


def test_second_edition_settings_read(tmp_path):
    rules, calendar = tmp_path / "sla.csv", tmp_path / "cal.csv"
    rules.write_text("category,priority,channel,limit\n")
    calendar.write_text("date,workday\n")
    settings = load_settings(
        {
            "CC_DATA_DIR": str(tmp_path),
            "CC_SLA_RULES": str(rules),
            "CC_CALENDAR": str(calendar),
            "CC_SIGN_LIMIT": "2h",
            "CC_CONTACT_LIMIT": "1wd",
            "CC_RED_HOURS": "48",
        }
    )
    assert settings.sla_rules_path == rules and settings.calendar_file == calendar
    assert (settings.sign_limit, settings.contact_limit) == (Limit(2, "h"), Limit(1, "wd"))
    assert settings.red_hours == 48.0


@pytest.mark.parametrize(
    "name, value",
    [
        ("CC_SIGN_LIMIT", "1 day"),
        ("CC_CONTACT_LIMIT", "-2h"),
        ("CC_RED_HOURS", "lots"),
        ("CC_SLA_RULES", "/nonexistent/sla.csv"),
        ("CC_CALENDAR", "/nonexistent/calendar.csv"),
    ],
)
def test_bad_second_edition_settings_name_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({"CC_DATA_DIR": str(tmp_path), name: value})


def test_failover_settings_unset_change_nothing(tmp_path):
    settings = load_settings({"CC_DATA_DIR": str(tmp_path)})
    assert settings.redis_sentinels == () and settings.redis_service == "cc"
    assert settings.database_replica_url is None


def test_failover_settings_read(tmp_path):
    settings = load_settings(
        {
            "CC_DATA_DIR": str(tmp_path),
            "CC_REDIS_SENTINELS": "10.0.0.1:26379, sentinel-b:26380,[::1]:26381",
            "CC_REDIS_SERVICE": "county",
            "CC_DATABASE_URL": "postgresql+psycopg://cc@10.0.0.2/cc",
            "CC_DATABASE_REPLICA_URL": "postgresql://reader@10.0.0.3/cc",
        }
    )
    assert settings.redis_sentinels == (
        ("10.0.0.1", 26379),
        ("sentinel-b", 26380),
        ("::1", 26381),
    )
    assert settings.redis_service == "county"
    assert settings.database_replica_url == "postgresql://reader@10.0.0.3/cc"


@pytest.mark.parametrize("value", ["10.0.0.1", "10.0.0.1:port", ":26379", "h:0", "h:70000"])
def test_bad_sentinels_name_the_variable(tmp_path, value):
    with pytest.raises(ConfigError, match="CC_REDIS_SENTINELS"):
        load_settings({"CC_DATA_DIR": str(tmp_path), "CC_REDIS_SENTINELS": value})


def test_a_replica_of_another_kind_of_database_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="CC_DATABASE_REPLICA_URL"):
        load_settings(
            {"CC_DATA_DIR": str(tmp_path), "CC_DATABASE_REPLICA_URL": "postgresql://r/cc"}
        )
