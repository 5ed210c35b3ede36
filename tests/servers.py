"""Throwaway PostgreSQL and Redis servers for fault tests: stop them, start them again.

Each listens on 127.0.0.1 on a free port chosen at run time and keeps its files in a
temporary folder removed at `close()`. PostgreSQL runs as the `postgres` user (through
runuser when we are root), with fsync off: these servers hold nothing worth keeping.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from common.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"):
    """Poll until predicate() is truthy (returning it) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # the thing polled may be down for a while: that is the point
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name) or name


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PgServer:
    """A PostgreSQL cluster of our own: `url` (database `postgres`), `start()`, `stop()`."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="cc-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            _as_postgres(
                [_pg_bin("initdb"), "-A", "trust", "-U", "postgres", "-D", str(self.data)]
            ),
            check=True,
            capture_output=True,
        )
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres(
                [_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), *args]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-w", "-o", f"{options} -c unix_socket_directories={self.dir}", "start")

    def stop(self) -> None:
        self._ctl("-w", "-m", "immediate", "stop")

    def database(self, name: str) -> str:
        """Create database `name` and return its URL."""
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + "/" + name

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PgReplica(PgServer):
    """A streaming replica of `primary` (pg_basebackup -R), on a port of its own."""

    def __init__(self, primary: PgServer):  # not super().__init__(): that would initdb
        self.dir = Path(tempfile.mkdtemp(prefix="cc-pg-replica-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            _as_postgres([_pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                          "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream",
                          "--checkpoint=fast"]),
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.start()


class RedisServer:
    """A Redis of our own that keeps nothing on disk: a restart loses every key."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="cc-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        wait_for(client.ping, 10, what="redis-server to answer")
        client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- helpers for driving ingest in tests ---------------------------------------------


def publish(r: redis.Redis, stream: str, entries: list[dict]) -> list[str]:
    """XADD entries in order (pipelined); return their stream ids."""
    ids = []
    for start in range(0, len(entries), 1000):
        pipe = r.pipeline(transaction=False)
        for entry in entries[start : start + 1000]:
            pipe.xadd(stream, entry)
        ids += [i.decode() for i in pipe.execute()]
    return ids


def process_env(settings, **extra: str) -> dict:
    """The environment that makes a Procfile process use `settings` (CONTRACT section 4)."""
    return dict(
        os.environ,
        CC_DATABASE_URL=settings.database_url,
        CC_REDIS_URL=settings.redis_url,
        CC_STREAM_PREFIX=settings.stream_prefix,
        CC_SECRET_KEY=settings.secret_key or "test-secret",
        CC_DATA_DIR=str(settings.data_dir),
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        PYTHONPATH=str(PROJECT_ROOT),
        **extra,
    )


def web_process(settings, port: int, log_path: Path, warm: bool = True) -> subprocess.Popen:
    """The Procfile's `web` line (gunicorn) for `settings` on `port`, in its own process
    group so that stopping it ends every worker and every open connection. Returns once
    /health answers, or with `warm` false as soon as the port accepts connections (so the
    caller's requests are the workers' first)."""
    from demo.launch import read_procfile

    command = read_procfile(PROJECT_ROOT / "Procfile")["web"]
    command = command.replace("${PORT:-8050}", str(port))
    command = command.replace("${CC_HOST:-0.0.0.0}", "127.0.0.1")
    log = open(log_path, "ab")  # noqa: SIM115 - the child writes to it until it exits
    proc = subprocess.Popen(  # noqa: S603 - our own Procfile line
        shlex.split(command), cwd=PROJECT_ROOT, env=process_env(settings, PORT=str(port)),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    if warm:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/health"), 60, what="gunicorn")
    else:
        wait_for(lambda: _accepts(port), 60, what="gunicorn's socket")
    return proc


def stop_process_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _accepts(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return True


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
        return response.status == 200


def ingest_process(settings, log_path: Path, *flags: str) -> subprocess.Popen:
    """`python -m worker.ingest` configured for `settings` through the environment."""
    env = process_env(settings)
    log = open(log_path, "ab")  # noqa: SIM115 - the child writes to it until it exits
    return subprocess.Popen(
        [sys.executable, "-m", "worker.ingest", *flags],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def fast_ingest(settings, **options):
    """An in-process Ingest with test-speed intervals (block 50 ms, claim idle 0.5 s)."""
    from worker.ingest import Ingest, Options

    defaults = dict(block_ms=50, claim_idle_ms=500, claim_every_s=0.1, backoff_s=0.05)
    ingest = Ingest(settings, Options(**{**defaults, **options}))
    ingest.start()
    return ingest


def drain(ingest, timeout: float = 120.0) -> None:
    """Step `ingest` until every stream entry is handled (persisted or dead-lettered)."""
    from data_access.health import stream_lag

    deadline = time.monotonic() + timeout
    while stream_lag(ingest.r, ingest.stream) > 0:
        if time.monotonic() > deadline:
            raise TimeoutError("stream not drained")
        ingest.step()


def pair_kiosk(context, base: str, code: str) -> None:
    """Pair a browser context as a wall screen: the pairing form's POST, as pressing its
    button sends it (a GET of the pairing link only shows the form)."""
    paired = context.request.post(
        f"{base}/kiosk/pair", form={"code": code}, headers={"Origin": base}, max_redirects=0
    )
    assert paired.status == 302


class SentinelGroup:
    """A Redis primary, its replica and one Sentinel watching them as service `service`
    (one Sentinel is enough for a forced failover: SENTINEL FAILOVER needs no quorum;
    a busy test machine must not make it see a primary down and fail over by itself)."""

    def __init__(self, service: str = "cc"):
        self.service = service
        self.primary = RedisServer()
        self.replica = RedisServer()
        for server in (self.primary, self.replica):  # sync at once, not after 5 s
            with redis.Redis(port=server.port) as client:
                client.config_set("repl-diskless-sync-delay", 0)
        replica = redis.Redis(port=self.replica.port)
        replica.replicaof("127.0.0.1", self.primary.port)
        wait_for(lambda: replica.info("replication")["master_link_status"] == "up", 10,
                 what="the replica to sync")  # fmt: skip
        replica.close()
        self.dir = Path(tempfile.mkdtemp(prefix="cc-sentinel-"))
        self.port = free_port()
        conf = self.dir / "sentinel.conf"
        conf.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n"
            f"sentinel monitor {service} 127.0.0.1 {self.primary.port} 1\n"
            f"sentinel down-after-milliseconds {service} 10000\n"
            # a busy machine must not make the Sentinel abort a forced failover half-way
            # (it then names the old primary again): a minute, not 5 s
            f"sentinel failover-timeout {service} 60000\n"
        )
        self.proc = subprocess.Popen(
            [shutil.which("redis-sentinel") or "redis-sentinel", str(conf)],
            stdout=subprocess.DEVNULL,
        )
        self.client = redis.Redis(port=self.port, decode_responses=True)
        wait_for(self._replica_known, 30, what="the Sentinel to know a promotable replica")

    def _replica_known(self) -> bool:
        return any(
            r["flags"] == "slave" and r.get("master-link-status") == "ok"
            for r in self.client.sentinel_slaves(self.service)
        )

    def primary_port(self) -> int:
        return int(self.client.sentinel_get_master_addr_by_name(self.service)[1])

    def failover(self, timeout: float = 20.0) -> int:
        """Force a failover (SENTINEL FAILOVER) and return the new primary's port once the
        Sentinel names it and it answers as a primary."""
        before = self.primary_port()
        self.client.execute_command("SENTINEL", "FAILOVER", self.service)
        port = wait_for(lambda: self.primary_port() != before and self.primary_port(), timeout,
                        what="the Sentinel to name a new primary")  # fmt: skip
        promoted = redis.Redis(port=port)
        wait_for(lambda: promoted.info("replication")["role"] == "master", timeout,
                 what="the new primary")  # fmt: skip
        promoted.close()
        wait_for(self._failover_over, timeout, what="the Sentinel to end its failover")
        if self.primary_port() != port:
            raise RuntimeError("the Sentinel aborted the failover and named the old primary")
        return port

    def _failover_over(self) -> bool:
        """The Sentinel has finished the failover: its state no longer says in progress
        (until then it may still abort it and name the old primary again)."""
        return "failover_in_progress" not in self.client.sentinel_master(self.service)["flags"]

    def close(self) -> None:
        self.client.close()
        self.proc.kill()
        self.proc.wait(10)
        self.primary.close()
        self.replica.close()
        shutil.rmtree(self.dir, ignore_errors=True)
