"""A small seeded county for list, page and export tests: the demo's master data and a
60-day history of a few hundred incidents, written by demo.seed's own functions."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Engine

from common.config import PROJECT_ROOT
from data_access.masterdata import load_masterdata, load_sla
from demo.county import Model, load_model
from demo.seed import seed_history
from tests.factories import TZ

MASTERDATA = PROJECT_ROOT / "masterdata"


@cache
def _model() -> Model:
    return load_model(MASTERDATA)


def seed_small_county(engine: Engine, now: datetime, incidents: int = 400, disputes: int = 60):
    load_masterdata(engine, MASTERDATA)
    return seed_history(
        engine,
        _model(),
        load_sla(engine),
        TZ,
        now,
        incidents,
        disputes,
        show_progress=False,
        days=60,
    )
