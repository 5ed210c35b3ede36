"""The one machine-readable line each benchmark ends with, gathered by `python -m bench`."""

from __future__ import annotations

import json

PREFIX = "RESULT "


def emit(name: str, figures: dict) -> None:
    print(PREFIX + json.dumps({"bench": name, "figures": figures}, default=str), flush=True)


def parse(output: str) -> list[dict]:
    """Every RESULT line in a benchmark's output, decoded."""
    return [
        json.loads(line[len(PREFIX) :]) for line in output.splitlines() if line.startswith(PREFIX)
    ]
