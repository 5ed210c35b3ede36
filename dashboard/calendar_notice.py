"""The admin's notice that next year's working-day calendar is missing (CONTRACT 2: from
1 December until the year is known), with what to do about it: shown to admins at the top
of every page, and printed by `make run` (`python -m dashboard.calendar_notice`)."""

from __future__ import annotations

from datetime import datetime

from common import clock
from common.config import Settings, load_settings
from dashboard.i18n import t
from data_access.health import calendar_status


def notice(cfg: Settings, lang: str, now: datetime | None = None) -> str | None:
    """The notice in `lang`, or None while next year's calendar is known (or it is not
    December yet)."""
    status = calendar_status(cfg, now)
    if status is None or not status["missing_next_year"]:
        return None
    year = clock.local_today(cfg.tz, now).year + 1
    return t("calendar.missing", lang, year=year, file=cfg.calendar_file)


def main() -> None:
    cfg = load_settings()
    for lang in ("zh", "en"):
        text = notice(cfg, lang)
        if text:
            print(f"! {text}")


if __name__ == "__main__":
    main()
