"""Starting and stopping the cluster's processes, each inside its host's namespace.

Every process runs in a session of its own (its pid is its process group), with its pid
in RUN_DIR/pids and its output in RUN_DIR/logs, so `down` and the drills end exactly the
processes the cluster started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy.cluster.topology import PG_BIN, RUN_DIR, Host

PIDS = RUN_DIR / "pids"
LOGS = RUN_DIR / "logs"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def spawn(name: str, host: Host, argv: list[str], env: dict | None = None,
          user: str | None = None) -> subprocess.Popen:  # fmt: skip
    """Start `argv` inside `host` as `name` (as `user` when given)."""
    PIDS.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    if user:  # setpriv execs in place, so the pid is the program's own
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *argv]
    log = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(  # noqa: S603 - our own commands
        ["ip", "netns", "exec", host.name, *argv],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})}, cwd=PROJECT_ROOT, start_new_session=True,
    )  # fmt: skip
    log.close()
    (PIDS / f"{name}.pid").write_text(str(process.pid))
    return process


def pid_of(name: str) -> int | None:
    path = PIDS / f"{name}.pid"
    return int(path.read_text()) if path.exists() else None


def running(name: str) -> bool:
    pid = pid_of(name)
    if pid is None:
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our exited child
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state not in ("Z", "X")


def stop(name: str, sig: int = signal.SIGTERM, wait_s: float = 30.0) -> None:
    """Send `sig` to the process group of `name` and wait until its leader is gone."""
    pid = pid_of(name)
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + wait_s
    while running(name) and time.monotonic() < deadline:
        time.sleep(0.1)
    if running(name):
        os.killpg(pid, signal.SIGKILL)
    forget(name)


def forget(name: str) -> None:
    """Drop the pid file of a process that has ended."""
    (PIDS / f"{name}.pid").unlink(missing_ok=True)


def kill_host(host: Host) -> None:
    """kill -9 every process on a host, as if it lost power."""
    pids = subprocess.run(["ip", "netns", "pids", host.name], capture_output=True,
                          text=True, check=False).stdout.split()  # fmt: skip
    if pids:
        subprocess.run(["kill", "-9", *pids], capture_output=True, check=False)


def wait_tcp(ip: str, port: int, timeout_s: float = 60.0) -> None:
    """Until `ip:port` accepts a connection (reached from this machine over the bridge)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((ip, port), timeout=1).close()
            return
        except OSError as exc:
            if time.monotonic() > deadline:
                message = f"nothing answers on {ip}:{port} after {timeout_s:.0f} s"
                raise TimeoutError(message) from exc
            time.sleep(0.2)


def as_postgres(host: Host, *argv: str) -> None:
    """Run a PostgreSQL tool inside `host` as user postgres and wait for it."""
    command = ["ip", "netns", "exec", host.name, "setpriv", "--reuid=postgres",
               "--regid=postgres", "--init-groups", *argv]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, cwd="/")  # noqa: S603


def pg_tool(name: str) -> str:
    return str(PG_BIN / name)


def python() -> str:
    """The interpreter running this module, whose folder holds gunicorn too."""
    return sys.executable
