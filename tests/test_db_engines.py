"""The engines' per-role settings on a real PostgreSQL (data_access.db)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from data_access.db import make_engine


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_web_tiers_reads_start_parallel_workers_for_long_scans_only(db_url):
    """A reader's connections cost a parallel plan ten times the default, so short reads
    run alone; the writers (ingest, the seeder) keep the server's setting."""
    setting = text("SELECT current_setting('parallel_setup_cost')::float")
    found = {}
    for reader in (True, False):
        engine = make_engine(db_url, reader=reader)
        with engine.connect() as conn:
            found[reader] = conn.execute(setting).scalar_one()
        engine.dispose()
    assert found == {True: 10000.0, False: 1000.0}
