"""Cut one web host off Redis (a partition: packets to every Redis and Sentinel host are
dropped inside its namespace, nothing is killed): its /health says degraded and its walls
show "Redis down"/stale, while the other host stays ok; both heal when the link returns."""

from __future__ import annotations

import threading
import time

from deploy.cluster import netns
from deploy.cluster.drills.probes import Wall, haproxy_state, health, say, wait_until
from deploy.cluster.topology import REDIS_HOSTS, SENTINEL_HOSTS, WEB_HOSTS, WEB_PORT

CUT_S = 40.0
AFTER_S = 30.0


class Health:
    """/health asked every second, each question in its own thread (a question may hang
    while its host waits on Redis): when each status was first answered, how long each
    answer took."""

    def __init__(self, base: str) -> None:
        self.base, self.answers, self._stop = base, [], threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            threading.Thread(target=self._ask, daemon=True).start()
            self._stop.wait(1.0)

    def _ask(self) -> None:
        asked = time.monotonic()
        status = (health(self.base) or {}).get("status")  # None: no JSON answer (a 500)
        self.answers.append((asked, time.monotonic(), status))

    def first(self, status: str) -> float | None:
        return min((done for _, done, s in self.answers if s == status), default=None)

    def slow(self) -> int:
        return sum(1 for asked, done, _ in self.answers if done - asked > 5)

    def stop(self) -> None:
        self._stop.set()


def run() -> dict:
    cut_host, other = WEB_HOSTS
    base = f"http://{cut_host.ip}:{WEB_PORT}"
    other_base = f"http://{other.ip}:{WEB_PORT}"
    wall = Wall(base)  # a wall served by the cut host itself
    wait_until(lambda: wall.messages, 30.0)
    peers = list({*REDIS_HOSTS, *SENTINEL_HOSTS})
    say(f"cut {cut_host.name} off Redis and the Sentinels")
    cut = time.monotonic()
    netns.cut(cut_host, peers)
    answers = Health(base)  # /health asked once a second, each in a thread of its own
    said = wait_until(lambda: wall.stale_at(time.monotonic()), CUT_S)
    said_s = time.monotonic() - cut
    degraded = wait_until(lambda: answers.first("degraded"), CUT_S)
    degraded_s = degraded - cut if degraded else None
    balancer = haproxy_state().get(cut_host.name[3:])
    other_ok = (health(other_base) or {}).get("status") == "ok"
    time.sleep(max(0.0, CUT_S - (time.monotonic() - cut)))
    answers.stop()
    say("heal the link")
    healed = time.monotonic()
    netns.heal(cut_host, peers)
    ok = wait_until(lambda: (health(base) or {}).get("status") == "ok", 120.0, 0.5)
    ok_s = time.monotonic() - healed
    fresh = wait_until(lambda: not wall.stale_at(time.monotonic()), 120.0)
    fresh_s = time.monotonic() - healed
    wall.stop()
    after = Health(base)  # the healed host must keep answering, not only once
    time.sleep(AFTER_S)
    after.stop()
    broken = sum(1 for _, _, status in after.answers if status != "ok")
    figures = {
        "seconds until its /health said degraded": round(degraded_s, 1) if degraded else None,
        "its /health answers that took over 5 s": answers.slow(),
        "seconds until its wall showed Redis down or stale": round(said_s, 1) if said else None,
        "the other host's /health meanwhile": "ok" if other_ok else "not ok",
        "HAProxy's state of the cut host meanwhile": balancer,
        "seconds after healing until /health ok": round(ok_s, 1) if ok else None,
        "seconds after healing until the wall was fresh": round(fresh_s, 1) if fresh else None,
        f"its /health answers not ok in the {AFTER_S:.0f} s after": (
            f"{broken} of {len(after.answers)}"
        ),
    }
    figures["passed"] = bool(degraded and said and other_ok and ok and fresh and not broken)
    return figures
