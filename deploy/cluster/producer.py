"""A producer that publishes at a steady rate and counts what Redis confirmed.

    python -m deploy.cluster.producer --run RUN --rate 50 --out DIR

Each event is a `reported` incident of its own (event_id `drill-RUN-N`, town `DRILL-RUN`),
XADDed to the primary that the Sentinels name, then `WAIT 1`: an event is confirmed
once one replica has it too, which is what survives the primary's loss. Confirmed
event_ids go to DIR/confirmed, one a line, as they are confirmed. A failed XADD is sent
again, with the same event_id, to whichever primary the Sentinels name next (a repeat
that ingest drops). Stops on SIGTERM; DIR/sent says how many were sent."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import redis
from redis.sentinel import Sentinel

WAIT_MS = 1000
TZ = ZoneInfo("Asia/Shanghai")


def event(run: str, n: int) -> dict[str, str]:
    return {
        "event_id": f"drill-{run}-{n}",
        "entity": "incident",
        "id": f"DRILL-{run}-{n}",
        "status": "reported",
        "ts": datetime.now(TZ).isoformat(timespec="milliseconds"),
        "channel": "hotline_12345",
        "category": "sanitation",
        "town": f"DRILL-{run}",
        "priority": "normal",
    }


def publish(primary, stream: str, fields: dict, stop: threading.Event) -> bool:
    """XADD then WAIT 1 until it succeeds; True when a replica confirmed it."""
    while not stop.is_set():
        try:
            primary.xadd(stream, fields)
            return primary.execute_command("WAIT", 1, WAIT_MS) >= 1
        except (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError) as exc:
            print(f"{time.time():.3f} retry {fields['event_id']}: {exc!r}", flush=True)
            stop.wait(0.1)
    return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sentinels", required=True, help="host:port,...")
    parser.add_argument("--service", default="cc")
    parser.add_argument("--stream", default="cc:events")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    nodes = [(h, int(p)) for h, _, p in (s.rpartition(":") for s in args.sentinels.split(","))]
    sentinel = Sentinel(nodes, socket_timeout=2, socket_connect_timeout=2)
    primary = sentinel.master_for(args.service, socket_timeout=3, socket_connect_timeout=2)
    args.out.mkdir(parents=True, exist_ok=True)
    confirmed = (args.out / "confirmed").open("a", buffering=1)
    unconfirmed = (args.out / "unconfirmed").open("a", buffering=1)
    started, n = time.monotonic(), 0
    while not stop.is_set():
        fields = event(args.run, n)
        ok = publish(primary, args.stream, fields, stop)
        (confirmed if ok else unconfirmed).write(fields["event_id"] + "\n")
        n += 1
        (args.out / "sent").write_text(str(n))
        stop.wait(max(0.0, started + n / args.rate - time.monotonic()))
    confirmed.close()
    unconfirmed.close()


if __name__ == "__main__":
    main()
