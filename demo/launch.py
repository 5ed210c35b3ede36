"""Run Procfile processes side by side, as foreman or honcho would.

`python -m demo.launch web ingest simulate` starts those Procfile lines from the repository
root, each in its own process group, and prefixes every line they print with the name.
When one of them exits, or on Ctrl-C, SIGTERM or SIGHUP, all get SIGTERM, then SIGKILL
after a grace period. A line whose program or Python module is missing fails before
anything starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from common.config import PROJECT_ROOT

GRACE_SECONDS = 15.0


def read_procfile(path: Path) -> dict[str, str]:
    """Process name -> command, in file order."""
    entries = {}
    for line in path.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and re.fullmatch(r"[\w-]+", name.strip()):
            entries[name.strip()] = command.strip()
    return entries


def _module_exists(module: str) -> bool:
    path = PROJECT_ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def problems(command: str) -> list[str]:
    """What stops `command` from starting: a program not on PATH, a project module missing."""
    words = shlex.split(command)
    found = [] if shutil.which(words[0]) else [f"program {words[0]!r} is not on PATH"]
    modules = [words[i + 1] for i, word in enumerate(words[:-1]) if word == "-m"]
    modules += [word.split(":")[0] for word in words if re.fullmatch(r"[\w.]+:[\w.]+", word)]
    own = [m for m in modules if (PROJECT_ROOT / m.split(".")[0]).is_dir()]
    return found + [f"module {m} does not exist yet" for m in own if not _module_exists(m)]


def _relay(name: str, stream, width: int, lock: threading.Lock) -> None:
    for line in stream:
        with lock:
            sys.stdout.write(f"{name:<{width}} | {line}")
            sys.stdout.flush()


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def run(commands: dict[str, str]) -> int:
    """Run `commands` until one exits or a signal asks to stop; 0 when asked to stop."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    width = max(map(len, commands))
    lock = threading.Lock()
    processes, relays = {}, []
    for name, command in commands.items():
        process = subprocess.Popen(
            ["/bin/sh", "-c", command],  # a Procfile line is a shell command
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        processes[name] = process
        relays.append(threading.Thread(target=_relay, args=(name, process.stdout, width, lock)))
        relays[-1].start()

    while not stop.is_set() and all(p.poll() is None for p in processes.values()):
        stop.wait(0.2)
    ended = {name: p.returncode for name, p in processes.items() if p.poll() is not None}
    if ended and not stop.is_set():
        print(f"launch: {ended} ended, stopping the others", file=sys.stderr)

    for process in processes.values():
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes.values():
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
    for relay in relays:
        relay.join()
    return 0 if stop.is_set() else 1


def main(argv: list[str]) -> int:
    procfile = read_procfile(PROJECT_ROOT / "Procfile")
    names = argv or [name for name in procfile if name != "release"]
    unknown = [name for name in names if name not in procfile]
    if unknown:
        print(f"launch: not in the Procfile: {', '.join(unknown)}", file=sys.stderr)
        return 2
    issues = [f"{name}: {issue}" for name in names for issue in problems(procfile[name])]
    if issues:
        print("launch: cannot start:\n  " + "\n  ".join(issues), file=sys.stderr)
        return 2
    return run({name: procfile[name] for name in names})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
