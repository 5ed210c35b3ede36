"""One logging setup for every process (web, ingest, simulate, seed, gunicorn's own logs).

- One record, one line: values are escaped (CR, LF and every other control or line-break
  character becomes `\\r`, `\\n`, `\\x1b`...), so a request path holding `%0d%0a` can never
  start a line that looks like a record of its own. A traceback follows its record on
  lines that all start with TRACE_MARK, for the same reason.
- Outages are state changes, not floods: a record whose exception says Redis or SQL is
  unreachable becomes one warning line "redis down: ..." (or "sql down: ..."); later ones
  are dropped until the store answers again (the Redis client and the SQL engines report
  each new connection: outage_over), which logs "redis back up".
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s {process}[%(process)d] %(name)s: %(message)s"
TRACE_MARK = "  | "
_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}

_down: set[str] = set()
_down_lock = threading.Lock()
log = logging.getLogger("outage")


def escape(text: str) -> str:
    """`text` with every character Python deems unprintable (controls, line and paragraph
    separators, bidi overrides...) written as an escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(c: str) -> str:
    return _ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")


class OneLineFormatter(logging.Formatter):
    """The message escaped onto one line; a traceback on lines that start with TRACE_MARK."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = escape(record.getMessage())
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = escape(self.formatMessage(record))
        extra = []
        if record.exc_info:
            extra.append(self.formatException(record.exc_info))
        if record.stack_info:
            extra.append(self.formatStack(record.stack_info))
        for text in extra:
            line += "".join(f"\n{TRACE_MARK}{escape(part)}" for part in text.splitlines())
        return line


def outage_kind(exc: BaseException | None) -> str | None:
    """'redis' or 'sql' when `exc` says that store cannot be reached, else None."""
    import redis
    from sqlalchemy import exc as sql

    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return "redis"
    if isinstance(exc, sql.OperationalError | sql.InterfaceError) or (
        isinstance(exc, sql.DBAPIError) and exc.connection_invalidated
    ):
        return "sql"
    return None


def _first_down(kind: str) -> bool:
    with _down_lock:
        if kind in _down:
            return False
        _down.add(kind)
        return True


def outage_over(kind: str) -> None:
    """`kind` ('redis' or 'sql') answered: log it once if it was down."""
    if kind not in _down:  # the common case, read without the lock
        return
    with _down_lock:
        if kind not in _down:
            return
        _down.discard(kind)
    log.warning("%s back up", kind)


class OutageFilter(logging.Filter):
    """Turns the first record of an outage into one 'down' line; drops the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        kind = outage_kind(exc)
        if kind is None:
            return True
        if not _first_down(kind):
            return False
        record.msg, record.args = "%s down: %s (%s)", (kind, exc, record.getMessage())
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def formatter(process: str) -> logging.Formatter:
    return OneLineFormatter(FORMAT.format(process=escape(process)))


def handler(process: str, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) with this module's format and outage filter."""
    found = logging.StreamHandler(stream or sys.stderr)
    found.setFormatter(formatter(process))
    found.addFilter(OutageFilter())
    return found


def setup_logging(process: str, level: int = logging.INFO, stream: TextIO | None = None):
    """Configure the root logger for `process` (web, ingest, simulate, seed...): replaces
    any handler it had, so calling it again (a test, a forked worker) is harmless."""
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler(process, stream))
    root.setLevel(level)
    logging.captureWarnings(True)
