"""`make run` refuses to share its stream with another running copy (demo.stream_guard)."""

from __future__ import annotations

import threading
import time

from data_access.live import keys
from demo.stream_guard import refusal


def _beat(settings, redis_client) -> None:
    redis_client.set(keys(settings).heartbeat, f"{time.time():.3f}")


def test_a_stream_nobody_consumes_is_free(settings, redis_client):
    assert refusal(settings, redis_client, active_seconds=0.5) is None


def test_an_ingest_that_keeps_looping_is_another_copy(settings, redis_client):
    stop = threading.Event()

    def loop() -> None:  # as a running ingest beats every loop
        while not stop.is_set():
            _beat(settings, redis_client)
            stop.wait(0.1)

    _beat(settings, redis_client)  # it is running before the guard looks
    beating = threading.Thread(target=loop)
    beating.start()
    try:
        reason = refusal(settings, redis_client, active_seconds=3.0)
    finally:
        stop.set()
        beating.join()
    assert reason is not None
    assert settings.stream_key in reason and "CC_STREAM_PREFIX" in reason


def test_a_copy_that_just_stopped_frees_the_stream_once_its_beat_is_old(settings, redis_client):
    _beat(settings, redis_client)
    started = time.monotonic()
    assert refusal(settings, redis_client, active_seconds=1.0) is None
    assert time.monotonic() - started >= 0.5  # it waited for the beat to age
