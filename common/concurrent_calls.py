"""Independent reads run at once, each on a pooled connection of its own.

A figure set made of separate families (GET /api/v1/kpis: incidents, disputes, the
backlog) spends most of its time waiting on the database; run one after another their
waits add up. `at_once` runs all but the first call in this process's worker threads
while the caller runs the first. Each call sees the caller's context (its scope,
common.scope), and the caller waits for the others only after its own call is done, so
it never holds a pooled connection while it waits for threads that may need one.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

WORKERS = 8  # threads per process; a call beyond them waits its turn
_pools: dict[int, ThreadPoolExecutor] = {}  # by process id: a forked worker makes its own
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    pid = os.getpid()
    with _lock:
        if pid not in _pools:
            _pools[pid] = ThreadPoolExecutor(WORKERS, thread_name_prefix="at-once")
        return _pools[pid]


def at_once(first: Callable[[], Any], *others: Callable[[], Any]) -> list[Any]:
    """[first(), *others()], the others run in threads meanwhile; the first error raised
    (the caller's own first) is raised here once all are done."""
    pool = _pool()
    futures = [pool.submit(contextvars.copy_context().run, call) for call in others]
    try:
        results = [first()]
    finally:
        done = [f.exception() for f in futures]  # waits for every one
    for error in done:
        if error is not None:
            raise error
    return results + [f.result() for f in futures]
