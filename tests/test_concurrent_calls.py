"""Independent reads at once (common.concurrent_calls): results in order, the caller's
scope seen by every call, errors raised after all are done, and real overlap."""

from __future__ import annotations

import threading
import time

import pytest

from common.concurrent_calls import at_once
from common.scope import Scope, current, using

EAST = Scope("town", ("Chengdong",))


def test_results_come_back_in_order_and_every_call_sees_the_callers_scope():
    with using(EAST):
        got = at_once(lambda: ("a", current()), lambda: ("b", current()), lambda: ("c", current()))
    assert got == [("a", EAST), ("b", EAST), ("c", EAST)]


def test_the_calls_overlap():
    barrier = threading.Barrier(3, timeout=5)  # only passes if all three wait at once
    assert at_once(barrier.wait, barrier.wait, barrier.wait) is not None


def test_an_error_is_raised_once_every_call_is_done():
    finished = []

    def slow():
        time.sleep(0.2)
        finished.append(1)

    def fails():
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        at_once(lambda: None, fails, slow)
    assert finished == [1]
    with pytest.raises(KeyError):
        at_once(lambda: {}["x"], slow)
    assert finished == [1, 1]
