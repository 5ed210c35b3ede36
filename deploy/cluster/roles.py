"""Each host's role: the configuration files it gets and the process that serves it.
The settings are those docs/deploy.md gives for real hosts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from demo.launch import read_procfile
from deploy.cluster import services
from deploy.cluster.topology import (
    DATABASE,
    LB,
    LB_PORT,
    LB_STATS_PORT,
    PG1,
    PG_PORT,
    REDIS1,
    REDIS_PORT,
    RUN_DIR,
    SENTINEL_PORT,
    SERVICE,
    SUBNET,
    WEB_HOSTS,
    WEB_PORT,
    Host,
    product_env,
)

# Sentinel: a primary unanswered for 2 s is down once 2 of the 3 agree, then a replica is
# promoted. Production uses 5 s (docs/deploy.md): a busy host may miss 2 s.
DOWN_AFTER_MS = int(os.environ.get("CC_CLUSTER_DOWN_AFTER_MS", "2000"))


def host_dir(host: Host) -> Path:
    path = RUN_DIR / "hosts" / host.name
    path.mkdir(parents=True, exist_ok=True)
    return path


def redis(host: Host, replica_of: Host | None = None) -> subprocess.Popen:
    """redis-server with an append-only file, so a restarted node comes back with its
    data and Sentinel can make it a replica of whichever node is primary by then."""
    argv = ["redis-server", "--bind", f"{host.ip} 127.0.0.1", "--port", str(REDIS_PORT),
            "--protected-mode", "no", "--dir", str(host_dir(host)), "--save", "",
            "--appendonly", "yes", "--appendfsync", "everysec",
            "--replica-announce-ip", host.ip]  # fmt: skip
    if replica_of is not None:
        argv += ["--replicaof", replica_of.ip, str(REDIS_PORT)]
    return services.spawn(f"redis-{host.name}", host, argv)


def sentinel(host: Host) -> subprocess.Popen:
    conf = host_dir(host) / "sentinel.conf"  # Sentinel rewrites it with what it learns
    if not conf.exists():
        conf.write_text(
            f"port {SENTINEL_PORT}\nbind {host.ip} 127.0.0.1\nprotected-mode no\n"
            f"dir {host_dir(host)}\nsentinel announce-ip {host.ip}\n"
            f"sentinel monitor {SERVICE} {REDIS1.ip} {REDIS_PORT} 2\n"
            f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {SERVICE} 10000\n"
            f"sentinel parallel-syncs {SERVICE} 1\n"
        )
    return services.spawn(f"sentinel-{host.name}", host, ["redis-sentinel", str(conf)])


def pg_data(host: Host) -> Path:
    return host_dir(host) / "pgdata"


def _postgres_owned(path: Path) -> None:
    shutil.chown(path, "postgres", "postgres")
    for parent in (RUN_DIR, RUN_DIR / "hosts", path.parent):
        parent.chmod(0o755)  # the postgres user walks down to its data folder


def pg_init_primary(host: Host) -> None:
    data = pg_data(host)
    data.mkdir()
    _postgres_owned(data)
    services.as_postgres(host, services.pg_tool("initdb"), "-D", str(data), "-A", "trust",
                         "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    with (data / "pg_hba.conf").open("a") as hba:  # the runbook uses scram passwords
        hba.write(f"host all all {SUBNET}.0/24 trust\n"
                  f"host replication all {SUBNET}.0/24 trust\n")  # fmt: skip


def pg_init_replica(host: Host, primary: Host = PG1) -> None:
    """A streaming replica: a base backup of the primary that writes its own
    primary_conninfo and standby.signal (-R)."""
    data = pg_data(host)
    data.mkdir()
    _postgres_owned(data)
    data.chmod(0o700)
    services.as_postgres(host, services.pg_tool("pg_basebackup"), "-h", primary.ip, "-p",
                         str(PG_PORT), "-U", "postgres", "-D", str(data), "-R", "-X", "stream",
                         "-c", "fast")  # fmt: skip


def postgres(host: Host) -> subprocess.Popen:
    data = pg_data(host)
    sockets = host_dir(host) / "sockets"  # not in the data folder: a base backup copies it
    sockets.mkdir(exist_ok=True)
    shutil.chown(sockets, "postgres", "postgres")
    argv = [services.pg_tool("postgres"), "-D", str(data), "-c", f"listen_addresses={host.ip}",
            "-c", f"port={PG_PORT}", "-c", f"unix_socket_directories={sockets}",
            "-c", "max_connections=200", "-c", "hot_standby_feedback=on"]  # fmt: skip
    return services.spawn(f"postgres-{host.name}", host, argv, user="postgres")


def create_database() -> None:
    psql = [services.pg_tool("psql"), "-h", PG1.ip, "-U", "postgres", "-c",
            f"CREATE DATABASE {DATABASE}"]  # fmt: skip
    subprocess.run(psql, check=True, capture_output=True)  # noqa: S603


def haproxy_config(admin_socket: Path) -> str:
    """HAProxy in front of the web hosts: /health checked every second, a host out after
    3 failed checks, its open connections (the walls' streams) closed at once so the
    browsers reconnect through the other host. A check may take 5 s: with only `inter`
    (1 s) as its limit, a busy host's slower answers took both hosts out under load
    (bench.cluster_wall_load, 400 walls: every request then answered 503)."""
    servers = "\n".join(f"    server {h.name[3:]} {h.ip}:{WEB_PORT} check" for h in WEB_HOSTS)
    return f"""global
    maxconn 8000
    stats socket {admin_socket} mode 600 level admin

defaults
    mode http
    option httplog
    option forwardfor
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    timeout check 5s

frontend web
    bind {LB.ip}:{LB_PORT}
    default_backend web

backend web
    balance leastconn
    option httpchk GET /health
    http-check expect status 200
    http-response set-header X-Served-By %s
    default-server inter 1s fall 3 rise 2 on-marked-down shutdown-sessions
{servers}

listen stats
    bind {LB.ip}:{LB_STATS_PORT}
    stats enable
    stats uri /
"""


def haproxy() -> subprocess.Popen:
    conf = host_dir(LB) / "haproxy.cfg"
    conf.write_text(haproxy_config(host_dir(LB) / "haproxy.sock"))
    return services.spawn("haproxy", LB, ["haproxy", "-db", "-f", str(conf)])


def secret_key(name: str = "secret_key") -> str:
    """CC_SECRET_KEY (or CC_API_TOKEN): one value for every host, made once per cluster."""
    path = RUN_DIR / name
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text()


def env_for(host: Host) -> dict[str, str]:
    """The cluster's settings on `host`, with the project's programs on PATH."""
    return {
        **product_env(host_dir(host) / "data", secret_key()),
        "CC_API_TOKEN": secret_key("api_token"),
        "PATH": f"{Path(services.python()).parent}:{os.environ.get('PATH', '')}",
        "PORT": str(WEB_PORT),
        "CC_HOST": host.ip,
    }


def product(host: Host, process: str, args: str = "", env: dict | None = None) -> subprocess.Popen:
    """A Procfile line (`web`, `ingest`, `release`, `simulate`) on `host`, with the
    cluster's settings, as a Procfile runner starts it (`args` appended, `env` added)."""
    command = read_procfile(services.PROJECT_ROOT / "Procfile")[process]
    argv = ["sh", "-c", f"exec {command} {args}".rstrip()]
    return services.spawn(f"{process}-{host.name}", host, argv, {**env_for(host), **(env or {})})
