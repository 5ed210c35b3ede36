"""Duplicate candidates (issue 19): the scorer on hand-written Chinese pairs, and ingest
finding them end to end (XADD -> ingest -> SQL, both databases), dismissals respected."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from common import clock
from common.config import ConfigError, load_settings
from common.duplicates import THRESHOLD, report, score, text_similarity
from data_access.models import DuplicateCandidate, DuplicateDismissal
from tests.factories import TZ, entry, reported
from tests.servers import drain, fast_ingest, publish

NOW = clock.now().replace(microsecond=0)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)

POTHOLE = (
    "路面坑洼破损",
    "市民来电反映：人民路与中山路交叉口路面坑洼破损，夜间通行存在隐患。希望尽快处理。",
)
POTHOLE_AGAIN = (
    "人民路口路面破损",
    "网格员巡查发现：人民路与中山路交叉口路面坑洼损坏，已有电动车在此摔倒。",
)
LAMP = ("路灯不亮", "市民来电反映：人民路与中山路交叉口路灯不亮，夜间通行存在隐患。希望尽快处理。")
NOISE = (
    "广场舞音响声音过大",
    "群众通过微信“随手拍”反映：北门社区广场舞音响声音过大，老人孩子无法休息。",
)


def r(ident, texts, hours=0.0, grid="G1", lat=31.9000, lon=120.2800, phone=None):
    title, description = texts
    return report(ident, T0 + timedelta(hours=hours), grid, lat, lon, title, description, phone)


def test_the_same_problem_reworded_nearby_is_a_candidate():
    match = score(r("a", POTHOLE), r("b", POTHOLE_AGAIN, hours=5, lat=31.9002))
    assert match.score >= THRESHOLD
    assert 20 < match.distance_m < 25 and match.hours == 5 and not match.same_caller


def test_the_same_text_in_another_grid_far_away_is_not():
    far = r("b", POTHOLE, hours=1, grid="G9", lat=31.93, lon=120.31)
    assert score(r("a", POTHOLE), far).score == 0


def test_the_same_text_in_the_same_grid_without_coordinates_is_weaker_but_shown():
    a, b = r("a", POTHOLE, lat=None, lon=None), r("b", POTHOLE, hours=2, lat=None, lon=None)
    assert THRESHOLD <= score(a, b).score < 1
    assert score(a, r("c", POTHOLE, hours=2, grid="G2", lat=None, lon=None)).score == 0


def test_another_problem_in_the_same_place_is_not():
    # same grid, same spot, same lead-in and request: only the problem differs
    assert score(r("a", POTHOLE), r("b", LAMP, hours=1)).score < THRESHOLD
    assert score(r("a", POTHOLE), r("b", NOISE, hours=1)).score == 0


def test_the_same_caller_lifts_a_borderline_pair():
    vague = ("人民路路面破了", "人民路与中山路交叉口路面破了个洞，请处理。")
    a = r("a", POTHOLE, phone="13800001234")
    same = r("b", vague, hours=30, lat=31.9010, phone="+86 138-0000-1234")
    other = r("c", vague, hours=30, lat=31.9010, phone="13900005678")
    assert score(a, other).score < THRESHOLD <= score(a, same).score
    assert score(a, same).same_caller and not score(a, other).same_caller


def test_phone_numbers_in_the_text_neither_help_nor_hurt():
    with_phone = (POTHOLE[0], POTHOLE[1] + "联系电话13800001234。")
    other_phone = (POTHOLE[0], POTHOLE[1] + "联系电话：159 2914 8426")
    assert text_similarity(r("a", with_phone), r("b", other_phone)) == 1.0
    lamp_same = (LAMP[0], LAMP[1] + "联系电话13800001234。")
    lamp_other = (LAMP[0], LAMP[1] + "联系电话13900005678。")
    # one number in both texts of two problems does not make them more alike
    assert text_similarity(r("a", with_phone), r("b", lamp_same)) == text_similarity(
        r("a", with_phone), r("b", lamp_other)
    )


def test_reports_more_than_the_window_apart_are_not():
    assert score(r("a", POTHOLE), r("b", POTHOLE, hours=7 * 24 + 1)).score == 0
    assert score(r("a", POTHOLE), r("b", POTHOLE, hours=6 * 24)).score >= THRESHOLD


def test_the_setting_is_on_by_default_and_refuses_nonsense(tmp_path):
    env = {"CC_DATA_DIR": str(tmp_path), "CC_SECRET_KEY": "k"}
    assert load_settings(env).duplicate_candidates is True
    assert load_settings(env | {"CC_DUPLICATE_CANDIDATES": "off"}).duplicate_candidates is False
    with pytest.raises(ConfigError, match="CC_DUPLICATE_CANDIDATES"):
        load_settings(env | {"CC_DUPLICATE_CANDIDATES": "maybe"})


# --- ingest, end to end ----------------------------------------------------------------


def ts(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).astimezone(TZ).isoformat()


def pothole(ident: str, hours: float, texts=POTHOLE, **fields) -> dict:
    fields = {"grid": "G1", "lat": "31.9", "lon": "120.28", **fields}
    return reported(ident, ts(hours), title=texts[0], description=texts[1], **fields)


@pytest.fixture
def run(settings, redis_client, engine):
    def go(cfg, *batches: list[dict]) -> None:
        ingest = fast_ingest(cfg)
        try:
            for batch in batches:
                publish(redis_client, cfg.stream_key, batch)
                drain(ingest)
        finally:
            ingest.close()

    return go


def pairs(engine) -> dict[tuple[str, str], float]:
    with engine.connect() as conn:
        rows = conn.execute(select(DuplicateCandidate)).all()
    return {(row.incident_id, row.candidate_id): row.score for row in rows}


def test_ingest_finds_candidates_later_first_across_and_within_batches(run, settings, engine):
    run(
        settings,
        [pothole("A", -30), pothole("LAMP", -29, LAMP)],
        [
            pothole("B", -2, POTHOLE_AGAIN, lat="31.9002"),
            pothole("C", -1, channel="wechat", grid="G1", lat="31.9001"),
            pothole("FAR", -1, lat="31.95"),  # 5.5 km away
            pothole("OTHER-TOWN", -1, town="T2"),
            pothole("OTHER-KIND", -1, category="noise"),
        ],
        # arrives late: reported before A, still found, and written after it
        [pothole("EARLY", -40)],
    )
    found = pairs(engine)
    assert set(found) == {
        ("B", "A"), ("C", "A"), ("C", "B"), ("A", "EARLY"), ("B", "EARLY"), ("C", "EARLY"),
    }  # fmt: skip
    assert all(s >= THRESHOLD for s in found.values())


def test_old_merged_and_rejected_incidents_are_not_candidates(run, settings, engine):
    run(
        settings,
        [
            pothole("OLD", -170),  # reported more than 7 days before
            entry("OLD", "closed", ts(-160)),
            pothole("GONE", -50),
            entry("GONE", "merged", ts(-49), into="OLD"),
            pothole("BAD", -50),
            entry("BAD", "rejected", ts(-49)),
            pothole("RECENT", -60),
            entry("RECENT", "closed", ts(-20)),  # closed, then reported again
        ],
        [pothole("NEW", -1)],
    )
    assert set(pairs(engine)) == {("NEW", "RECENT")}


def test_dismissed_pairs_are_not_written_again(run, settings, engine):
    with engine.begin() as conn:
        conn.execute(
            insert(DuplicateDismissal),
            [{"incident_id": "B", "candidate_id": "A", "dismissed_by": "ck", "dismissed_at": NOW}],
        )
    run(settings, [pothole("A", -3)], [pothole("B", -2), pothole("C", -1)])
    assert set(pairs(engine)) == {("C", "A"), ("C", "B")}


def test_switched_off_ingest_finds_nothing(run, settings, engine):
    run(settings.with_(duplicate_candidates=False), [pothole("A", -3)], [pothole("B", -2)])
    assert pairs(engine) == {}


def test_planted_duplicates_are_found_through_ingests_apply():
    """bench.duplicates_quality on a small planted stream: the planted truth is what the
    generator says, and candidates at the threshold find most of it and little else."""
    from bench.duplicate_plant import planted
    from bench.duplicates_quality import found_pairs, quality

    entries, truth = planted(seed=7, incidents=600, days=7, share=0.2, now=NOW)
    reported_ids = {e["id"] for e in entries if e["status"] == "reported"}
    assert truth and all(pair <= reported_ids for pair in truth)
    precision, recall = quality(found_pairs(entries, THRESHOLD, NOW), truth, THRESHOLD)
    assert precision >= 0.85 and recall >= 0.8, (precision, recall)
