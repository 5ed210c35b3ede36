"""Exit 0 when a Redis, PostgreSQL or HTTP server answers at a URL: `python -m scripts.probe URL`.

`--wait SECONDS` keeps asking that long (for a server that is starting).
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request

import psycopg

from demo.embedded_redis import answers as redis_answers


def _http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310: our own URL
            return response.status < 500
    except (urllib.error.URLError, OSError):
        return False


def answers(url: str) -> bool:
    if url.startswith("redis"):
        return redis_answers(url)
    if url.startswith("http"):
        return _http_answers(url)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        with psycopg.connect(conninfo, connect_timeout=2) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        return False


def main(argv: list[str]) -> int:
    wait = float(argv[1]) if argv[0] == "--wait" else 0.0
    deadline = time.monotonic() + wait
    while not answers(argv[-1]):
        if time.monotonic() >= deadline:
            return 1
        time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
