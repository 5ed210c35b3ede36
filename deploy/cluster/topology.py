"""Who runs where: the cluster's hosts, their addresses and the settings every product
process shares (CONTRACT section 4). The same layout as docs/deploy.md, on one machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SUBNET = os.environ.get("CC_CLUSTER_SUBNET", "10.77.0")  # a /24 of its own, no route out
BRIDGE = "cc-br0"
BRIDGE_IP = f"{SUBNET}.1"  # this machine's side: the drills reach every host from here
RUN_DIR = Path(os.environ.get("CC_CLUSTER_DIR", "/tmp/cc-cluster"))
PG_BIN = Path(os.environ.get("CC_CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))

REDIS_PORT = 6379
SENTINEL_PORT = 26379
PG_PORT = 5432
WEB_PORT = 8050
LB_PORT = 80
LB_STATS_PORT = 8404
SERVICE = "cc"  # the Sentinel service name (CC_REDIS_SERVICE)
DATABASE = "cc"


@dataclass(frozen=True)
class Host:
    name: str  # also the network namespace's name
    ip: str

    @property
    def veth(self) -> str:
        """The host-side end of its link, on the bridge (at most 15 characters)."""
        return f"ccv-{self.name[3:]}"[:15]


def _host(name: str, last: int) -> Host:
    return Host(f"cc-{name}", f"{SUBNET}.{last}")


LB = _host("lb", 10)  # HAProxy
REDIS1 = _host("redis1", 11)  # Redis primary at start, Sentinel 1
REDIS2 = _host("redis2", 12)  # Redis replica at start, Sentinel 2
SENTINEL3 = _host("sentinel3", 13)  # the third vote: a small host of its own
PG1 = _host("pg1", 21)  # PostgreSQL primary
PG2 = _host("pg2", 22)  # PostgreSQL streaming replica
WEB1 = _host("web1", 31)
WEB2 = _host("web2", 32)
INGEST1 = _host("ingest1", 41)
INGEST2 = _host("ingest2", 42)
PRODUCER = _host("producer", 50)

HOSTS = (LB, REDIS1, REDIS2, SENTINEL3, PG1, PG2, WEB1, WEB2, INGEST1, INGEST2, PRODUCER)
REDIS_HOSTS = (REDIS1, REDIS2)
SENTINEL_HOSTS = (REDIS1, REDIS2, SENTINEL3)
WEB_HOSTS = (WEB1, WEB2)
INGEST_HOSTS = (INGEST1, INGEST2)

LB_URL = f"http://{LB.ip}"  # port 80 (LB_PORT)
PRIMARY_URL = f"postgresql://postgres@{PG1.ip}:{PG_PORT}/{DATABASE}"
REPLICA_URL = f"postgresql://postgres@{PG2.ip}:{PG_PORT}/{DATABASE}"
SENTINELS = ",".join(f"{h.ip}:{SENTINEL_PORT}" for h in SENTINEL_HOSTS)


def product_env(data_dir: Path, secret_key: str) -> dict[str, str]:
    """The settings every web and ingest host gets: the same on every host but the data
    folder. CC_REDIS_URL names the first primary, for a product that ignores Sentinel."""
    return {
        "CC_DATABASE_URL": PRIMARY_URL,
        "CC_DATABASE_REPLICA_URL": REPLICA_URL,
        "CC_REDIS_URL": f"redis://{REDIS1.ip}:{REDIS_PORT}/0",
        "CC_REDIS_SENTINELS": SENTINELS,
        "CC_REDIS_SERVICE": SERVICE,
        "CC_SECRET_KEY": secret_key,
        "CC_TRUSTED_PROXIES": "1",  # HAProxy adds X-Forwarded-For
        "CC_DATA_DIR": str(data_dir),
    }
