"""All the product's measurements in one command, ending with one table.

    python -m bench [--only scale,ingest,freshness,stages,load,heap,ladder] [--heap-minutes 30]
                    [--load-minutes 5] [--clients 200] [--databases ...]

Each part is its own module (runnable alone) started as a subprocess so that one part's
memory and threads do not colour the next; its output streams through, and its final
`RESULT` line (bench.result) feeds the summary, which is also written to
bench/out/summary.md. Runs against the Redis and PostgreSQL on 127.0.0.1's usual ports
(CC_REDIS_URL, CC_BENCH_PG_URL); the scale databases are built beforehand
(docs/benchmarks.md). The whole run takes about an hour with the heap part.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime

from bench.result import parse
from common.config import PROJECT_ROOT

OUT = PROJECT_ROOT / "bench" / "out"
PARTS = ("scale", "ingest", "freshness", "stages", "load", "heap", "ladder")


def commands(args: argparse.Namespace) -> dict[str, list[str]]:
    py = [sys.executable, "-m"]
    return {
        "scale": [
            *py, "bench.scale", "--databases", args.databases, "--runs", str(args.runs),
            "--naive-runs", str(args.naive_runs),
        ],
        "ingest": [*py, "bench.ingest_rate"],
        "freshness": [*py, "bench.wall_freshness", "--events", "200"],
        "stages": [*py, "bench.freshness_stages", "--events", "100"],
        "load": [
            *py, "bench.wall_load", "--clients", str(args.clients),
            "--minutes", str(args.load_minutes),
        ],
        "heap": [*py, "bench.wall_heap", "--minutes", str(args.heap_minutes)],
        "ladder": [*py, "bench.ladder_lag"],
    }  # fmt: skip


def run_part(command: list[str]) -> list[dict]:
    """Run one part, echoing its output; its RESULT lines (none when it failed)."""
    process = subprocess.Popen(  # noqa: S603 - our own modules
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in process.stdout:
        if not line.startswith("RESULT "):
            sys.stdout.write(line)
        lines.append(line)
    if process.wait() != 0:
        print(f"!! {' '.join(command[2:])} exited with {process.returncode}")
    return parse("".join(lines))


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}{unit}" if value >= 100 else f"{value:,.1f}{unit}"


def scale_lines(figures: dict) -> list[str]:
    """Cold p95 (and warm p95, naive ratio) of each case, databases side by side."""
    labels = list(figures)
    if not labels:
        return []
    head = "| case | period | " + " | ".join(
        f"{label} cold p50/p95 | warm p95 | naive x" for label in labels
    )
    lines = [head + " |", "|" + "---|" * (2 + 3 * len(labels))]
    keys = [(r["case"], r["period"]) for r in figures[labels[0]]["rows"]]
    for case, period in keys:
        cells = []
        for label in labels:
            row = next(
                (r for r in figures[label]["rows"] if (r["case"], r["period"]) == (case, period)),
                None,
            )
            if row is None:
                cells += ["-", "-", "-"]
                continue
            ratio = row["naive_p50"] / row["cold_p50"] if row["naive_p50"] else None
            cells += [
                f"{fmt(row['cold_p50'])} / {fmt(row['cold_p95'])}",
                fmt(row["warm_p95"]),
                fmt(ratio, "x"),
            ]
        lines.append(f"| {case} | {period} | " + " | ".join(cells) + " |")
    return lines


def other_lines(results: dict[str, dict]) -> list[str]:
    lines = ["| measure | figure |", "|---|---|"]
    for name, figures in results.items():
        if name == "scale":
            continue
        for key, value in figures.items():
            shown = fmt(value) if isinstance(value, int | float) else str(value)
            lines.append(f"| {name}: {key} | {shown} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--databases", default="demo-sqlite,demo-pg,1m-sqlite,5m-pg")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--naive-runs", type=int, default=2)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--load-minutes", type=float, default=5)
    parser.add_argument("--heap-minutes", type=float, default=30)
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    results: dict[str, dict] = {}
    for part, command in commands(args).items():
        if part in args.only.split(","):
            print(f"\n=== {part}: {' '.join(command[2:])}", flush=True)
            for found in run_part(command):
                results[found["bench"]] = found["figures"]
    header = (
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {platform.node()}: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average at the end "
        f"{os.getloadavg()[0]:.1f}. Times in ms."
    )
    summary = [header, "", *scale_lines(results.get("scale", {})), "", *other_lines(results)]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print("\n" + "\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
