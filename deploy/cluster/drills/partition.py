"""Cut one web host off Redis (a partition: packets to every Redis and Sentinel host are
dropped inside its namespace, nothing is killed): its /health says degraded and its walls
show "Redis down"/stale, while the other host stays ok; both heal when the link returns."""

from __future__ import annotations

import time

from deploy.cluster import netns
from deploy.cluster.drills.probes import Wall, health, say, wait_until
from deploy.cluster.topology import REDIS_HOSTS, SENTINEL_HOSTS, WEB_HOSTS, WEB_PORT

CUT_S = 40.0


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
    degraded = wait_until(lambda: (health(base) or {}).get("status") == "degraded", CUT_S, 0.5)
    degraded_s = time.monotonic() - cut
    said = wait_until(lambda: wall.stale_at(time.monotonic()), CUT_S)
    said_s = time.monotonic() - cut
    other_ok = (health(other_base) or {}).get("status") == "ok"
    time.sleep(max(0.0, CUT_S - (time.monotonic() - cut)))
    say("heal the link")
    healed = time.monotonic()
    netns.heal(cut_host, peers)
    ok = wait_until(lambda: (health(base) or {}).get("status") == "ok", 120.0, 0.5)
    ok_s = time.monotonic() - healed
    fresh = wait_until(lambda: not wall.stale_at(time.monotonic()), 120.0)
    fresh_s = time.monotonic() - healed
    wall.stop()
    figures = {
        "seconds until its /health said degraded": round(degraded_s, 1) if degraded else None,
        "seconds until its wall showed Redis down or stale": round(said_s, 1) if said else None,
        "the other host's /health meanwhile": "ok" if other_ok else "not ok",
        "seconds after healing until /health ok": round(ok_s, 1) if ok else None,
        "seconds after healing until the wall was fresh": round(fresh_s, 1) if fresh else None,
    }
    figures["passed"] = bool(degraded and said and other_ok and ok and fresh)
    return figures
