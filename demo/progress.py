"""A small progress bar on stderr with rate and ETA (no dependency)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Redraws in place on a terminal; elsewhere (logs) prints a line every few seconds.

    `done` is work finished before this run (a resumed build): it counts towards the
    share, not towards the rate and ETA, which measure this run alone.
    """

    def __init__(self, total: int, label: str, stream: TextIO | None = None, done: int = 0):
        self.total, self.label, self.done, self.drawn = max(total, 0), label, done, -1
        self.resumed_at = done
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = self.shown = time.monotonic()

    def update(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.shown >= (0.25 if self.tty else 5.0):
            self.shown = now
            self._draw(now)

    def close(self) -> float:
        """Final line; returns the elapsed seconds."""
        now = time.monotonic()
        if self.tty or self.drawn != self.done:
            self._draw(now)
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()
        return now - self.started

    def _draw(self, now: float) -> None:
        self.drawn = self.done
        elapsed = max(now - self.started, 1e-9)
        rate = (self.done - self.resumed_at) / elapsed
        share = self.done / self.total if self.total else 1.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        bar = "#" * int(share * 30)
        line = (
            f"{self.label} [{bar:<30}] {share:6.1%} {self.done:,}/{self.total:,} "
            f"{rate:,.0f}/s ETA {_clock(left)} elapsed {_clock(elapsed)}"
        )
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
