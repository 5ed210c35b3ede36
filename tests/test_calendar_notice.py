"""Admins are told, from 1 December, that next year's working-day calendar is missing,
with what to do; others are not, and nobody before December."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common import clock
from common.workdays import PACKAGE_YEARS
from dashboard.calendar_notice import notice
from tests.conftest import header_request

LAST = max(PACKAGE_YEARS)  # the shipped calendar.csv adds no later year
HEADER = header_request("?lang=zh")


@pytest.fixture
def at():
    def move(instant: datetime) -> None:
        clock.set_offset(instant - datetime.now(UTC))

    yield move
    clock.set_offset(timedelta(0))


def test_the_notice_says_which_year_and_what_to_do(settings):
    december = datetime(LAST, 12, 3, 2, 0, tzinfo=UTC)
    text = notice(settings, "en", december)
    assert str(LAST + 1) in text and "pip install -U chinesecalendar" in text
    assert str(settings.calendar_file) in text
    assert f"{LAST + 1}年" in notice(settings, "zh", december)
    assert notice(settings, "en", datetime(LAST, 11, 30, 2, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_admins_see_it_on_every_page_from_december(signed_in_client, at):
    admin, staff = signed_in_client("admin"), signed_in_client("staff")
    at(datetime(LAST, 12, 3, 2, 0, tzinfo=UTC))
    shown = admin.post("/_dash-update-component", json=HEADER).get_data(as_text=True)
    assert "cc-admin-notice" in shown and f"{LAST + 1}年的节假日安排尚未载入" in shown
    hidden = staff.post("/_dash-update-component", json=HEADER).get_data(as_text=True)
    assert "cc-admin-notice" not in hidden
    at(datetime(LAST, 11, 30, 2, 0, tzinfo=UTC))
    november = admin.post("/_dash-update-component", json=HEADER).get_data(as_text=True)
    assert "cc-admin-notice" not in november
