"""Volume-aware ranking: small samples do not top the table; empty units are apart."""

from data_access.ranking import rank, wilson_lower


def test_three_of_three_ranks_below_980_of_1000():
    rows = [
        {"key": "tiny", "closed": 3, "received": 3},
        {"key": "big", "closed": 980, "received": 1000},
        {"key": "none", "closed": 0, "received": 0},
    ]
    ranked, empty = rank(rows, "closed", "received")
    assert [r["key"] for r in ranked] == ["big", "tiny"]
    assert [r["key"] for r in empty] == ["none"]


def test_wilson_lower_bounds():
    assert wilson_lower(0, 0) is None
    assert 0 < wilson_lower(50, 100) < 0.5
    assert wilson_lower(100, 100) < 1.0
