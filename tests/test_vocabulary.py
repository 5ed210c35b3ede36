"""The vocabulary's sets partition the lifecycles, so no status falls between them."""

from common import vocabulary as v


def test_incident_sets_partition_the_lifecycle():
    parts = (v.OPEN_STATUSES, v.CLOSING_STATUSES, (v.REJECTED, v.MERGED), v.NON_STATUS)
    flat = [s for part in parts for s in part]
    assert len(flat) == len(set(flat))
    assert set(flat) == set(v.INCIDENT_LIFECYCLE)
    # a row holds any status but the acts that change none
    assert set(v.INCIDENT_STATUSES) == set(v.INCIDENT_LIFECYCLE) - set(v.NON_STATUS)
    assert set(v.TERMINAL_STATUSES) == set(v.INCIDENT_LIFECYCLE) - set(v.OPEN_STATUSES) - set(
        v.NON_STATUS
    )


def test_dispute_outcomes():
    assert set(v.DISPUTE_STATUSES) == set(v.DISPUTE_LIFECYCLE)
    assert set(v.RESOLVED) < set(v.DECIDED) < set(v.DISPUTE_OUTCOMES)
    assert set(v.OUTCOMES_SHOWN) == set(v.DISPUTE_OUTCOMES)
    assert v.PENDING not in v.DISPUTE_LIFECYCLE


def test_satisfaction_threshold_is_a_score():
    assert str(v.SATISFIED_FROM) in v.SATISFACTION_SCORES


def test_every_rate_names_two_counts():
    for numerator, denominator in v.RATES.values():
        assert numerator != denominator
