"""The `ingest` process: reads the live stream through a consumer group and applies it.

`python -m worker.ingest [--batch-size N] [--block-ms MS] ...`; configuration comes from
the environment through common.config, the flags only tune the loop. Several processes
may run at once on one stream (one consumer group, one consumer per process).

Guarantees (CONTRACT 1):
- a valid entry is acknowledged only after the transaction that applied it committed;
  a crash replays it, and apply_events makes the replay change nothing;
- a bad entry is dead-lettered (copied with `error` and `source_id`, counted) and
  acknowledged in one atomic step, so it is dead-lettered exactly once;
- an outage of Redis or SQL only delays: the loop backs off, entries stay pending;
- an entry that fails to apply for a reason of its own is isolated (the batch is
  retried entry by entry) and dead-lettered after `max_attempts` failures;
- entries pending at a consumer that died are claimed after `claim_idle_ms`;
- when Redis lost its data (the group is gone), the group is recreated and the live
  state rebuilt from SQL.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import redis
from sqlalchemy import exc as sa_exc

from common import clock
from common.config import Settings, load_settings
from common.duplicates import THRESHOLD
from common.logging_setup import setup_logging
from common.workdays import CalendarError
from data_access.db import get_engine
from data_access.live import INGEST_GROUP, keys
from data_access.redis_client import connect
from data_access.schema import migrate
from data_access.sla import Sla, SlaRulesError, load_sla
from worker import bulletin_schedule, ladder
from worker.apply import ApplyResult, apply_events
from worker.contract import ContractError, Event, parse_entry
from worker.live_state import TICKER_SIZE, LiveState

log = logging.getLogger("worker.ingest")

DELETED = "entry was deleted from the stream before it was handled"

# XACK and, only if this call acknowledged it, copy to the dead-letter stream and
# count: two consumers that both hold the entry cannot dead-letter it twice. ARGV[3] '1'
# skips the XACK for an entry XAUTOCLAIM already dropped from the pending list.
_DEAD_LETTER = """
local acked = 1
if ARGV[3] ~= '1' then acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) end
if acked == 1 then
  redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4))
  redis.call('INCR', KEYS[3])
end
redis.call('HDEL', KEYS[4], ARGV[2])
return acked
"""


@dataclass(frozen=True)
class Options:
    # A batch shares one transaction's round trips and commit, and folds an incident once
    # for all its events in it (the old 1,000: see docs/benchmarks.md, Ingest).
    batch_size: int = 5000
    block_ms: int = 1000  # also bounds how late a passed deadline bumps the version
    claim_idle_ms: int = 30_000
    claim_every_s: float = 5.0
    max_attempts: int = 3
    backoff_s: float = 0.2
    backoff_max_s: float = 5.0
    sla_refresh_s: float = 60.0
    ticker_size: int = TICKER_SIZE


class Outage(RuntimeError):
    """A dependency is not ready (e.g. the schema cannot be brought up to date yet)."""


_BUSY_REPLIES = ("OOM", "MASTERDOWN", "BUSY", "TRYAGAIN", "CLUSTERDOWN")


def is_outage(exc: BaseException) -> bool:
    """Redis or SQL unreachable, busy or not ready: wait and retry, never dead-letter."""
    if isinstance(exc, Outage | redis.ConnectionError | redis.TimeoutError):
        return True
    if isinstance(exc, redis.ResponseError):  # READONLY: a replica during failover
        return isinstance(exc, redis.ReadOnlyError) or str(exc).startswith(_BUSY_REPLIES)
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        sa_exc.OperationalError  # server down, SQLite locked, no such table yet
        | sa_exc.InterfaceError
        | sa_exc.InternalError  # e.g. a read-only server during failover
        | sa_exc.ProgrammingError  # schema not migrated yet
        | sa_exc.TimeoutError,  # connection pool exhausted
    )


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _entries(reply) -> list[tuple[str, dict]]:
    """(stream id, fields) from a raw XREADGROUP reply: a map of stream to entries
    (RESP3) or a list of [stream, entries] (RESP2); a deleted entry has nil fields."""
    streams = reply.values() if isinstance(reply, dict) else (rows for _, rows in reply or [])
    return [
        (_text(i), dict(zip(f[::2], f[1::2], strict=True)) if f else {})
        for rows in streams
        for i, f in rows
    ]


class Ingest:
    """One consumer of the stream; `run` loops until `stop` is set."""

    def __init__(
        self,
        settings: Settings,
        options: Options = Options(),
        now: Callable[[], datetime] = clock.now,
        apply: Callable[..., ApplyResult] = apply_events,
        name: str | None = None,
    ):
        self.settings = settings
        self.options = options
        self.now = now
        self.apply = apply
        self.name = name or consumer_name()
        self.keys = keys(settings)
        self.stream = settings.stream_key
        self.tz = settings.tz
        self.r = connect(settings, socket_timeout=options.block_ms / 1000 + 10)
        # Raw replies: Redis 6.2 answers XAUTOCLAIM with 2 elements, 7 with 3, and a
        # deleted entry comes back as nil fields; parsed here, in _claim. XREADGROUP's
        # too: the client's own parsing is a per-entry Python loop (_entries).
        self.r.set_response_callback("XAUTOCLAIM", lambda reply, **_: reply)
        self.r.set_response_callback("XREADGROUP", lambda reply, **_: reply)
        self.engine = get_engine(settings.database_url)
        self.live = LiveState(self.r, settings, options.ticker_size)
        self._dead_letter = self.r.register_script(_DEAD_LETTER)
        self.stop = threading.Event()
        self.sla = Sla()
        self._sla_at = float("-inf")
        self._checked: datetime | None = None  # deadlines passed up to here are bumped
        self._ladder_window: int | None = None  # the last tick this process tried
        self._claim_at = 0.0
        self._claim_cursor = "0-0"
        self._own_pending = True  # our consumer may hold entries (restart, failure)
        self._redelivered = False  # the batch in hand was delivered before
        self._migrated = False
        self._ready = False
        self._changed = False

    # -- the loop -------------------------------------------------------------------

    def run(self) -> None:
        delay = self.options.backoff_s
        while not self.stop.is_set():
            try:
                if not self._ready:
                    self.start()
                self.step()
                delay = self.options.backoff_s
            except Exception as exc:
                if isinstance(exc, redis.ResponseError) and "NOGROUP" in str(exc):
                    log.warning("consumer group gone (Redis lost its data?); recreating it")
                    self._ready = False
                    continue
                if not is_outage(exc):
                    raise
                log.warning("outage, retrying in %.1fs: %s", delay, exc, exc_info=exc)
                self._own_pending = True
                self.stop.wait(delay)
                delay = min(delay * 2, self.options.backoff_max_s)
        self.close()

    def close(self) -> None:
        """Close the Redis connections and the SQL pool's idle connections."""
        self.r.close()
        self.engine.dispose()

    def start(self) -> None:
        """Schema, consumer group, live state: everything a loop needs, idempotently."""
        if not self._migrated:
            try:
                migrate(self.settings.database_url)
            except Exception as exc:  # SQL down, or another process migrating just now
                raise Outage(f"cannot migrate the database: {exc!r}") from exc
            self._migrated = True
        try:
            self.r.xgroup_create(self.stream, INGEST_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._claim_cursor = "0-0"
        self._ready = True

    def step(self) -> None:
        """One loop: heartbeat, live state, passed deadlines, then one batch."""
        now = self.now()
        if not self.live.beat(now):
            self.live.rebuild(self.engine, self.tz)
        if self._checked is None:
            self.live.bump()  # a new ingest: pages re-read whatever passed meanwhile
        else:
            self.live.deadline_passed(self._checked, now)
        self._checked = now
        if time.monotonic() - self._sla_at > self.options.sla_refresh_s:
            self._refresh_sla()
        if self.settings.escalation_ladder:
            self._ladder(now)
        entries = self._claim() or self._read("0")
        self._redelivered = bool(entries)
        if not entries:
            entries = self._read(">")
        if entries:
            self.handle(entries)
        if self._changed:
            self.live.bump()
            self._changed = False
        if self._redelivered:
            # A redelivered batch may have been committed before a crash or outage,
            # so its events were not "new" now: make the live state whole from SQL.
            self.live.rebuild(self.engine, self.tz)

    def _ladder(self, now: datetime) -> None:
        """The escalation ladder's tick (worker.ladder), once per tick window: it runs
        here because ingest is the one process that always runs, beside SQL, Redis and
        the calendar. A failure that is no outage costs a tick, never the stream."""
        if ladder.window(now) == self._ladder_window:
            return
        self._ladder_window = ladder.window(now)
        try:
            cal = self.sla.calendar
            added = ladder.tick(self.engine, self.r, self.settings, cal, now, self.name)
        except Exception as exc:
            if is_outage(exc):
                raise
            log.exception("escalation ladder tick failed; the next tick tries again")
            return
        if added:
            log.info("escalation ladder: %d escalated events added", added)

    def _read(self, start: str) -> list[tuple[str, dict]]:
        if start == "0" and not self._own_pending:
            return []
        reply = self.r.xreadgroup(
            INGEST_GROUP,
            self.name,
            {self.stream: start},
            count=self.options.batch_size,
            block=None if start == "0" else self.options.block_ms,
        )
        entries = _entries(reply)
        if start == "0" and not entries:
            self._own_pending = False
        return entries

    def _refresh_sla(self) -> None:
        """Reload the SLA rules and calendar; a file an admin broke while ingest runs
        keeps the rules in force (and says so) rather than stopping ingest."""
        self._sla_at = time.monotonic()
        try:
            self.sla = load_sla(self.engine, self.settings)
        except (SlaRulesError, CalendarError, OSError) as exc:
            log.error("SLA rules or calendar not reloaded, the previous ones stay: %s", exc)

    def _claim(self) -> list[tuple[str, dict]]:
        """Take over entries idle at other (dead) consumers, one page per call."""
        if time.monotonic() < self._claim_at:
            return []
        reply = self.r.execute_command(
            "XAUTOCLAIM",
            self.stream,
            INGEST_GROUP,
            self.name,
            self.options.claim_idle_ms,
            self._claim_cursor,
            "COUNT",
            self.options.batch_size,
        )
        self._claim_cursor = _text(reply[0])
        if self._claim_cursor == "0-0":
            self._claim_at = time.monotonic() + self.options.claim_every_s
        entries = []
        for item in reply[1]:
            if item is None:  # Redis 6.2: a deleted entry, now ours; read back as
                self._own_pending = True  # (id, {}) from our pending list, dead-lettered
                continue
            fields = item[1] or []
            entries.append((_text(item[0]), dict(zip(fields[::2], fields[1::2], strict=True))))
        # Redis 7 drops deleted entries from the PEL and lists them: never handled.
        for deleted in reply[2] if len(reply) > 2 else []:
            self._send_dead(_text(deleted), {}, DELETED, unpending=True)
        if entries:
            log.info("claimed %d entries from idle consumers", len(entries))
        return entries

    # -- one batch ------------------------------------------------------------------

    def handle(self, entries: list[tuple[str, dict]]) -> None:
        """Validate, dead-letter the bad, apply the good (XACK after commit)."""
        now = self.now()
        valid: list[tuple[str, Event]] = []
        for stream_id, fields in entries:
            if not fields:
                self._send_dead(stream_id, {}, DELETED)
                continue
            try:
                valid.append((stream_id, parse_entry(stream_id, fields, self.tz, now)))
            except ContractError as exc:
                self._send_dead(stream_id, fields, str(exc))
            except Exception as exc:  # a validator bug must not stop the stream
                self._send_dead(stream_id, fields, f"unreadable entry: {exc!r}")
        if valid:
            self._apply(valid, now)

    def _apply(self, items: list[tuple[str, Event]], now: datetime) -> None:
        try:
            result = self.apply(
                self.engine,
                [e for _, e in items],
                self.sla,
                self.tz,
                now,
                duplicates_from=THRESHOLD if self.settings.duplicate_candidates else None,
            )
        except Exception as exc:
            if is_outage(exc):
                raise
            if len(items) == 1:
                self._failed(*items[0], exc)
            else:
                log.warning("batch of %d failed (%r); isolating", len(items), exc)
                for item in items:
                    self._apply([item], now)
            return
        pipe = self.r.pipeline(transaction=True)
        self.live.record(pipe, result.new_events, result.incidents, self.tz)
        ids = [i for i, _ in items]
        pipe.xack(self.stream, INGEST_GROUP, *ids)
        if self._redelivered:
            pipe.hdel(self.keys.attempts, *ids)
        pipe.execute()
        self._changed |= bool(result.new_events)

    def _failed(self, stream_id: str, event: Event, exc: Exception) -> None:
        attempts = self.r.hincrby(self.keys.attempts, stream_id, 1)
        log.warning("entry %s failed to apply (attempt %d): %r", stream_id, attempts, exc)
        self._own_pending = True  # retried from our pending list next loop
        if attempts >= self.options.max_attempts:
            reason = f"failed to apply {attempts} times: {type(exc).__name__}: {exc}"
            self._send_dead(stream_id, event.fields, reason[:1000])

    def _send_dead(self, stream_id: str, fields: dict, reason: str, unpending=False) -> None:
        args = [INGEST_GROUP, stream_id, "1" if unpending else "0"]
        for name, value in fields.items():
            if _text(name) not in ("error", "source_id"):
                args += [name, value]
        args += ["error", reason, "source_id", stream_id]
        k = self.keys
        acked = self._dead_letter(
            keys=[self.stream, self.settings.dead_key, k.dead_count, k.attempts], args=args
        )
        if acked:
            log.info("dead-lettered %s: %s", stream_id, reason)
            self._changed = True


def quiet_gc() -> None:
    """Keep the cycle collector off the hot path: a batch allocates tens of objects per
    event and frees them by reference counting, yet the default thresholds start a
    collection every 700 allocations, and the full ones walk every object the imported
    libraries hold (a fifth of ingest's CPU time, measured). Freezing what exists after
    start-up and collecting the young generation less often keeps cycles collected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def main(argv: list[str] | None = None) -> None:
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m worker.ingest", description=__doc__)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--block-ms", type=int, default=defaults.block_ms)
    parser.add_argument("--claim-idle-ms", type=int, default=defaults.claim_idle_ms)
    parser.add_argument("--claim-every-s", type=float, default=defaults.claim_every_s)
    parser.add_argument("--max-attempts", type=int, default=defaults.max_attempts)
    args = parser.parse_args(argv)
    setup_logging("ingest")
    options = Options(
        batch_size=args.batch_size,
        block_ms=args.block_ms,
        claim_idle_ms=args.claim_idle_ms,
        claim_every_s=args.claim_every_s,
        max_attempts=args.max_attempts,
    )
    ingest = Ingest(load_settings(), options)
    quiet_gc()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: ingest.stop.set())
    log.info("ingest %s reading %s", ingest.name, ingest.stream)
    schedule = (ingest.settings, ingest.engine, ingest.r, ingest.stop)
    threading.Thread(target=bulletin_schedule.run, args=schedule, daemon=True).start()
    ingest.run()
    log.info("ingest %s stopped", ingest.name)


if __name__ == "__main__":
    main()
