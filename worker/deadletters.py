"""Look at and replay dead-lettered stream entries.

    python -m worker.deadletters list [--limit N]
    python -m worker.deadletters replay ID [ID ...] [--set field=value ...] [--force]
    python -m worker.deadletters count

`replay` puts the entry back on the stream (without `error` and `source_id`, with the
`--set` corrections) and removes it from the dead-letter stream, in one transaction.
An entry that would still break the contract is refused unless `--force` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime

import redis

from common import clock
from common.config import Settings, load_settings
from data_access.redis_client import get_redis
from worker.contract import ContractError, parse_entry

META = ("error", "source_id")


@dataclass(frozen=True)
class DeadLetter:
    id: str  # in the dead-letter stream
    error: str
    source_id: str  # in the live stream
    fields: dict[str, str]  # the original entry


def _decode(raw: dict) -> dict[str, str]:
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}


def _letter(entry_id: bytes, raw: dict) -> DeadLetter:
    fields = _decode(raw)
    return DeadLetter(
        id=entry_id.decode(),
        error=fields.pop("error", ""),
        source_id=fields.pop("source_id", ""),
        fields=fields,
    )


def list_dead(r: redis.Redis, settings: Settings, limit: int = 50) -> list[DeadLetter]:
    """The newest dead letters first."""
    return [_letter(i, f) for i, f in r.xrevrange(settings.dead_key, count=limit)]


def count(r: redis.Redis, settings: Settings) -> int:
    return r.xlen(settings.dead_key)


def replay(
    r: redis.Redis,
    settings: Settings,
    ids: list[str],
    changes: dict[str, str] | None = None,
    force: bool = False,
    now: datetime | None = None,
) -> dict[str, str]:
    """Replay dead letters; returns {dead-letter id: new stream id, or why not}."""
    out = {}
    for dead_id in ids:
        found = r.xrange(settings.dead_key, min=dead_id, max=dead_id)
        if not found:
            out[dead_id] = "error: no such dead letter"
            continue
        fields = {**_letter(*found[0]).fields, **(changes or {})}
        if not force:
            try:
                parse_entry("0-1", fields, settings.tz, now or clock.now())
            except ContractError as exc:
                out[dead_id] = f"error: still invalid ({exc}); fix with --set or use --force"
                continue
        pipe = r.pipeline(transaction=True)
        pipe.xadd(settings.stream_key, fields)
        pipe.xdel(settings.dead_key, dead_id)
        out[dead_id] = pipe.execute()[0].decode()
    return out


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected field=value, got {text!r}")
    return name, value


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m worker.deadletters",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show dead letters, newest first")
    listing.add_argument("--limit", type=int, default=50)
    again = commands.add_parser("replay", help="put dead letters back on the stream")
    again.add_argument("ids", nargs="+", metavar="ID")
    again.add_argument("--set", type=_pair, action="append", default=[], metavar="FIELD=VALUE")
    again.add_argument("--force", action="store_true", help="replay even if still invalid")
    commands.add_parser("count", help="how many dead letters there are")
    args = parser.parse_args(argv)
    settings = settings or load_settings()
    r = get_redis(settings)
    if args.command == "count":
        print(count(r, settings))
    elif args.command == "list":
        for letter in list_dead(r, settings, args.limit):
            print(f"{letter.id}  source {letter.source_id}  {letter.error}")
            print(f"    {json.dumps(letter.fields, ensure_ascii=False)}")
    else:
        results = replay(r, settings, args.ids, dict(args.set), args.force)
        for dead_id, outcome in results.items():
            print(f"{dead_id} -> {outcome}")
        return 1 if any(o.startswith("error") for o in results.values()) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
