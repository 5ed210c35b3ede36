"""What the drills watch, from this machine over the bridge: the counted producer, walls
(a live stream read as a browser's EventSource reads it), /health, SQL and HAProxy."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg
import redis
import requests

from deploy.cluster import roles, services
from deploy.cluster.topology import (
    BRIDGE_IP,
    LB,
    LB_URL,
    PRIMARY_URL,
    PRODUCER,
    REDIS_PORT,
    RUN_DIR,
    SENTINEL_HOSTS,
    SENTINEL_PORT,
    SENTINELS,
    SERVICE,
)

RETRY_S = 1.5  # the live stream's `retry:` (dashboard/live_push.py RETRY_MS)
STALL_S = 10.0  # assets/live.js: no message for 10 s shows "disconnected"
STALE_S = 15.0  # CC_STALE_SECONDS's default, which the cluster keeps


def say(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", flush=True)


def wait_until(check, timeout_s: float, every_s: float = 0.2):
    """Poll `check` until it returns something true; that value, or None at timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every_s)
    return None


# -- Redis and Sentinel ---------------------------------------------------------------


def sentinel_primary() -> str | None:
    """The primary's address as most Sentinels name it now."""
    votes: dict[str, int] = {}
    for host in SENTINEL_HOSTS:
        try:
            client = redis.Redis(host.ip, SENTINEL_PORT, socket_timeout=1)
            ip, _ = client.sentinel_get_master_addr_by_name(SERVICE)
            votes[ip.decode() if isinstance(ip, bytes) else ip] = votes.get(ip, 0) + 1
        except (redis.RedisError, TypeError):
            continue
    return max(votes, key=votes.get) if votes else None


def redis_at(ip: str) -> redis.Redis:
    return redis.Redis(ip, REDIS_PORT, socket_timeout=3, socket_connect_timeout=2)


# -- the counted producer --------------------------------------------------------------


class Producer:
    """deploy.cluster.producer on the producer host, publishing `rate` events a second."""

    def __init__(self, rate: float = 50.0) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.out = RUN_DIR / "drills" / self.run
        argv = ["python", "-m", "deploy.cluster.producer", "--run", self.run, "--rate",
                str(rate), "--out", str(self.out), "--sentinels", SENTINELS]  # fmt: skip
        self.name = f"producer-{self.run}"
        services.spawn(self.name, PRODUCER, argv, roles.env_for(PRODUCER))
        self.town = f"DRILL-{self.run}"

    def stop(self) -> None:
        services.stop(self.name)

    def confirmed(self) -> set[str]:
        path = self.out / "confirmed"
        return set(path.read_text().split()) if path.exists() else set()

    def sent(self) -> int:
        path = self.out / "sent"
        return int(path.read_text() or 0) if path.exists() else 0


# -- SQL --------------------------------------------------------------------------------


def sql(query: str, *params, url: str = PRIMARY_URL):
    with psycopg.connect(url, connect_timeout=3) as conn:
        return conn.execute(query, params).fetchall()


def applied(producer: Producer) -> int | None:
    """How many of the producer's events SQL holds; None while SQL does not answer."""
    try:
        return sql("SELECT count(*) FROM incidents WHERE town = %s", producer.town)[0][0]
    except psycopg.Error:
        return None


@dataclass
class IngestWatch:
    """Samples SQL's count of the producer's events: the longest time the count stood
    still while Redis held confirmed events that SQL did not (ingest not keeping up)."""

    producer: Producer
    samples: list[tuple[float, int | None, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> IngestWatch:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            waiting = len(self.producer.confirmed())
            self.samples.append((time.monotonic(), applied(self.producer), waiting))
            self._stop.wait(0.25)

    def stop(self) -> None:
        self._stop.set()

    def longest_quiet(self) -> float:
        """The longest time no new event reached SQL, whether or not any waited."""
        grew = [at for (at, count), (_, before) in zip(
            ((a, c) for a, c, _ in self.samples[1:]),
            ((a, c) for a, c, _ in self.samples[:-1]), strict=True,
        ) if count is not None and before is not None and count > before]  # fmt: skip
        return max((b - a for a, b in zip(grew, grew[1:], strict=False)), default=0.0)

    def longest_stall(self) -> float:
        longest, since, last = 0.0, None, -1
        for at, count, confirmed in self.samples:
            grew = count is not None and count > last
            if grew or (count is not None and count >= confirmed):
                since, last = None, count if count is not None else last
                continue
            since = since or at
            longest = max(longest, at - since)
        return longest


def settle(producer: Producer, timeout_s: float = 90.0) -> dict:
    """After the producer stopped: wait for SQL to hold every confirmed event, then the
    drill's verdict: confirmed-and-lost, applied twice (a summary counting an incident
    more than once), and what was sent but never confirmed."""
    confirmed = producer.confirmed()
    wait_until(lambda: (applied(producer) or 0) >= len(confirmed), timeout_s, 0.5)
    ids = {row[0] for row in sql("SELECT event_id FROM incident_events WHERE incident_id"
                                 " IN (SELECT id FROM incidents WHERE town = %s)",
                                 producer.town)}  # fmt: skip
    received = sql("SELECT coalesce(sum(received), 0) FROM incident_daily WHERE town = %s",
                   producer.town)[0][0]  # fmt: skip
    rows = sql("SELECT count(*) FROM incident_events e JOIN incidents i ON i.id ="
               " e.incident_id WHERE i.town = %s", producer.town)[0][0]  # fmt: skip
    return {
        "sent": producer.sent(),
        "confirmed": len(confirmed),
        "applied": len(ids),
        "confirmed and lost": len(confirmed - ids),
        "applied twice": (rows - len(ids)) + max(0, received - len(ids)),
    }


def api_token() -> str:
    return roles.env_for(PRODUCER)["CC_API_TOKEN"]


# -- walls --------------------------------------------------------------------------------


def forget_failed_pairings() -> None:
    """Every drill and bench client pairs from this machine's one address (BRIDGE_IP): a
    failed pairing in an earlier run (a bench's 502 under load, then the code sent again)
    would lock that address out of pairing for the product's lockout time."""
    primary = redis_at(sentinel_primary())  # dashboard.auth.ratelimit's two counters
    primary.delete(f"cc:auth:fail:ip:{BRIDGE_IP}", f"cc:auth:fail:user:kiosk-pairing@{BRIDGE_IP}")


def pair_kiosk(base: str = LB_URL) -> requests.Session:
    """A wall screen's browser session, paired the way a real one is: a one-time code,
    then the kiosk cookie that every later request (and every host) accepts."""
    from data_access.db import make_engine
    from data_access.users import create_kiosk

    engine = make_engine(PRIMARY_URL)
    _, code = create_kiosk(engine, f"drill-{uuid.uuid4().hex[:6]}", "drill", timedelta(hours=2))
    engine.dispose()
    session = requests.Session()
    answer = session.post(f"{base}/kiosk/pair", data={"code": code},
                          headers={"Origin": base}, allow_redirects=False, timeout=30)  # fmt: skip
    assert answer.status_code in (302, 303), f"pairing answered {answer.status_code}"
    return session


class Wall:
    """One wall's live stream, read as EventSource reads it: reconnect RETRY_S after it
    ends; each message kept with the instant it arrived and the host that served it."""

    def __init__(self, base: str = LB_URL, session: requests.Session | None = None) -> None:
        self.base = base
        self.session = session or pair_kiosk(base)
        self.messages: list[tuple[float, dict]] = []
        self.connects: list[tuple[float, int, str]] = []  # (at, status, served by)
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self.session.get(f"{self.base}/live/stream?lang=en", stream=True,
                                      timeout=(3, 12)) as answer:  # fmt: skip
                    served = answer.headers.get("X-Served-By", "")
                    self.connects.append((time.monotonic(), answer.status_code, served))
                    if answer.status_code == 200:
                        self._read(answer)
            except (OSError, requests.RequestException):
                pass
            self._stop.wait(RETRY_S)

    def _read(self, answer: requests.Response) -> None:
        for line in answer.iter_lines():
            if self._stop.is_set():
                return
            if line.startswith(b"data: "):
                self.messages.append((time.monotonic(), json.loads(line[6:])))

    def served_by(self) -> str | None:
        return self.connects[-1][2] if self.connects else None

    def stale_at(self, at: float) -> bool:
        """What assets/wall.js's banner shows at `at`: disconnected, Redis down or stale."""
        last = next((m for m in reversed(self.messages) if m[0] <= at), None)
        if last is None or at - last[0] > STALL_S or not last[1].get("redis"):
            return True
        age = last[1].get("heartbeat_age")
        return age is None or age + (at - last[0]) > STALE_S

    def stale_seconds(self, start: float, end: float, step: float = 0.25) -> float:
        points = int((end - start) / step)
        return sum(step for i in range(points) if self.stale_at(start + i * step))

    def first_message_after(self, at: float) -> float | None:
        return next((t for t, _ in self.messages if t > at), None)


# -- /health and HAProxy -------------------------------------------------------------------


def health(base: str, timeout_s: float = 40.0) -> dict | None:
    try:
        return requests.get(f"{base}/health", timeout=timeout_s).json()
    except (requests.RequestException, ValueError):
        return None


def haproxy_state() -> dict[str, str]:
    """Each web server's state as HAProxy sees it (UP, DOWN ...)."""
    text = requests.get(f"http://{LB.ip}:8404/;csv", timeout=5).text
    rows = [line.split(",") for line in text.splitlines() if line.startswith("web,web")]
    return {row[1]: row[17] for row in rows}
