"""`python -m worker.ingest` with a clock on each batch, for bench/freshness_stages.py.

    python -m bench.timed_ingest OUT.jsonl

The product's Ingest class and loop unchanged (defaults, quiet_gc), plus one JSON line
per batch that carried a bench marker (`FRESH-<n>` in its `town`): when XREADGROUP
handed the batch over (`read`), when its transaction committed (`committed`), when the
live state and XACK were written (`acked`) and when the version bump was published
(`published`), all time.time() in ms, the bench's clock.
"""

from __future__ import annotations

import json
import re
import signal
import sys
import time

from common.config import load_settings
from common.logging_setup import setup_logging
from worker.apply import apply_events
from worker.ingest import Ingest, quiet_gc

MARKER = re.compile(rb"FRESH-[0-9]+")


def _ms() -> float:
    return time.time() * 1000


class TimedIngest(Ingest):
    """Ingest that stamps each marked batch's stages and writes them to `out`."""

    def __init__(self, out, **kwargs) -> None:
        super().__init__(load_settings(), apply=self._timed_apply, **kwargs)
        self.out = out
        self.batch: dict | None = None
        bump = self.live.bump

        def timed_bump(client=None) -> None:
            bump(client)
            if self.batch is not None and client is None:
                self.batch["published"] = _ms()

        self.live.bump = timed_bump

    def _timed_apply(self, *args, **kwargs):
        result = apply_events(*args, **kwargs)
        if self.batch is not None:
            self.batch["committed"] = _ms()
        return result

    def _read(self, start: str) -> list[tuple[str, dict]]:
        entries = super()._read(start)
        markers = [m.decode() for _, f in entries for m in MARKER.findall(f.get(b"town", b""))]
        if markers:
            self.batch = {"markers": markers, "size": len(entries), "read": _ms()}
        return entries

    def handle(self, entries: list[tuple[str, dict]]) -> None:
        super().handle(entries)
        if self.batch is not None:
            self.batch["acked"] = _ms()

    def step(self) -> None:
        super().step()
        if self.batch is not None:
            self.out.write(json.dumps(self.batch) + "\n")
            self.out.flush()
            self.batch = None


def main(argv: list[str] | None = None) -> None:
    (path,) = argv if argv is not None else sys.argv[1:]
    setup_logging("ingest")
    with open(path, "a", encoding="utf-8") as out:
        ingest = TimedIngest(out)
        quiet_gc()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: ingest.stop.set())
        ingest.run()


if __name__ == "__main__":
    main()
