"""One web worker's Redis client serves every live page it holds open, and reads beside."""

from __future__ import annotations

from data_access import live

OPEN_PAGES = 150  # one worker's share of 200 walls can pass redis-py's default of 100


def test_a_worker_holds_many_live_subscriptions_and_still_reads(settings):
    subscriptions = [live.subscribe(settings) for _ in range(OPEN_PAGES)]
    try:
        assert live.version(settings) == 0
    finally:
        for subscription in subscriptions:
            subscription.close()
