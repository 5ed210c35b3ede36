"""One subscription to the live version per worker, shared by every open live stream.

Every open live page holds a stream (dashboard/live_push.py) that is pushed on each
version change. With a subscription and a read of the pulse per stream, each change woke
every stream to read the same three keys: 200 walls at 600x made about a thousand Redis
round trips a second, and the streams used half of the web workers' CPU
(bench/wall_load.py). Now one thread per worker (and Redis prefix) subscribes, reads the
pulse once per change and at least every REFRESH_SECONDS, and wakes the streams; it
stops IDLE_SECONDS after its last stream ended, and a new stream starts it again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

import redis

from common.config import Settings
from data_access import live
from data_access.redis_client import on_primary

log = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0  # the pulse's age at most (a heartbeat, the newest wall update)
STALE_SECONDS = 3 * REFRESH_SECONDS  # an older pulse is read again by the stream itself
IDLE_SECONDS = 30.0
RETRY_SECONDS = 1.0  # after Redis failed

Pulse = tuple[int, float | None, str | None]  # version, heartbeat age, wall_ready


class Hub:
    """The live pulse of one Redis prefix, as one worker's streams share it."""

    def __init__(self, cfg: Settings) -> None:
        self.cfg = cfg
        self.changed = threading.Condition()
        self.seq = 0  # grows with every version change seen
        self.pulse: Pulse | None = None  # None: Redis did not answer
        self.read_at = 0.0  # time.time() of that read (0: not read yet)
        self.readers = 0
        self.idle_since = time.monotonic()
        self.thread: threading.Thread | None = None

    @contextlib.contextmanager
    def reading(self) -> Iterator[Hub]:
        """While a stream is open: keeps the thread running."""
        with self.changed:
            self.readers += 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, daemon=True, name="live-hub")
                self.thread.start()
        try:
            yield self
        finally:
            with self.changed:
                self.readers -= 1
                self.idle_since = time.monotonic()

    def wait(self, seq: int, timeout: float) -> tuple[int, Pulse | None]:
        """The next change after `seq` (or, after `timeout`, the latest pulse anyway):
        (its seq, the pulse with the heartbeat's age as of now, None when Redis is down)."""
        with self.changed:
            self.changed.wait_for(lambda: self.seq != seq, timeout)
            seq, pulse, read_at = self.seq, self.pulse, self.read_at
        if time.time() - read_at > STALE_SECONDS:  # the thread is starting, or stuck
            try:
                return seq, live.pulse(self.cfg)
            except redis.RedisError:
                return seq, None
        if pulse is None:
            return seq, None
        version, age, ready = pulse
        return seq, (version, None if age is None else age + time.time() - read_at, ready)

    def _idle(self) -> bool:
        with self.changed:
            return self.readers == 0 and time.monotonic() - self.idle_since > IDLE_SECONDS

    def _read(self, changed: bool) -> None:
        try:
            pulse: Pulse | None = live.pulse(self.cfg)
        except redis.RedisError:
            pulse = None
        with self.changed:
            up_or_down = self.read_at > 0 and (pulse is None) != (self.pulse is None)
            # a version read that moved with no message: the subscription sits on a
            # server that no longer hears the publishes (e.g. Redis failed over under it)
            moved = pulse is not None and self.pulse is not None and pulse[0] != self.pulse[0]
            changed = changed or up_or_down or moved
            self.pulse, self.read_at = pulse, time.time()
            if changed:
                self.seq += 1
                self.changed.notify_all()

    def _run(self) -> None:
        pubsub = None
        self._read(changed=False)
        while not self._idle():
            try:
                if pubsub is None:
                    pubsub = live.subscribe(self.cfg)
                message = pubsub.get_message(timeout=REFRESH_SECONDS)
                while message is not None and pubsub.get_message(timeout=0):
                    pass  # a burst: one read, one wake-up
                self._read(changed=message is not None)
                if not on_primary(pubsub):  # Redis failed over: listen on the new primary
                    live.unsubscribe(pubsub)
                    pubsub = None
            except Exception:  # Redis gone, or its connection closed under us: resubscribe
                log.debug("live subscription lost", exc_info=True)
                live.unsubscribe(pubsub)
                pubsub = None
                self._read(changed=False)
                time.sleep(RETRY_SECONDS)
        live.unsubscribe(pubsub)


_hubs: dict[tuple, Hub] = {}
_hubs_lock = threading.Lock()


def hub(cfg: Settings) -> Hub:
    """This worker's hub for `cfg`'s Redis and prefix."""
    key = (cfg.redis_url, cfg.redis_sentinels, cfg.redis_service, cfg.stream_prefix)
    with _hubs_lock:
        found = _hubs.get(key)
        if found is None:
            found = _hubs[key] = Hub(cfg)
        return found
