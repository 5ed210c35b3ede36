"""Refuse to start the demo beside another running copy that consumes the same stream.

Two copies of the product that share a Redis and a key prefix share one consumer group:
each would apply part of the other's events to its own database. `make run` calls
`python -m demo.stream_guard` before it starts anything. Every ingest process writes the
heartbeat once a loop (about every second), so a heartbeat younger than `ACTIVE_SECONDS`
means a copy is consuming now; one that stopped a moment ago (ours, restarted) stops
looking active within that time, so the guard waits that long before it refuses. Consumer
idle times cannot serve: Redis updates them only when a read delivers entries.
"""

from __future__ import annotations

import sys
import time

import redis

from common.config import Settings, load_settings
from data_access.live import heartbeat_age
from data_access.redis_client import connect

ACTIVE_SECONDS = 10.0


def consuming(settings: Settings, r: redis.Redis, active_seconds: float = ACTIVE_SECONDS) -> bool:
    """Whether an ingest process on this stream looped within `active_seconds`."""
    age = heartbeat_age(settings, r=r)
    return age is not None and age < active_seconds


def refusal(
    settings: Settings, r: redis.Redis, active_seconds: float = ACTIVE_SECONDS
) -> str | None:
    """Why this copy must not start, or None."""
    deadline = time.monotonic() + active_seconds
    while consuming(settings, r, active_seconds):
        if time.monotonic() >= deadline:
            return (
                f"another running copy already consumes the stream {settings.stream_key!r} "
                f"at {settings.redis_url} (its ingest looped "
                f"{heartbeat_age(settings, r=r):.1f} s ago).\n"
                "Stop it, or give this copy its own stream: CC_STREAM_PREFIX=mine: make run "
                "(or another CC_REDIS_URL)."
            )
        time.sleep(min(1.0, active_seconds / 4))
    return None


def main() -> int:
    settings = load_settings()
    client = connect(settings, socket_timeout=5)
    try:
        reason = refusal(settings, client)
    finally:
        client.close()
    if reason:
        print(f"make run: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
