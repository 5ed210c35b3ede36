"""The staged seeder: a killed build resumes to the same rows, stages run as chosen,
finished stages are cached, and a build that will not fit the disk is refused."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from common import clock
from common.config import PROJECT_ROOT
from data_access.db import make_engine
from data_access.masterdata import load_masterdata, load_sla
from data_access.schema import migrate
from demo import seed_disk, seed_progress
from demo.county import load_model
from demo.history import SHANGHAI
from demo.seed import SeedRefused, check_disk, run, seed_history
from demo.seed_progress import STAGES, Plan, Reach
from tests.conftest import _fresh_pg_schema
from tests.test_seed import dump

INCIDENTS, DISPUTES, SEED = 3000, 300, 4


def _reach(url: str) -> tuple[Plan, dict[str, Reach]] | None:
    engine = make_engine(url)
    with engine.connect() as conn:
        recorded = seed_progress.load(conn)
    engine.dispose()
    return recorded


def _seed_command(url: str, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "demo.seed", "--database-url", url,
        "--incidents", str(INCIDENTS), "--disputes", str(DISPUTES), "--seed", str(SEED),
        *extra,
    ]  # fmt: skip


def _children(pid: int) -> set[int]:
    """Direct children of `pid`, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def other_url(db_url, request, tmp_path) -> str:
    """A second empty, migrated database of the same dialect."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    else:
        url = _fresh_pg_schema(request.getfixturevalue("pg_database"))
    migrate(url)
    return url


def test_a_killed_build_resumes_to_the_rows_of_an_unbroken_one(db_url, other_url, tmp_path):
    env = {**os.environ, "CC_DATA_DIR": str(tmp_path)}
    build = subprocess.Popen(
        _seed_command(db_url, "--workers", "2", "--chunk", "100"),
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and build.poll() is None:
        workers |= _children(build.pid)
        recorded = _reach(db_url) if workers else None
        if recorded and recorded[1]["incidents"].done:
            break
        time.sleep(0.05)
    # stopped first, so its workers finish what they hold and sit waiting for more
    build.send_signal(signal.SIGSTOP)
    time.sleep(1.5)
    build.send_signal(signal.SIGKILL)
    assert build.wait(30) == -signal.SIGKILL
    plan, reach = _reach(db_url)
    assert 0 < reach["incidents"].done < INCIDENTS  # killed after a commit, mid-way
    assert not any(r.finished for r in reach.values())
    # idle or busy, the pool's workers do not outlive the seeder
    gone_by = time.monotonic() + 15
    while time.monotonic() < gone_by and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert workers and not any(_alive(pid) for pid in workers)

    resumed = subprocess.run(
        _seed_command(db_url, "--workers", "1", "--chunk", "100"),
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"incidents: resuming after {reach['incidents'].last_day}" in resumed.stderr
    again_plan, again = _reach(db_url)
    assert again_plan == plan  # the recorded instant, not the resumed run's clock
    assert all(r.finished for r in again.values())
    assert (again["incidents"].done, again["disputes"].done) == (INCIDENTS, DISPUTES)

    unbroken = make_engine(other_url)
    load_masterdata(unbroken, PROJECT_ROOT / "masterdata")
    model = load_model(PROJECT_ROOT / "masterdata", SEED)
    result = seed_history(
        unbroken, model, load_sla(unbroken), SHANGHAI, plan.until, INCIDENTS, DISPUTES,
        SEED, show_progress=False,
    )  # fmt: skip
    assert result.stages == list(STAGES)
    resumed_engine = make_engine(db_url)
    assert dump(resumed_engine) == dump(unbroken)
    resumed_engine.dispose()
    unbroken.dispose()


def _analyzed(engine) -> bool:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            has_stats = conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            ).scalar()
            return bool(has_stats) and bool(
                conn.execute(
                    text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'incidents'")
                ).scalar()
            )
        tuples = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'incidents'::regclass")
        ).scalar()
        return tuples == conn.execute(text("SELECT count(*) FROM incidents")).scalar()


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def test_stages_run_as_chosen_and_finished_ones_are_cached(db_url, settings):
    engine = make_engine(db_url)
    first = run(settings, 400, 40, seed=3, show_progress=False, stages=["incidents"])
    assert first.stages == ["incidents"] and (first.incidents, first.disputes) == (400, 0)
    assert (_count(engine, "incidents"), _count(engine, "disputes")) == (400, 0)
    assert _count(engine, "incident_daily") == 0  # summaries did not run
    if engine.dialect.name == "sqlite":
        assert not _analyzed(engine)

    with pytest.raises(SeedRefused, match="needs disputes, summaries"):
        run(settings, 400, 40, seed=3, show_progress=False, stages=["analyze"])
    with pytest.raises(SeedRefused, match="unfinished build of 400 incidents"):
        run(settings, 500, 40, seed=3, show_progress=False, stages=["disputes"])

    second = run(settings, 400, 40, seed=3, show_progress=False, stages=["disputes", "summaries"])
    assert second.stages == ["disputes", "summaries"] and second.disputes == 40
    assert _count(engine, "disputes") == 40 and _count(engine, "incident_daily") > 0

    rest = run(settings, 400, 40, seed=3, show_progress=False)  # the default: every stage
    assert rest.stages == ["analyze"] and not rest.skipped
    assert _analyzed(engine)
    before = dump(engine)
    again = run(settings, 400, 40, seed=3, show_progress=False)
    assert again.skipped and again.stages == []
    assert dump(engine) == before
    engine.dispose()


def test_history_without_a_record_counts_as_finished(db_url, settings):
    """A database seeded before stages were recorded is left alone, as before."""
    run(settings, 300, 30, seed=5, show_progress=False)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM seed_progress"))
    before = dump(engine)
    again = run(settings, 300, 30, seed=5, show_progress=False, stages=["incidents"])
    assert again.skipped
    assert dump(engine) == before and _reach(db_url) is None
    engine.dispose()


def test_the_disk_decision():
    assert seed_disk.shortfall(10_000, 4_000) == 6_000
    assert seed_disk.shortfall(4_000, 10_000) == 0
    assert seed_disk.estimate("sqlite", 0, 0) == 0
    small, large = (seed_disk.estimate("postgresql", n, n // 16) for n in (10**5, 10**6))
    assert (
        9
        < (large - seed_disk.WAL_ROOM["postgresql"]) / (small - seed_disk.WAL_ROOM["postgresql"])
        < 11
    )


def test_a_build_larger_than_the_free_disk_is_refused(tmp_path, db_url):
    engine = make_engine(db_url)
    path = seed_disk.data_path(engine)
    assert path is not None and path.is_dir()  # SQLite's folder, the local server's data
    free = seed_disk.free_bytes(path)
    per_incident = seed_disk.BYTES[engine.dialect.name][0]
    too_many = free // per_incident + 1
    plan = Plan(1, clock.now(), 730, too_many, 0)
    fresh = {stage: Reach() for stage in STAGES}
    with pytest.raises(SeedRefused, match="not enough disk"):
        check_disk(engine, plan, fresh, ["incidents"])
    assert "--force" in check_disk(engine, plan, fresh, ["incidents"], force=True)
    fits = Plan(1, plan.until, 730, 1000, 100)
    assert "free" in check_disk(engine, fits, fresh, ["incidents", "disputes"])
    engine.dispose()


def _limit_memory() -> None:  # a broken check would start generating a huge history
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_the_command_refuses_before_writing_anything(tmp_path):
    url = f"sqlite:///{tmp_path / 'refused.sqlite'}"
    refused = subprocess.run(
        [sys.executable, "-m", "demo.seed", "--database-url", url, "--workers", "1",
         "--incidents", str(10**13), "--disputes", "0"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "CC_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert "not enough disk" in refused.stderr and "--force" in refused.stderr
    engine = make_engine(url)
    assert _count(engine, "incidents") == 0 and _reach(url) is None
    engine.dispose()
